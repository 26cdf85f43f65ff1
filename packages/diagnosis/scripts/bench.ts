/**
 * `npm run bench:diagnosis`: time per case in-process for a heavy case — 24 h of five-minute
 * telemetry (288 samples) and 500 transactions — in both languages. Baseline, same run: only
 * validating the same case (the floor any engine pays). Prints JSON.
 */
import { parseCase, diagnose } from '../src/index.js';
import { CAUSE_FIXTURES, healthySample, NOW } from '../src/testing/fixtures.js';
import type { CaseTransaction } from '@poscare/contracts';

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const SAMPLES = 288;
const TXNS = 500;

function heavyCase(i: number) {
  const fx = CAUSE_FIXTURES[i % CAUSE_FIXTURES.length]!;
  const c = fx.build(i % 2 ? 'en-US' : 'zh-CN') as ReturnType<typeof fx.build> & { telemetry: ReturnType<typeof healthySample>[]; transactions: CaseTransaction[] };
  // Keep the fixture's own recent samples and put a day of healthy history in front of them.
  const history = Array.from({ length: SAMPLES }, (_, k) => healthySample(k, SAMPLES + 30));
  c.telemetry = [...history.slice(0, SAMPLES - c.telemetry.length), ...c.telemetry];
  const now = Date.parse(NOW);
  const extra: CaseTransaction[] = Array.from({ length: TXNS - c.transactions.length }, (_, k) => ({
    at: new Date(now - (k + 1) * 170_000).toISOString(),
    entryMode: k % 3 ? 'contactless' : 'chip',
    outcome: k % 41 ? 'approved' : 'declined',
    responseCode: k % 41 ? '00' : '51',
    amountMinor: 1000 + ((k * 37) % 9000),
    currency: 'CNY',
    cardToken: `tok_${k % 180}`,
    tvr: '0000008000',
    tsi: 'E800',
    durationMs: 2000 + (k % 7) * 300,
  }));
  c.transactions = [...extra, ...c.transactions];
  return c;
}

function measure(fn: (c: unknown) => unknown, cases: unknown[]) {
  for (let i = 0; i < 200; i++) fn(cases[i % cases.length]); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = cases[i % cases.length];
    const t0 = performance.now();
    fn(c);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 1000) / 1000;
  return { p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) };
}

const cases = Array.from({ length: CAUSE_FIXTURES.length * 2 }, (_, i) => heavyCase(i));
const baseline = measure((c) => parseCase(c), cases);
const engine = measure((c) => diagnose(c), cases);
const top1 = cases.filter((c, i) => diagnose(c).causes[0]?.code === CAUSE_FIXTURES[i % CAUSE_FIXTURES.length]!.code).length;
console.log(
  JSON.stringify(
    {
      benchmark: 'diagnosis',
      case: { telemetrySamples: SAMPLES, transactions: TXNS, distinctCases: cases.length, runs: RUNS },
      diagnose: engine,
      baselineValidateOnly: baseline,
      target: { p99Ms: 20, met: engine.p99Ms <= 20 },
      sanity: { top1OnHeavyCases: `${top1}/${cases.length}` },
      node: process.version,
    },
    null,
    2,
  ),
);
