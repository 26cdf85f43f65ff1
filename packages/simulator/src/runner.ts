/**
 * Drives a simulated fleet against a real PosCare server: one TerminalClient per terminal (its own
 * credential, its own MQTT session or HTTPS bearer), fed by the in-process Simulator. One loop with one
 * timer serves the whole fleet — clients never flush by themselves — so a single process can run
 * thousands of terminals; connections and flushes run with bounded concurrency.
 */
import { TerminalClient, type TerminalClientOptions } from '@poscare/terminal-sdk';
import type { Fleet } from './fleet.js';
import type { FaultInjection } from './faults/types.js';
import { Simulator } from './simulator.js';

export interface TerminalCredential {
  orgId: string;
  secret: string;
  /** The server's id for the terminal, when it is not the fleet's own id (e.g. enrolled by serial number). */
  terminalId?: string;
}

export interface RunFleetOptions {
  fleet: Fleet;
  transport: 'mqtt' | 'https';
  /** `mqtt://host:port` or the server's base URL (`https://host`). */
  url: string;
  /** By fleet terminal id or serial number. Terminals without a credential are left out (see `skipped`). */
  credentials: ReadonlyMap<string, TerminalCredential>;
  /** Simulated seconds per real second: 1 is real time, 60 is a simulated hour per real minute. */
  speed?: number;
  /** How long to run, in real time. */
  durationMs: number;
  onProgress?: (p: RunProgress) => void;
  progressIntervalMs?: number;
  /** How often the loop advances the simulation and sends. */
  tickMs?: number;
  /** Connections and flushes in flight at once. */
  concurrency?: number;
  /** A simulator of your own (with faults injected, or resumed); by default a fresh one for `fleet`. */
  simulator?: Simulator;
  faults?: readonly FaultInjection[];
  signal?: AbortSignal;
  /** Extra client options (retry policy, MQTT settings, outbox size). */
  client?: Partial<Pick<TerminalClientOptions, 'retry' | 'mqtt' | 'queueLimit' | 'fetch'>>;
}

export interface RunProgress {
  elapsedMs: number;
  simulatedTime: Date;
  terminals: number;
  skipped: number;
  connected: number;
  /** Messages the simulated terminals produced (those with a credential). */
  generated: number;
  /** Messages the server took. */
  sent: number;
  queued: number;
  dropped: number;
  rejected: number;
  errors: number;
  /** Messages sent per real second over the last progress interval. */
  ratePerSecond: number;
  /**
   * How far, in simulated ms, the simulation is behind where `speed` says it should be. The simulator
   * moves a whole minute at a time, so up to 60,000 is normal; more means this machine cannot keep up,
   * and the run will take longer than `durationMs` to cover its simulated span.
   */
  lagMs: number;
  lastError: string | null;
  done: boolean;
}

export async function runFleet(opts: RunFleetOptions): Promise<RunProgress> {
  const speed = opts.speed ?? 1;
  const tickMs = opts.tickMs ?? 250;
  const progressEvery = opts.progressIntervalMs ?? 1_000;
  const concurrency = opts.concurrency ?? 64;
  const sim = opts.simulator ?? new Simulator(opts.fleet);
  for (const f of opts.faults ?? []) sim.inject(f);

  const clients = new Map<string, TerminalClient>();
  let skipped = 0;
  let errors = 0;
  let generated = 0;
  let lastError: string | null = null;
  const fail = (err: unknown) => {
    errors++;
    lastError = err instanceof Error ? err.message : String(err);
  };
  for (const t of opts.fleet.terminals) {
    const cred = opts.credentials.get(t.id) ?? opts.credentials.get(t.serialNumber);
    if (!cred) {
      skipped++;
      continue;
    }
    const client = new TerminalClient({
      ...opts.client,
      orgId: cred.orgId,
      terminalId: cred.terminalId ?? t.id,
      secret: cred.secret,
      transport: opts.transport,
      ...(opts.transport === 'mqtt' ? { mqttUrl: opts.url } : { httpBaseUrl: opts.url }),
      autoFlush: false,
    });
    client.onError(fail);
    // The client has acknowledged receipt; the simulated terminal carries the command out and reports the result.
    client.onCommand((cmd) => sim.command(t.id, cmd));
    clients.set(t.id, client);
  }

  const realStart = Date.now();
  const simStart = sim.now.getTime();
  const all = [...clients.values()];
  const totals = () => {
    const sum = { sent: 0, queued: 0, dropped: 0, rejected: 0, connected: 0 };
    for (const c of all) {
      const s = c.stats;
      sum.sent += s.sent;
      sum.queued += s.queued;
      sum.dropped += s.dropped;
      sum.rejected += s.rejected + s.failed;
      if (c.state === 'online') sum.connected++;
    }
    return sum;
  };
  let lastReport = { at: realStart, sent: 0 };
  const report = (done: boolean) => {
    const now = Date.now();
    const t = totals();
    const p: RunProgress = {
      elapsedMs: now - realStart,
      simulatedTime: sim.now,
      terminals: clients.size,
      skipped,
      ...t,
      generated,
      errors,
      ratePerSecond: now > lastReport.at ? Math.round(((t.sent - lastReport.sent) * 1000) / (now - lastReport.at)) : 0,
      lagMs: Math.max(0, simStart + Math.min(now - realStart, opts.durationMs) * speed - sim.now.getTime()),
      lastError,
      done,
    };
    lastReport = { at: now, sent: t.sent };
    opts.onProgress?.(p);
    return p;
  };

  await forEachLimit(all, concurrency, (c) => c.connect().catch(fail));

  const dirty = new Set<TerminalClient>();
  const advance = (untilMs: number) => {
    sim.stepInto(
      new Date(untilMs),
      (d) => {
        const client = clients.get(d.terminalId);
        if (!client) return;
        generated++;
        try {
          client.send(d.message.kind, d.message.data, new Date(d.message.at));
          dirty.add(client);
        } catch (err) {
          fail(err);
        }
      },
      { ackReceived: false },
    );
  };
  const flushDirty = async () => {
    const batch = [...dirty];
    dirty.clear();
    await forEachLimit(batch, concurrency, (c) => c.flush().then(() => undefined, fail));
  };

  let nextReport = realStart + progressEvery;
  while (!opts.signal?.aborted) {
    const elapsed = Math.min(Date.now() - realStart, opts.durationMs);
    advance(simStart + elapsed * speed);
    await flushDirty();
    if (Date.now() >= nextReport) {
      report(false);
      nextReport = Date.now() + progressEvery;
    }
    if (elapsed >= opts.durationMs) break;
    await new Promise((r) => setTimeout(r, Math.min(tickMs, opts.durationMs - elapsed)));
  }
  await forEachLimit(all, concurrency, (c) => c.flush().then(() => undefined, fail));
  const final = report(true);
  await forEachLimit(all, concurrency, (c) => c.close({ flush: false }).catch(fail));
  return final;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
