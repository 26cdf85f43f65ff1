/**
 * The benchmark's terminals, in a process of their own (so their memory is not counted as the
 * server's): one lean MQTT connection per terminal, each keeping `window` QoS 1 publishes in flight
 * for `warmup` + `seconds`. A record counts when its PUBACK arrives, which the server sends only after
 * commit; the figures are those of the messages sent after the warm-up.
 * Started by ingest.bench.ts through fork(); answers with one message.
 */
import { topicFor } from '@poscare/contracts';
import { connectLean, type LeanPublisher } from './leanMqtt.js';
import { telemetryMessage, telemetryPool } from './telemetryPool.js';

export interface LoadConfig {
  port: number;
  orgId: string;
  secret: string;
  terminals: number;
  poolMinutes: number;
  seconds: number;
  /** Seconds of load before measuring starts (JIT warm-up, the decode thread starting). */
  warmup: number;
  window: number;
}

export interface LoadResult {
  sent: number;
  acked: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Acknowledged records per whole second of the run, to show whether the rate held. */
  perSecond: number[];
  /** Per terminal, the highest sample index acknowledged (its newest `at`), for the live-state check. */
  newest: number[];
  unacked: number;
  /** Acknowledged during the warm-up (not in the figures). */
  warmupAcked: number;
  /** CPU time the simulated terminals used during the run. */
  cpuSeconds: number;
}

/** Latency histogram: 0.1 ms buckets up to 60 s. */
const BUCKET_MS = 0.1;
const hist = new Uint32Array(600_000);

function percentile(total: number, q: number): number {
  const want = Math.ceil(total * q);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= want) return +(i * BUCKET_MS).toFixed(1);
  }
  return Infinity;
}

async function run(cfg: LoadConfig): Promise<LoadResult> {
  const pool = telemetryPool(cfg.terminals, cfg.poolMinutes);
  const ids = pool.fleet.terminals.map((t) => t.id);
  const conns: LeanPublisher[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    conns.push(...(await Promise.all(ids.slice(i, i + 50).map((id) => connectLean({ port: cfg.port, clientId: id, username: id, password: cfg.secret })))));
  }
  const topics = ids.map((id) => Buffer.from(topicFor(cfg.orgId, id, 'telemetry')));
  const next = new Array<number>(ids.length).fill(0);
  const newest = new Array<number>(ids.length).fill(-1);
  const perSecond: number[] = [];
  let sent = 0;
  let acked = 0;
  let maxMs = 0;
  let stopping = false;
  const t0 = performance.now();
  let lastAck = t0;
  let drained: () => void = () => undefined;
  const allDrained = new Promise<void>((r) => (drained = r));

  // Only messages sent after the warm-up are measured.
  let measuring = false;
  let measuredFrom = t0;
  let warmupAcked = 0;
  const send = (c: number) => {
    const k = next[c]!++;
    const at = performance.now();
    const measured = measuring;
    sent++;
    conns[c]!.publish(topics[c]!, telemetryMessage(pool, c, k), () => {
      const now = performance.now();
      if (k > newest[c]!) newest[c] = k;
      if (!measured) warmupAcked++;
      else {
        const ms = now - at;
        hist[Math.min(hist.length - 1, Math.floor(ms / BUCKET_MS))]!++;
        if (ms > maxMs) maxMs = ms;
        acked++;
        lastAck = now;
        const s = Math.floor((now - measuredFrom) / 1000);
        perSecond[s] = (perSecond[s] ?? 0) + 1;
      }
      if (!stopping) {
        send(c);
        flushSoon(c);
      } else if (acked + warmupAcked === sent) drained();
    });
  };
  // PUBACKs arrive in bursts; the publishes they release go out in one write per connection.
  const dirty = new Set<number>();
  let scheduled = false;
  const flushSoon = (c: number) => {
    dirty.add(c);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (const d of dirty) conns[d]!.flush();
      dirty.clear();
    });
  };

  for (let c = 0; c < conns.length; c++) {
    for (let w = 0; w < cfg.window; w++) send(c);
    conns[c]!.flush();
  }
  await new Promise((r) => setTimeout(r, cfg.warmup * 1000));
  measuring = true;
  measuredFrom = performance.now();
  process.send!({ measuring: true });
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
  stopping = true;
  if (acked + warmupAcked < sent) await Promise.race([allDrained, new Promise((r) => setTimeout(r, 60_000))]);
  const seconds = (lastAck - measuredFrom) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const c of conns) c.close();
  return {
    sent,
    acked,
    seconds: +seconds.toFixed(2),
    p50: percentile(acked, 0.5),
    p90: percentile(acked, 0.9),
    p99: percentile(acked, 0.99),
    max: +maxMs.toFixed(1),
    perSecond: perSecond.slice(0, Math.floor(seconds)),
    newest,
    unacked: sent - acked - warmupAcked,
    warmupAcked,
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
  };
}

process.once('message', (cfg: LoadConfig) => {
  run(cfg).then(
    (r) => process.send!({ ok: true, result: r }, () => process.exit(0)),
    (err: unknown) => process.send!({ ok: false, error: String((err as Error).stack ?? err) }, () => process.exit(1)),
  );
});
