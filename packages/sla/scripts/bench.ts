/**
 * Micro benchmark of the business-time walk: `npm run bench -w @poscare/sla`.
 * Prints JSON; the figures quoted in docs/sla.md come from here.
 */
import { addBusinessMinutes, businessMinutesBetween, DEFAULT_CALENDARS, DEFAULT_POLICY, evaluateSla, type SlaEvent } from '../src/index.js';

const calendar = DEFAULT_CALENDARS['cn-business']!;
const N = Number(process.env.N ?? 1_000_000);
const from = Date.parse('2025-01-01T00:00:00+08:00');
const span = Date.parse('2026-12-01T00:00:00+08:00') - from;

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const starts = Float64Array.from({ length: N }, () => from + Math.floor(rnd() * span));
const budgets = Float64Array.from({ length: N }, () => 1 + Math.floor(rnd() * 10 * 540));
const ends = Float64Array.from({ length: N }, (_, i) => starts[i]! + Math.floor(rnd() * 60 * 86_400_000));

function time(label: string, n: number, f: () => number) {
  const t0 = performance.now();
  const sink = f();
  const ms = performance.now() - t0;
  return { label, calls: n, ms: Math.round(ms), nsPerCall: Math.round((ms * 1e6) / n), sink };
}

const results = [
  time('addBusinessMinutes (budgets up to 10 business days)', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += addBusinessMinutes(calendar, starts[i]!, budgets[i]!) % 7;
    return s;
  }),
  time('businessMinutesBetween (spans up to 60 days)', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += businessMinutesBetween(calendar, starts[i]!, ends[i]!);
    return s;
  }),
];

const opened = Date.parse('2026-03-02T09:00:00+08:00');
const events: SlaEvent[] = [
  { at: opened, type: 'opened', priority: 'p3', tier: 'standard', assignee: 'alice' },
  { at: opened + 3_600_000, type: 'first_response' },
  { at: opened + 5 * 3_600_000, type: 'status', status: 'waiting_merchant' },
  { at: opened + 26 * 3_600_000, type: 'status', status: 'in_progress' },
  { at: opened + 27 * 3_600_000, type: 'reassigned', assignee: 'bob' },
  { at: opened + 50 * 3_600_000, type: 'agent_update' },
];
const M = Math.max(1, Math.floor(N / 20));
results.push(
  time('evaluateSla (6 events, p3, business hours)', M, () => {
    let s = 0;
    for (let i = 0; i < M; i++) s += evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, opened + 4 * 86_400_000 + i).escalations.length;
    return s;
  }),
);
console.log(JSON.stringify({ node: process.version, results }, null, 2));
