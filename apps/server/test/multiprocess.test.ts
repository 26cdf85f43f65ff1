/**
 * Three processes, one PostgreSQL, one external MQTT broker (docs/operations.md, "Alert partitions"):
 * two `ingest,worker` processes and one `api` process, each a real `poscare start`. Terminals of 16
 * organizations (one in each alert partition) report over MQTT and over HTTPS (through the api process,
 * which evaluates nothing and hands every record off); each terminal shows a fault. One ingest+worker is
 * killed with kill -9 mid-run, and later started again as a supervisor would.
 *
 * What a person would check: every fault raised exactly one alert (none twice after the takeover,
 * none missing for faults that began after the kill), and every message the broker or the api
 * acknowledged is stored once. Needs the PostgreSQL server and the MQTT broker that CI provides.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topicFor } from '@poscare/contracts';
import { ALERT_PARTITIONS, partitionOf } from '../src/alerts/partitions.js';
import { dbKind, TEST_PG_URL, testDatabase } from './harness.js';
import { telemetry } from './device.js';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const up = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
const pgUrl = new URL(TEST_PG_URL);
const mqttUrl = new URL(MQTT_URL);
const ready = dbKind === 'postgres' && (await up(pgUrl.hostname, Number(pgUrl.port || 5432))) && (await up(mqttUrl.hostname, Number(mqttUrl.port || 1883)));
if (!ready) console.log(`skipped: the three-process test runs in the PostgreSQL pass (POSCARE_TEST_DB=postgres) with PostgreSQL at ${pgUrl.host} and an MQTT broker at ${mqttUrl.host}`);

const BIN = path.resolve(import.meta.dirname, '../bin/poscare.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  name: string;
  child: ChildProcess;
  out: () => string;
  url: string | null;
}

function startProcess(name: string, roles: string, env: NodeJS.ProcessEnv): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--roles', roles], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('PosCare is running')) {
        const url = /Console:\s+(http:\/\/\S+)/.exec(out)?.[1] ?? null;
        if (roles.includes('api') && !url) return;
        resolve({ name, child, out: () => out, url });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${out.slice(-3000)}`)));
  });
}

/**
 * Samples every 30 s of terminal time, sent as fast as the processes take them: 30 of them span 14.5
 * minutes, from 3 minutes ago (older would look like terminals that had been silent) into the future.
 */
const STEP_MS = 30_000;
const STEPS = 30;
/** The first half is sent before the kill; the second half's faults (paper out) begin there. */
const HALF = 12;
const TERMINALS_PER_ORG = 4;

describe.skipIf(!ready)('three processes: 2 × ingest+worker, 1 × api', () => {
  it('raise exactly one alert per fault and lose nothing acknowledged when a process is killed with kill -9', async () => {
    const started = Date.now();
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const { db, drop, databaseUrl } = await testDatabase('postgres');
    const procs: Proc[] = [];
    const dataDirs: string[] = [];
    const pub = { client: null as mqtt.MqttClient | null };
    try {
      // One organization in each alert partition, so both workers hold some and the killed one's move.
      const orgIds = new Map<number, string>();
      while (orgIds.size < ALERT_PARTITIONS) {
        const id = randomUUID();
        if (!orgIds.has(partitionOf(id))) orgIds.set(partitionOf(id), id);
      }
      type T = { id: string; orgId: string; secret: string; via: 'mqtt' | 'https'; fault: 'env.overheat' | 'printer.paper_out' };
      const terminals: T[] = [];
      await db.rawTransaction(async (tx) => {
        for (const [p, orgId] of orgIds) {
          const merchantId = randomUUID();
          const siteId = randomUUID();
          await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, $2, 'acquirer')`, [orgId, `Org ${p}`]);
          await tx.query(`INSERT INTO merchants (id, org_id, mid, name) VALUES ($1, $2, $3, $4)`, [merchantId, orgId, `M${p}`, `Merchant ${p}`]);
          await tx.query(`INSERT INTO sites (id, org_id, merchant_id, code, name) VALUES ($1, $2, $3, $4, $5)`, [siteId, orgId, merchantId, `S${p}`, `Site ${p}`]);
          for (let k = 0; k < TERMINALS_PER_ORG; k++) {
            // 0 and 1 report over MQTT, 2 and 3 over HTTPS; 0 and 2 overheat from the start, 1 and 3 run out of paper after the kill.
            const t: T = { id: randomUUID(), orgId, secret: randomUUID(), via: k < 2 ? 'mqtt' : 'https', fault: k % 2 === 0 ? 'env.overheat' : 'printer.paper_out' };
            terminals.push(t);
            await tx.query(
              `INSERT INTO terminals (id, org_id, merchant_id, site_id, serial_number, vendor, model, lifecycle_state) VALUES ($1, $2, $3, $4, $5, 'PAX', 'A920', 'active')`,
              [t.id, orgId, merchantId, siteId, `MP-${p}-${k}`],
            );
            await tx.query(`INSERT INTO device_credentials (terminal_id, org_id, secret_hash, enrolled_at) VALUES ($1, $2, $3, now())`, [t.id, orgId, createHash('sha256').update(t.secret).digest('hex')]);
          }
        }
      });

      const group = `mp-${randomUUID().slice(0, 8)}`;
      const env = (name: string): NodeJS.ProcessEnv => {
        const dir = mkdtempSync(path.join(tmpdir(), `poscare-${name}-`));
        dataDirs.push(dir);
        return {
          ...process.env,
          DATABASE_URL: databaseUrl,
          MQTT_URL,
          MQTT_SHARED_GROUP: group,
          INGEST_CLIENT_ID: `${group}-${name}`,
          INGEST_CONNECTIONS: '2',
          DATA_DIR: dir,
          CONSOLE_DIST: path.join(dir, 'no-console'),
          LOG_LEVEL: 'info',
          PORT: '0',
        };
      };
      const envA = env('a');
      const envB = env('b');
      // A first: two workers creating the job queues at the same moment on a fresh database can deadlock (reported, jobs/queue.ts).
      const a = await startProcess('ingest+worker A', 'ingest,worker', envA);
      const [b, api] = await Promise.all([startProcess('ingest+worker B', 'ingest,worker', envB), startProcess('api', 'api', env('api'))]);
      procs.push(a, b, api);
      mark('started');
      const logs = () => procs.map((p) => `--- ${p.name}\n${p.out().slice(-2500)}`).join('\n');

      const q = async <R,>(sql: string, params: unknown[] = []) => db.rawTransaction((tx) => tx.query<R & Record<string, unknown>>(sql, params));
      const stored = async () => Number((await q<{ n: string }>('SELECT count(DISTINCT msg_id) AS n FROM telemetry_raw'))[0]!.n);
      const alertsOf = async (rule: string) => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM alerts WHERE rule_code = $1`, [rule]))[0]!.n);
      /** Where things stand, for a failure's message. */
      const state = async () =>
        JSON.stringify({
          stored: await stored(),
          handoff: await q('SELECT partition, count(*)::int AS rows, min(created_at) AS oldest FROM alert_handoff GROUP BY 1 ORDER BY 1'),
          alerts: await q('SELECT rule_code, status, count(*)::int AS n FROM alerts GROUP BY 1, 2 ORDER BY 1'),
        });
      const waitUntil = async (what: string, ok: () => Promise<boolean>, ms: number) => {
        const end = Date.now() + ms;
        while (!(await ok())) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${await state()}\n${marks.join(', ')}\n${logs()}`);
          await sleep(250);
        }
      };

      const client = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `${group}-terminals` });
      pub.client = client;
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 3 * 60_000;
      const sample = (t: T, k: number) => {
        const faulty = t.fault === 'env.overheat' || k >= HALF;
        const data = t.fault === 'env.overheat' ? { tempC: faulty ? 71 : 35 } : { tempC: 35, printer: { status: faulty ? 'paper_out' : 'ok' } };
        return telemetry(new Date(t0 + k * STEP_MS), data, `${t.id.slice(0, 8)}-${String(k).padStart(3, '0')}`);
      };
      let httpsFailures = 0;
      const send = async (k: number) => {
        await Promise.all(
          terminals.map(async (t) => {
            if (t.via === 'mqtt') {
              // Resolves on the broker's PUBACK: from then on the message is the broker's to deliver.
              await client.publishAsync(topicFor(t.orgId, t.id, 'telemetry'), JSON.stringify(sample(t, k)), { qos: 1 });
              return;
            }
            const res = await fetch(`${api.url}/device/v1/messages`, {
              method: 'POST',
              headers: { authorization: `Bearer ${t.id}:${t.secret}`, 'content-type': 'application/json' },
              body: JSON.stringify({ messages: [sample(t, k)] }),
            });
            if (res.status >= 300) httpsFailures++;
          }),
        );
      };

      // First half: every terminal reports; the overheating ones hold 60 °C+ for 5.5 minutes and alert.
      for (let k = 0; k < HALF; k++) await send(k);
      await waitUntil('the first half stored', async () => (await stored()) === terminals.length * HALF, 60_000);
      await waitUntil('an alert for each overheating terminal', async () => (await alertsOf('env.overheat')) >= terminals.length / 2, 60_000);
      expect(a.out() + b.out()).toContain('alert partitions taken');
      mark('first half alerted');

      // Second half, with B killed after its first two steps; paper runs out at every other terminal, for
      // 9 minutes: an engine that takes a terminal over mid-fault judges it afresh on the samples that follow.
      for (let k = HALF; k < STEPS; k++) {
        await send(k);
        if (k === HALF + 1) {
          b.child.kill('SIGKILL');
          await new Promise((r) => b.child.once('exit', r));
        }
        await sleep(50);
      }
      expect(httpsFailures).toBe(0);
      mark('second half sent');
      // HTTPS goes through the api process, which hands everything off: A alone evaluates it now, B's partitions included.
      const httpsPaper = terminals.filter((t) => t.via === 'https' && t.fault === 'printer.paper_out').map((t) => t.id);
      await waitUntil(
        'a paper-out alert for each HTTPS terminal while B is down',
        async () => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM alerts WHERE rule_code = 'printer.paper_out' AND terminal_id = ANY($1::uuid[])`, [httpsPaper]))[0]!.n) === httpsPaper.length,
        60_000,
      );
      mark('HTTPS faults alerted without B');
      const takenOver = a.out().split('\n').filter((l) => l.includes('alert partitions taken')).length;
      expect(takenOver, 'A took B’s partitions over after the kill').toBeGreaterThanOrEqual(2);

      // B comes back (same MQTT session): the broker delivers what it kept for it; B takes a share again.
      const b2 = await startProcess('ingest+worker B (restarted)', 'ingest,worker', envB);
      procs.push(b2);
      mark('B restarted');
      await waitUntil('every message stored', async () => (await stored()) === terminals.length * STEPS, 90_000);
      await waitUntil('an alert for each terminal out of paper', async () => (await alertsOf('printer.paper_out')) >= terminals.length / 2, 60_000);
      await waitUntil('the hand-off drained', async () => Number((await q<{ n: string }>('SELECT count(*) AS n FROM alert_handoff'))[0]!.n) === 0, 30_000);
      await sleep(3_000); // anything evaluated twice would show up now

      // Exactly one alert per fault, none else; nothing acknowledged lost or stored twice.
      const alerts = await q<{ terminal_id: string; rule_code: string; status: string }>('SELECT terminal_id, rule_code, status FROM alerts');
      const got = alerts.map((r) => `${r.terminal_id} ${r.rule_code}`).sort();
      const want = terminals.map((t) => `${t.id} ${t.fault}`).sort();
      expect(got, logs()).toEqual(want);
      expect(alerts.every((r) => r.status === 'firing')).toBe(true);
      expect(await stored()).toBe(terminals.length * STEPS);
      expect(Number((await q<{ n: string }>('SELECT count(*) AS n FROM telemetry_raw'))[0]!.n)).toBe(terminals.length * STEPS);
      mark('done');
      console.log(`three-process run: ${terminals.length} terminals, ${terminals.length * STEPS} messages, ${alerts.length} alerts; ${marks.join(', ')}`);
    } finally {
      await pub.client?.endAsync().catch(() => undefined);
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => (p.child.exitCode === null && p.child.signalCode === null ? new Promise((r) => p.child.once('exit', r)) : null)));
      await drop();
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    }
  }, 240_000);
});
