/**
 * The shared example stream (../shared/examples/txn, beside the repository) against its expected
 * findings: for every code, the set of payments [terminalId, stan] involved must be exactly the
 * expected one. Skipped, with the reason, when the shared examples are not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TXN_FINDING_CODES } from '@poscare/contracts';
import { TxnAnalyzer } from './analyzer.js';
import { parseTxnLines } from './parse.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dir = path.resolve(repoRoot, '../shared/examples/txn');
const streamFile = path.join(dir, 'stream-small.jsonl');
const expectedFile = path.join(dir, 'expected.json');
const present = existsSync(streamFile) && existsSync(expectedFile);
if (!present) console.warn(`txn conformance skipped: ${streamFile} or expected.json not found`);

function involvedPayments(a: TxnAnalyzer) {
  const byCode = new Map<string, Set<string>>(TXN_FINDING_CODES.map((c) => [c, new Set<string>()]));
  for (const f of a.findings()) {
    for (const id of f.txnIds) {
      const r = a.record(id)!;
      byCode.get(f.code)!.add(`${r.terminalId}/${r.stan}`);
    }
  }
  return byCode;
}

describe.skipIf(!present)('stream-small.jsonl against expected.json', () => {
  const { records, errors } = present ? parseTxnLines(readFileSync(streamFile, 'utf8')) : { records: [], errors: [] };
  const expected = present ? (JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, [string, string][]>) : {};

  it('reads every line', () => {
    expect(errors).toEqual([]);
  });

  const whole = new TxnAnalyzer();
  whole.addMany(records);
  const found = involvedPayments(whole);

  it.each([...TXN_FINDING_CODES])('%s: exactly the expected payments', (code) => {
    const want = (expected[code] ?? []).map(([t, s]) => `${t}/${s}`).sort();
    expect([...found.get(code)!].sort()).toEqual(want);
  });

  it('fed in small batches, ends with the same findings as the whole stream at once', () => {
    const live = new TxnAnalyzer();
    const standing = new Map<string, number>();
    const keyOf = (f: { code: string; txnIds: string[] }) => `${f.code}:${f.txnIds.join(',')}`;
    for (let i = 0; i < records.length; i += 500) {
      const d = live.addMany(records.slice(i, i + 500));
      for (const f of d.opened) standing.set(keyOf(f), (standing.get(keyOf(f)) ?? 0) + 1);
      for (const f of d.resolved) standing.set(keyOf(f), (standing.get(keyOf(f)) ?? 0) - 1);
    }
    const fromDeltas = [...standing].filter(([, n]) => n > 0).map(([k]) => k).sort();
    expect(fromDeltas).toEqual(whole.findings().map(keyOf).sort());
    expect(live.findings().map(keyOf).sort()).toEqual(whole.findings().map(keyOf).sort());
  });
});
