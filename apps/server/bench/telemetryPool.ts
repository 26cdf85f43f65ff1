/**
 * What the benchmark's terminals send: telemetry made by the fleet simulator (the same samples a
 * real fleet with a few faults would report), generated once before the clock starts. Each terminal
 * replays its own samples one simulated minute apart, as a terminal catching up after an outage does,
 * so every sample falls in its own minute bucket.
 */
import { createFleet, Simulator, type Fleet } from '@poscare/simulator';

export const BENCH_SEED = 20_261_122;
export const BENCH_START = new Date('2026-11-20T00:00:00Z');

export interface TelemetryPool {
  fleet: Fleet;
  /** Per terminal, `minutes` samples' `data` as JSON text. */
  samples: string[][];
}

export function telemetryPool(terminals: number, minutes: number): TelemetryPool {
  const fleet = createFleet({ seed: BENCH_SEED, terminals, merchants: Math.max(1, Math.ceil(terminals / 40)), sitesPerMerchant: [1, 4], startAt: BENCH_START });
  const sim = new Simulator(fleet);
  const t = fleet.terminals;
  const soon = (min: number) => new Date(BENCH_START.getTime() + min * 60_000);
  // A few faults so that health rules fire and reasons are stored, as in a real fleet.
  if (t.length > 20) {
    sim.inject({ fault: 'hw.printer.paper_out', scope: { kind: 'terminal', terminalId: t[3]!.id }, startAt: soon(5) });
    sim.inject({ fault: 'hw.reader.chip', scope: { kind: 'terminal', terminalId: t[7]!.id }, startAt: soon(10) });
    sim.inject({ fault: 'sec.tamper', scope: { kind: 'terminal', terminalId: t[11]!.id }, startAt: soon(20) });
    sim.inject({ fault: 'hw.battery.degraded', scope: { kind: 'terminal', terminalId: t[17]!.id }, startAt: soon(1) });
  }
  const index = new Map(t.map((x, i) => [x.id, i]));
  const samples: string[][] = t.map(() => []);
  for (const d of sim.step(new Date(BENCH_START.getTime() + minutes * 60_000))) {
    if (d.message.kind === 'telemetry') samples[index.get(d.terminalId)!]!.push(JSON.stringify(d.message.data));
  }
  return { fleet, samples };
}

/** The k-th message of a terminal: sample k (cycling through the pool), stamped k minutes after the start. */
export function telemetryMessage(pool: TelemetryPool, terminal: number, k: number, prefix = 'bench'): string {
  const own = pool.samples[terminal]!;
  const at = new Date(BENCH_START.getTime() + k * 60_000).toISOString();
  return `{"v":1,"msgId":"${prefix}-${terminal}-${k}","at":"${at}","kind":"telemetry","data":${own[k % own.length]}}`;
}
