/**
 * Builders for engine tests: rules parsed through the contract (so defaults apply as in production),
 * samples that say only what a test sets, terminals on sites, and an engine with a clock that only
 * moves when the test moves it.
 */
import { AlertRuleDefinition, type AlertMetric, type AlertRuleInput } from '@poscare/contracts';
import { AlertEngine } from '../engine.js';
import { METRIC_COUNT, metricIndex, type Features, type TxnFeatures } from '../metrics.js';
import type { AlertChange, FlapPolicy, TerminalInfo } from '../state.js';

export const ORG = 'org-1';
export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Tuesday 17 November 2026, 10:00 China time. */
export const T0 = Date.parse('2026-11-17T02:00:00Z');

export function buildRule(overrides: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'condition'>): AlertRuleDefinition {
  return AlertRuleDefinition.parse({
    code: 'test.rule',
    name: { 'zh-CN': '测试', 'en-US': 'Test' },
    severity: 'warning',
    ...overrides,
  });
}

export function buildTerminal(n: number, overrides: Partial<TerminalInfo> = {}): TerminalInfo {
  return {
    id: `t${n}`,
    orgId: ORG,
    serial: `SN${String(n).padStart(4, '0')}`,
    siteId: 'site-a',
    siteLabel: 'Site A',
    merchantId: 'm-1',
    merchantLabel: 'Merchant 1',
    host: 'cup-east',
    appVersion: '3.9.1',
    ...overrides,
  };
}

export interface SampleInput {
  metrics?: Partial<Record<AlertMetric, number | boolean>>;
  chip?: [attempts: number, failures: number];
  contactless?: [attempts: number, failures: number];
  magstripe?: [attempts: number, failures: number];
}

/** A telemetry sample's features: only what is given, every other metric unknown. */
export function sample(input: SampleInput = {}): Features {
  const metrics = new Float64Array(METRIC_COUNT).fill(NaN);
  for (const [k, v] of Object.entries(input.metrics ?? {})) metrics[metricIndex(k as AlertMetric)] = typeof v === 'boolean' ? Number(v) : v!;
  const reads = new Float64Array(6).fill(NaN);
  (['chip', 'contactless', 'magstripe'] as const).forEach((r, i) => {
    const c = input[r];
    if (c) (reads[2 * i] = c[0]), (reads[2 * i + 1] = c[1]);
  });
  return { metrics, reads };
}

export function payment(overrides: Partial<TxnFeatures> = {}): TxnFeatures {
  return { approved: true, hostError: false, terminalError: false, fallback: false, outcome: 'approved', responseCode: '00', cardToken: null, ...overrides };
}

export interface TestEngine {
  engine: AlertEngine;
  /** Every change so far, in order. */
  changes: AlertChange[];
  /** Ticks at `at` and collects what changed. */
  tick(at: number): AlertChange[];
  /** Collects what the last inputs changed (without a tick). */
  take(): AlertChange[];
  fired(rule?: string): AlertChange[];
}

export function testEngine(rules: AlertRuleDefinition[], terminals: TerminalInfo[] = [buildTerminal(1)], flap?: FlapPolicy): TestEngine {
  let n = 0;
  const engine = new AlertEngine({ newId: () => `alert-${++n}`, ...(flap ? { flap } : {}) });
  engine.setRules(ORG, rules.map((definition) => ({ definition, version: 1 })));
  for (const t of terminals) engine.upsertTerminal(t);
  const changes: AlertChange[] = [];
  const take = () => {
    const c = engine.drain();
    changes.push(...c);
    return c;
  };
  return {
    engine,
    changes,
    tick(at) {
      engine.tick(at);
      return take();
    },
    take,
    fired: (rule) => (take(), changes.filter((c) => c.type === 'fired' && (!rule || c.alert.ruleCode === rule))),
  };
}

/** Telemetry every minute from `from` (inclusive) to `to` (exclusive), with a tick after each. */
export function everyMinute(t: TestEngine, terminalIds: string[], from: number, to: number, f: (at: number, terminalId: string) => Features | null): void {
  for (let at = from; at < to; at += MIN) {
    for (const id of terminalIds) {
      const s = f(at, id);
      if (s) t.engine.observeTelemetry(id, at, s);
    }
    t.tick(at + MIN - 1);
  }
}
