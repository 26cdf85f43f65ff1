/** `poscare txn analyze` as a user runs it: a real process on temporary JSONL files. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TxnFinding } from '@poscare/contracts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/poscare.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'poscare-txn-'));

async function poscare(...args: string[]) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, POSCARE_LANG: 'en-US' }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const record = (id: string, minute: number, extra: Record<string, unknown> = {}) => ({
  id,
  source: 'terminal',
  at: `2026-10-05T10:${String(minute).padStart(2, '0')}:00+08:00`,
  merchantId: 'M1',
  terminalId: 'M1-T1',
  type: 'sale',
  amountMinor: 3000,
  currency: 'CNY',
  entryMode: 'chip',
  cardToken: 'tok_a',
  stan: `00000${id.slice(-1)}`,
  outcome: 'approved',
  ...extra,
});
const file = (name: string, lines: unknown[]) => {
  const f = path.join(dir, name);
  writeFileSync(f, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return f;
};

describe('poscare txn analyze', () => {
  it('prints one finding per line and exits 0', async () => {
    const r = await poscare('txn', 'analyze', file('dup.jsonl', [record('r1', 0), record('r2', 4), record('r2', 4)]));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => TxnFinding.parse(JSON.parse(l)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'dup.double_submit', txnIds: ['r1', 'r2'], amountMinor: 3000 });
  });

  it('exits 1 naming the line and field of a bad line, and refuses a card number without printing it', async () => {
    const pan = '4111111111111111'; // Luhn-valid test card number
    const bad = await poscare('txn', 'analyze', file('bad.jsonl', [record('r1', 0), record('r2', 1, { amountMinor: 'ten' }), record('r3', 2, { cardToken: pan })]));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('line 2, field amountMinor');
    expect(bad.stderr).toContain('line 3, field cardToken: holds card data');
    expect(bad.stderr + bad.stdout).not.toContain(pan);
  });
});
