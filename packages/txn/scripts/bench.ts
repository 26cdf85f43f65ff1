/**
 * npm run bench:txn — how long the transaction analysis takes on a generated stream of ~60,000
 * records (src/testing/generate.ts, seed 1), as JSON on stdout. Same-run baseline: reading and
 * validating the same lines (JSON, card-data rule, zod) without analysing them. Also the analyzer fed
 * live in batches and one record at a time, and the real command (`poscare txn analyze FILE`, a process of its own, tsx start
 * included). Wall and CPU milliseconds: the machine is shared, CPU time says what the work costs.
 *
 * Options: --records 60000  --seed 1  --runs 3  --batch 1000  --no-cli
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { analyze, parseTxnLines, TxnAnalyzer } from '../src/index.js';
import { generateStream } from '../src/testing/generate.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const size = Number(option('records') ?? 60_000);
const seed = Number(option('seed') ?? 1);
const runs = Number(option('runs') ?? 3);
const batch = Number(option('batch') ?? 1000);

const { records } = generateStream({ seed, records: size });
const text = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
const check = parseTxnLines(text);
if (check.errors.length) throw new Error(`the generated stream has ${check.errors.length} bad lines, e.g. line ${check.errors[0]!.line}`);

function measure<T>(fn: () => T): { wallMs: number; cpuMs: number; result: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs: Math.round(wallMs), cpuMs: Math.round((c.user + c.system) / 1000), result };
}
const best = (xs: { wallMs: number; cpuMs: number }[]) => ({ wallMs: Math.min(...xs.map((x) => x.wallMs)), cpuMs: Math.min(...xs.map((x) => x.cpuMs)) });

const baseline: { wallMs: number; cpuMs: number }[] = [];
const full: { wallMs: number; cpuMs: number }[] = [];
const live: { wallMs: number; cpuMs: number }[] = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  baseline.push(measure(() => parseTxnLines(text)));
  const m = measure(() => analyze(parseTxnLines(text).records).map((f) => JSON.stringify(f)));
  findings = m.result.length;
  full.push(m);
  const parsed = parseTxnLines(text).records;
  live.push(
    measure(() => {
      const a = new TxnAnalyzer();
      for (let k = 0; k < parsed.length; k += batch) a.addMany(parsed.slice(k, k + batch));
      return a;
    }),
  );
}

// One record at a time, as a server would feed a record it has just committed (once: it is slow on a busy machine).
const parsedOnce = parseTxnLines(text).records;
const oneByOne = measure(() => {
  const a = new TxnAnalyzer();
  for (const r of parsedOnce) a.add(r);
  return a;
});

let cli: { wallMs: number; findings: number } | undefined;
if (!process.argv.includes('--no-cli')) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'poscare-txn-bench-')), 'stream.jsonl');
  writeFileSync(file, text);
  const bin = path.resolve(import.meta.dirname, '../../../apps/server/bin/poscare.mjs');
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [bin, 'txn', 'analyze', file], { maxBuffer: 1 << 28, encoding: 'utf8' });
  cli = { wallMs: Math.round(performance.now() - t0), findings: out.trim() ? out.trim().split('\n').length : 0 };
}

console.log(
  JSON.stringify(
    {
      command: 'npm run bench:txn',
      measuredAt: new Date().toISOString(),
      machine: { cpus: availableParallelism(), loadAverage1m: Math.round(loadavg()[0]! * 10) / 10, node: process.version },
      records: records.length,
      findings,
      runs,
      baselineParseValidate: best(baseline),
      parseValidateAnalyze: best(full),
      analyzeOnly: { wallMs: best(full).wallMs - best(baseline).wallMs, cpuMs: best(full).cpuMs - best(baseline).cpuMs },
      liveInBatches: { batch, ...best(live) },
      liveOneByOne: { wallMs: oneByOne.wallMs, cpuMs: oneByOne.cpuMs, perRecordMicroseconds: Math.round((oneByOne.cpuMs * 1000) / records.length) },
      ...(cli && { cliEndToEnd: cli }),
    },
    null,
    2,
  ),
);
