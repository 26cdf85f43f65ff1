/**
 * Payments in the live demo (issue 15): the acquirer host's side of every demo payment, and now and then
 * the patterns of shared/contracts/txn-findings.json with their look-alikes, so the transactions
 * explorer, the reconciliation, the findings inbox and the risk cases all have something real to show.
 *
 * The host side follows the terminals: every payment line the demo terminals commit comes back from the
 * payment feed and gets its host record a moment later — mostly the same, with the gaps and mismatches a
 * real acquirer's log has (a line the host never got, an amount that differs, a timed-out sale the host
 * approved after all, a sale only the host knows). Decisions are a hash of the line's id, so a restart
 * gives the same host side for the same lines. Host records are written in batches by COPY and published
 * to the payment feed like imported ones.
 *
 * Staged patterns go through the ingest pipeline as the demo terminals' own typed payment lines; their host
 * records are planned with them (a timed-out sale the host approved, a refund with no sale behind it…).
 */
import { randomUUID } from 'node:crypto';
import type { Fleet, FleetTerminal } from '@poscare/simulator';
import type { Logger } from 'pino';
import type { TxnRecord } from '@poscare/contracts';
import type { Database } from '../db/client.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Clock } from '../platform/clock.js';
import type { PaymentFeed } from '../payments/feed.js';
import { hostPartitions, insertHostRecords, rowTimes } from '../payments/hostStore.js';
import { hostTxnRecord } from '../payments/records.js';

const MIN = 60_000;

/** What the host made of one terminal line. */
export type HostPlan =
  | { kind: 'same' }
  | { kind: 'none' }
  | { kind: 'approved' }
  | { kind: 'amount'; amountMinor: number }
  | { kind: 'extra' };

/** A number in [0, 1) from a string: the demo host's dice, the same for the same line on every start. */
export function unit(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * The everyday host side of a terminal line: approved lines nearly always match; now and then the host
 * never got the line, books another amount, or holds a sale the terminal never reported; a sale the
 * terminal saw time out was sometimes approved by the host (the customer was charged); declines match.
 */
export function everydayPlan(r: TxnRecord): HostPlan {
  const x = unit(r.id);
  if (r.outcome === 'approved') {
    if (x < 0.008) return { kind: 'none' };
    if (x < 0.012) return { kind: 'amount', amountMinor: r.amountMinor + 100 * (1 + Math.floor(unit(`${r.id}#a`) * 9)) };
    if (x < 0.016) return { kind: 'extra' };
    return { kind: 'same' };
  }
  if (r.outcome === 'timeout' || r.outcome === 'error') return x < 0.03 ? { kind: 'approved' } : { kind: 'none' };
  if (r.outcome === 'declined') return { kind: 'same' };
  return { kind: 'none' };
}

interface DemoPaymentsOptions {
  db: Database;
  feed: PaymentFeed;
  pipeline: IngestPipeline;
  fleet: Fleet;
  orgId: string;
  clock: Clock;
  log: Logger;
  /** How often staged patterns come (default every 15 minutes). */
  stageEveryMs?: number;
}

export interface DemoPayments {
  /** Stages the opening patterns (a double submit at the demo merchant, a card-testing burst) and starts the rotation. */
  startStaging(): Promise<void>;
  /** Writes what waits and stops. */
  stop(): Promise<void>;
  /** Host records written so far. */
  readonly written: number;
}

export function startDemoPayments(o: DemoPaymentsOptions): DemoPayments {
  const { db, feed, pipeline, fleet, orgId, clock, log } = o;
  const plans = new Map<string, HostPlan>();
  let pending: unknown[][] = [];
  let written = 0;
  let flushing: Promise<void> | null = null;
  let stopped = false;

  const hostRow = (r: TxnRecord, over: Partial<TxnRecord> & { id: string }): unknown[] => {
    const at = new Date(Date.parse(r.at) + 1_000 + Math.floor(unit(`${r.id}#t`) * 2_000)).toISOString();
    const v = { ...r, ...over };
    return [orgId, over.id, at, clock.now(), r.terminalId, r.merchantId, v.type, v.amountMinor, v.currency, v.entryMode, v.cardToken ?? null, v.stan, v.rrn ?? null,
      v.authCode ?? null, v.outcome, v.responseCode ?? null, v.originalStan ?? null, v.originalRrn ?? null, null, 'demo', null];
  };

  const unsubscribe = feed.subscribe((org, records) => {
    if (org !== orgId || stopped) return;
    for (const r of records) {
      if (r.source !== 'terminal') continue;
      const plan = plans.get(r.id) ?? everydayPlan(r);
      plans.delete(r.id);
      const id = `demo:${r.id}`;
      switch (plan.kind) {
        case 'none':
          break;
        case 'same':
          pending.push(hostRow(r, { id }));
          break;
        case 'approved':
          pending.push(hostRow(r, { id, outcome: 'approved', responseCode: '00', authCode: r.authCode ?? r.stan }));
          break;
        case 'amount':
          pending.push(hostRow(r, { id, amountMinor: plan.amountMinor }));
          break;
        case 'extra': {
          pending.push(hostRow(r, { id }));
          // A sale only the host knows: another STAN, a minute later.
          const stan = String(((Number(r.stan) + 500_000) % 999_999) + 1).padStart(6, '0');
          pending.push(hostRow({ ...r, at: new Date(Date.parse(r.at) + MIN).toISOString() }, { id: `${id}#extra`, stan, rrn: undefined }));
          break;
        }
      }
    }
  });

  const partitions = hostPartitions(db, () => 400);
  async function flush(): Promise<void> {
    while (pending.length) {
      const batch = pending.splice(0, 5_000);
      await partitions.ensure(rowTimes(batch), clock.now().getTime());
      const stored = await db.rawTransaction((tx) => insertHostRecords(tx, batch));
      written += stored.length;
      const recs: TxnRecord[] = [];
      for (const s of stored) {
        const rec = hostTxnRecord(s);
        if (rec) recs.push(rec);
      }
      feed.publish(orgId, recs, (err) => log.error({ err }, 'a payment feed listener failed'));
    }
  }
  const flushSoon = () => {
    if (flushing || !pending.length) return;
    flushing = flush()
      .catch((err: unknown) => log.warn({ err }, 'demo host records could not be written'))
      .finally(() => (flushing = null));
  };
  const flushTimer = setInterval(flushSoon, 2_000);
  flushTimer.unref();

  // ---- staged patterns ----
  const merchantTerminals = (i: number) => fleet.terminals.filter((t) => t.merchantId === fleet.merchants[i % fleet.merchants.length]!.id);
  let stanSeq = 990_000 + Math.floor(unit(String(clock.now().getTime())) * 5_000);
  let stageNo = 0;
  const nextStan = () => String(stanSeq++ > 999_999 ? (stanSeq = 990_001) : stanSeq).padStart(6, '0');

  interface Line {
    terminal: FleetTerminal;
    atMs: number;
    data: Record<string, unknown>;
    host?: HostPlan;
  }
  async function send(lines: Line[]): Promise<void> {
    for (const l of lines) {
      const msgId = `demo-pay-${randomUUID()}`;
      if (l.host) plans.set(`${l.terminal.id}/${msgId}`, l.host);
      const message = { v: 1, msgId, at: new Date(l.atMs).toISOString(), kind: 'txn', data: { currency: '156', ...l.data } };
      const outcome = await pipeline.submit({ channel: 'simulator', orgId, terminalId: l.terminal.id }, message);
      if (outcome.status === 'rejected') log.warn({ outcome }, 'a staged demo payment was refused');
    }
  }
  const token = (kind: string) => `tok_demo_${kind}_${(stageNo * 1000 + Math.floor(unit(`${kind}${stageNo}${clock.now().getTime()}`) * 1000)).toString(36)}`;
  const sale = (stan: string, amountMinor: number, outcome: string, cardToken: string, extra: Record<string, unknown> = {}) => ({
    type: 'sale', stan, amountMinor, entryMode: 'chip', outcome, cardToken,
    ...(outcome === 'approved' ? { responseCode: '00', authCode: `A${stan.slice(-5)}`, rrn: `6${stan}00000`.slice(0, 12) } : outcome === 'declined' ? { responseCode: '05' } : {}),
    ...extra,
  });

  /** Two approved sales, same card and amount, a minute apart, at the demo merchant's terminal (merchant@demo.poscare). */
  function doubleSubmit(now: number): Line[] {
    const t = merchantTerminals(0)[0]!;
    const card = token('dup');
    const amount = 8_800 + 100 * (stageNo % 7);
    return [
      { terminal: t, atMs: now - 3 * MIN, data: sale(nextStan(), amount, 'approved', card) },
      { terminal: t, atMs: now - 2 * MIN, data: sale(nextStan(), amount, 'approved', card) },
      // Look-alike: the same card and amount again, but 40 minutes apart: a returning customer, not a double charge.
      { terminal: merchantTerminals(0)[1] ?? t, atMs: now - 50 * MIN, data: sale(nextStan(), 3_200, 'approved', `${card}_regular`) },
      { terminal: merchantTerminals(0)[1] ?? t, atMs: now - 10 * MIN, data: sale(nextStan(), 3_200, 'approved', `${card}_regular`) },
    ];
  }
  /** At one merchant, 12 small attempts by 10 cards within minutes, most declined. */
  function cardTesting(now: number): Line[] {
    const ts = merchantTerminals(1);
    const out: Line[] = [];
    for (let i = 0; i < 12; i++) {
      const ok = i % 4 === 0;
      out.push({ terminal: ts[i % ts.length]!, atMs: now - 8 * MIN + i * 30_000, data: sale(nextStan(), 100 + ((i * 73) % 8) * 100, ok ? 'approved' : 'declined', token(`test${i % 10}`), { entryMode: 'contactless', ...(ok ? {} : { responseCode: ['05', '14', '51', '54'][i % 4] }) }) });
    }
    // Look-alike: a busy café minute — small sales by 5 regular cards, all approved.
    const cafe = merchantTerminals(2);
    for (let i = 0; i < 10; i++) out.push({ terminal: cafe[i % cafe.length]!, atMs: now - 7 * MIN + i * 20_000, data: sale(nextStan(), 300 + (i % 5) * 100, 'approved', token(`cafe${i % 5}`), { entryMode: 'qr' }) });
    return out;
  }
  /** The terminal gave up, the host approved; the clerk tried again and the retry went through. */
  function timeoutRetry(now: number): Line[] {
    const t = merchantTerminals(0)[0]!;
    const card = token('retry');
    return [
      { terminal: t, atMs: now - 4 * MIN, data: sale(nextStan(), 15_800, 'timeout', card), host: { kind: 'approved' } },
      { terminal: t, atMs: now - 3 * MIN, data: sale(nextStan(), 15_800, 'approved', card) },
    ];
  }
  /** The terminal gave up and nobody retried, but the host approved: charged, while the shop thinks it failed. */
  function missingReversal(now: number): Line[] {
    const t = merchantTerminals(3)[0]!;
    return [
      { terminal: t, atMs: now - 5 * MIN, data: sale(nextStan(), 26_600, 'timeout', token('lost')), host: { kind: 'approved' } },
      // Look-alike: a timeout the terminal reversed itself.
      ...(() => {
        const s = nextStan();
        return [
          { terminal: t, atMs: now - 4 * MIN, data: sale(s, 12_000, 'timeout', token('rev')), host: { kind: 'approved' } as HostPlan },
          { terminal: t, atMs: now - 4 * MIN + 30_000, data: { type: 'reversal', stan: nextStan(), originalStan: s, amountMinor: 12_000, entryMode: 'chip', outcome: 'approved', responseCode: '00', cardToken: token('rev') } },
        ];
      })(),
    ];
  }
  /** A refund to a card that never bought anything here. */
  function refundAbuse(now: number): Line[] {
    const t = merchantTerminals(4)[0]!;
    return [{ terminal: t, atMs: now - 2 * MIN, data: { type: 'refund', stan: nextStan(), amountMinor: 68_000, entryMode: 'manual', outcome: 'approved', responseCode: '00', cardToken: token('refund'), originalRrn: '600000000000' } }];
  }
  /** One card, three sales just under the single-sale limit, minutes apart. */
  function splitSale(now: number): Line[] {
    const t = merchantTerminals(5)[0]!;
    const card = token('split');
    return [0, 1, 2].map((i) => ({ terminal: t, atMs: now - (9 - i * 3) * MIN, data: sale(nextStan(), 480_000 - i * 3_000, 'approved', card) }));
  }
  /** Cards swiped at a terminal whose chip reader works: chip skipped on purpose. */
  function fallbackAbuse(now: number): Line[] {
    const t = merchantTerminals(6)[0]!;
    return [0, 1, 2, 3].map((i) => ({ terminal: t, atMs: now - (12 - i * 3) * MIN, data: sale(nextStan(), 20_000 + i * 1_500, 'approved', token(`fb${i}`), { entryMode: 'fallback' }) }));
  }
  /** One card at three merchants within the hour, large amounts. */
  function cardVelocity(now: number): Line[] {
    const card = token('velo');
    return [0, 1, 2, 3, 4].map((i) => ({ terminal: merchantTerminals(i + 1)[0]!, atMs: now - (25 - i * 5) * MIN, data: sale(nextStan(), 120_000 + i * 10_000, i === 2 ? 'declined' : 'approved', card) }));
  }

  /**
   * Off-hours: a sale in a clock hour a merchant never trades in, far above its usual amount. It needs a week of
   * the merchant's records, so a shop's daytime week (four sales a day, 10:00–19:00 local) is staged behind it,
   * and the sale comes at 03:20 local on the last night at least three hours back (before the fleet's own
   * history begins). Look-alike: a hotel with the same days that also sells at 03:00 every night — its big
   * night sale is not off-hours.
   */
  function offHours(now: number): Line[] {
    const H = 3_600_000;
    const DAY = 24 * H;
    const TZ = 8 * H; // the off-hours definition's local time, UTC+8
    let night = Math.floor((now - 3 * H + TZ) / DAY) * DAY - TZ + 3 * H; // 03:00 local
    if (night > now - 3 * H) night -= DAY;
    const out: Line[] = [];
    const week = (t: FleetTerminal, kind: string, nights: boolean) => {
      for (let d = 8; d >= 1; d--) {
        const day = night - d * DAY;
        [10, 13, 16, 19].forEach((hour, i) => out.push({ terminal: t, atMs: day + (hour - 3) * H + i * 7 * MIN, data: sale(nextStan(), 3_000 + ((d * 4 + i) % 5) * 500, 'approved', token(`${kind}${d}${i}`)) }));
        if (nights) out.push({ terminal: t, atMs: day + 15 * MIN, data: sale(nextStan(), 4_000, 'approved', token(`${kind}n${d}`)) });
      }
      out.push({ terminal: t, atMs: night + 20 * MIN, data: sale(nextStan(), 38_800, 'approved', token(`${kind}late`)) });
    };
    week(merchantTerminals(7)[0]!, 'off', false);
    week(merchantTerminals(8)[0]!, 'hotel', true);
    return out;
  }

  const ROTATION = [timeoutRetry, cardTesting, missingReversal, doubleSubmit, refundAbuse, splitSale, fallbackAbuse, cardVelocity];
  let rotation: NodeJS.Timeout | null = null;

  return {
    get written() {
      return written;
    },
    async startStaging() {
      const now = clock.now().getTime();
      await send(doubleSubmit(now));
      // A sale the terminal saw time out while the host approved it, retried: the explorer's "outcome
      // differs" and a timeout-then-retry finding are there from the first minute, not left to chance.
      await send(timeoutRetry(now));
      await send(cardTesting(now));
      await send(offHours(now));
      stageNo++;
      let i = 0;
      rotation = setInterval(() => {
        if (stopped) return;
        const f = ROTATION[i++ % ROTATION.length]!;
        stageNo++;
        send(f(clock.now().getTime())).catch((err: unknown) => log.warn({ err }, 'a staged demo payment pattern failed'));
      }, o.stageEveryMs ?? 15 * MIN);
      rotation.unref();
    },
    async stop() {
      stopped = true;
      if (rotation) clearInterval(rotation);
      clearInterval(flushTimer);
      unsubscribe();
      await flushing;
      await flush().catch(() => undefined);
    },
  };
}
