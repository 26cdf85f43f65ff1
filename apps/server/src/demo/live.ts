/**
 * The living demo fleet of `poscare start --demo`: the simulator's terminals send what real ones would
 * (telemetry every minute, events, transactions, a handful of injected faults), through the same ingest
 * pipeline as MQTT and HTTPS messages, so every view of PosCare has something real to show.
 */
import type { DeviceCommand } from '@poscare/contracts';
import { createFleet, Simulator, type Fleet } from '@poscare/simulator';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import type { PaymentFeed } from '../payments/feed.js';
import { startDemoPayments, type DemoPayments } from './payments.js';

export const DEMO_SEED = 20_260_301;
const BACKFILL_STEP_MS = 10 * 60_000;

export function demoFleet(now: Date, terminals = 300): Fleet {
  return createFleet({ seed: DEMO_SEED, terminals, merchants: 8, sitesPerMerchant: [2, 5], startAt: new Date(now.getTime() - 2 * 3_600_000) });
}

/** Faults chosen so that the demo shows a terminal, a site, a fleet segment and a card problem. */
function injectDemoFaults(sim: Simulator, fleet: Fleet, now: Date) {
  const t = fleet.terminals;
  const soon = (min: number) => new Date(now.getTime() + min * 60_000);
  const ago = (min: number) => new Date(now.getTime() - min * 60_000);
  sim.inject({ fault: 'hw.printer.paper_out', scope: { kind: 'terminal', terminalId: t[3]!.id }, startAt: ago(60) });
  sim.inject({ fault: 'hw.reader.chip', scope: { kind: 'terminal', terminalId: t[7]!.id }, startAt: ago(90) });
  sim.inject({ fault: 'net.signal.weak', scope: { kind: 'terminal', terminalId: t.find((x) => x.networkType === 'cellular')!.id }, startAt: ago(45) });
  sim.inject({ fault: 'sec.tamper', scope: { kind: 'terminal', terminalId: t[11]!.id }, startAt: ago(20) });
  sim.inject({ fault: 'net.site.outage', scope: { kind: 'site', siteId: fleet.sites[2]!.id }, startAt: soon(5), endAt: soon(35) });
  sim.inject({ fault: 'hw.battery.degraded', scope: { kind: 'terminal', terminalId: t[17]!.id }, startAt: ago(100) });
  sim.inject({ fault: 'ext.card.expired', scope: { kind: 'card' }, startAt: ago(30) });
}

export interface LiveDemo {
  stop(): void;
  /** The demo terminals take remote commands and acknowledge them, as real ones do. */
  terminals: { has(terminalId: string): boolean; deliver(terminalId: string, command: DeviceCommand): void };
  /** An engineer repaired this terminal on site: its own faults end, so its signals show the fix as a real one's would. */
  repair(terminalId: string): string[];
}

export async function startLiveDemo(opts: {
  fleet: Fleet;
  orgId: string;
  pipeline: IngestPipeline;
  clock: Clock;
  log: Logger;
  tickMs?: number;
  /** The host's side of the demo payments and the staged payment patterns (demo/payments.ts). */
  payments?: { db: Database; feed: PaymentFeed };
  /** Where the demo terminals' log bundles go (upload_logs), as real terminals post them over HTTPS. */
  logs?: { receive(identity: { orgId: string; terminalId: string }, commandId: string, file: { filename: string; mimetype: string; bytes: Buffer }): Promise<unknown> };
}): Promise<LiveDemo> {
  const { fleet, orgId, pipeline, clock, log } = opts;
  // Listening before the history loads, so the history's payments have their host side too.
  const payments: DemoPayments | null = opts.payments ? startDemoPayments({ ...opts.payments, pipeline, fleet, orgId, clock, log }) : null;
  const sim = new Simulator(fleet, { startAt: fleet.startAt });
  injectDemoFaults(sim, fleet, clock.now());
  const submitUntil = async (until: Date) => {
    const deliveries = sim.step(until);
    await Promise.all(deliveries.map((d) => pipeline.submit({ channel: 'simulator', orgId, terminalId: d.terminalId }, d.message)));
    for (const u of sim.takeUploads()) {
      await opts.logs
        ?.receive({ orgId, terminalId: u.terminalId }, u.commandId, { filename: u.filename, mimetype: 'text/plain', bytes: Buffer.from(u.content) })
        .catch((err: unknown) => log.warn({ err, terminalId: u.terminalId }, 'demo log bundle not stored'));
    }
    return deliveries.length;
  };
  // Two hours of history first, so charts are not empty; then keep up with the clock. The history is
  // made ten simulated minutes at a time, giving the event loop back in between, so the console and the
  // API answer while it loads.
  let backfilled = 0;
  for (let at = fleet.startAt.getTime() + BACKFILL_STEP_MS; ; at += BACKFILL_STEP_MS) {
    const until = new Date(Math.min(at, clock.now().getTime()));
    backfilled += await submitUntil(until);
    await new Promise((r) => setImmediate(r));
    if (until.getTime() >= clock.now().getTime()) break;
  }
  log.info({ messages: backfilled }, 'demo fleet history loaded');
  await payments?.startStaging().catch((err: unknown) => log.warn({ err }, 'staging the demo payment patterns failed'));
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    submitUntil(clock.now())
      .catch((err: unknown) => log.warn({ err }, 'demo fleet step failed'))
      .finally(() => (busy = false));
  }, opts.tickMs ?? 10_000);
  timer.unref();
  const ids = new Set(fleet.terminals.map((t) => t.id));
  return {
    stop: () => {
      clearInterval(timer);
      void payments?.stop();
    },
    terminals: { has: (id) => ids.has(id), deliver: (id, cmd) => sim.command(id, cmd) },
    repair: (id) => {
      if (!ids.has(id)) return [];
      const ended = sim.repair(id, clock.now());
      if (ended.length) log.info({ terminalId: id, faults: ended }, 'demo terminal repaired on site');
      return ended;
    },
  };
}
