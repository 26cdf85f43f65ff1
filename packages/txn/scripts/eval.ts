/**
 * npm run eval:txn — recall, precision and F1 per finding code on generated streams (src/testing/
 * generate.ts: seeded, ~60,000 records each, findings injected and labelled beside look-alikes), as
 * JSON on stdout. A payment counts once per code: found when a finding of that code names it.
 *
 * Options: --seeds 1,2  --records 60000  --days 14  --show 3 (missed and extra payments shown per code)
 */
import { TXN_FINDING_CODES } from '@poscare/contracts';
import { TxnAnalyzer } from '../src/index.js';
import { generateStream } from '../src/testing/generate.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const seeds = (option('seeds') ?? '1,2').split(',').map(Number);
const size = Number(option('records') ?? 60_000);
const days = Number(option('days') ?? 14);
const show = Number(option('show') ?? 3);

const totals = new Map(TXN_FINDING_CODES.map((c) => [c, { tp: 0, fp: 0, fn: 0, missed: [] as string[], extra: [] as string[] }]));
const runs: unknown[] = [];
for (const seed of seeds) {
  const t0 = performance.now();
  const { records, labels, lookAlikes } = generateStream({ seed, records: size, days });
  const t1 = performance.now();
  const a = new TxnAnalyzer();
  a.addMany(records);
  const findings = a.findings();
  const t2 = performance.now();
  const found = new Map(TXN_FINDING_CODES.map((c) => [c, new Set<string>()]));
  for (const f of findings) for (const id of f.txnIds) {
    const r = a.record(id)!;
    found.get(f.code)!.add(`${r.terminalId}/${r.stan}`);
  }
  for (const code of TXN_FINDING_CODES) {
    const want = labels[code];
    const got = found.get(code)!;
    const tot = totals.get(code)!;
    for (const k of got) if (want.has(k)) tot.tp++; else { tot.fp++; if (tot.extra.length < show) tot.extra.push(`seed ${seed}: ${k}`); }
    for (const k of want) if (!got.has(k)) { tot.fn++; if (tot.missed.length < show) tot.missed.push(`seed ${seed}: ${k}`); }
  }
  runs.push({ seed, records: records.length, findings: findings.length, lookAlikes, generateMs: Math.round(t1 - t0), analyzeMs: Math.round(t2 - t1) });
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 10_000) / 10_000);
const perCode = Object.fromEntries(
  [...totals].map(([code, t]) => {
    const recall = ratio(t.tp, t.tp + t.fn);
    const precision = ratio(t.tp, t.tp + t.fp);
    const f1 = recall + precision === 0 ? 0 : Math.round(((2 * recall * precision) / (recall + precision)) * 10_000) / 10_000;
    return [code, { labelled: t.tp + t.fn, found: t.tp + t.fp, recall, precision, f1, ...(t.missed.length && { missed: t.missed }), ...(t.extra.length && { extra: t.extra }) }];
  }),
);
console.log(JSON.stringify({ command: 'npm run eval:txn', measuredAt: new Date().toISOString(), seeds, recordsPerStream: size, days, runs, perCode }, null, 2));
