/**
 * How ingest stores telemetry: re-deliveries once (also when a batch mixes them with new messages),
 * roll-ups counted once, day partitions of telemetry_raw with a default partition for far-off dates,
 * retention by whole days, and the upgrade of a database that already holds telemetry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneHistory } from '../src/fleet/retention.js';
import { migrate } from '../src/db/migrate.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { createTestApp, testDatabase, type TestApp } from './harness.js';
import { enrol, event, send, telemetry, txn } from './device.js';

let t: TestApp;
let cookie: string;
let A: Awaited<ReturnType<TestApp['tenant']>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const rows = <R>(sql: string, params: unknown[] = []) => t.db.rawTransaction((tx) => tx.query<R>(sql, params));
async function newTerminal() {
  // The tests move the clock by days: sign in afresh.
  cookie = await t.login(A.admin.email);
  const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
  return enrol(t, cookie, term.serialNumber);
}
/** Where each of a terminal's raw samples is stored. */
const partitionsOf = (terminalId: string) =>
  rows<{ part: string; msg_id: string }>('SELECT tableoid::regclass::text AS part, msg_id FROM telemetry_raw WHERE terminal_id = $1 ORDER BY msg_id', [terminalId]);

describe('telemetry storage', () => {
  it('stores a batch that mixes re-sent messages with new ones once each, and counts every sample once in the roll-ups', async () => {
    const cred = await newTerminal();
    const now = t.clock.now();
    const a = telemetry(now, { tempC: 30 }, 'mix-00000001');
    const b = telemetry(new Date(now.getTime() + 60_000), { tempC: 40 }, 'mix-00000002');
    const c = telemetry(new Date(now.getTime() + 120_000), { tempC: 50 }, 'mix-00000003');
    expect((await send(t, cred, [a, b])).json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const careful = t.services.pipeline.stats.carefulBatches;
    // a again (stored before), c new, c twice in the same batch, and an event around them.
    const second = await send(t, cred, [a, c, event(now, { type: 'info' }), c]);
    expect(second.json()).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    expect(t.services.pipeline.stats.carefulBatches).toBe(careful + 1);
    const [raw] = await rows<{ n: string }>('SELECT count(*) AS n FROM telemetry_raw WHERE terminal_id = $1', [cred.terminalId]);
    expect(Number(raw!.n)).toBe(3);
    const [hour] = await rows<{ samples: string; temp: number }>('SELECT sum(samples) AS samples, sum(temp_sum) AS temp FROM telemetry_hour WHERE terminal_id = $1', [cred.terminalId]);
    expect(Number(hour!.samples)).toBe(3);
    expect(Number(hour!.temp)).toBe(120);
  });

  it('keeps each day in a partition of its own, sends far-off dates to the default partition, and moves them into their day once it is made', async () => {
    const cred = await newTerminal();
    const now = t.clock.now();
    const later = new Date(now.getTime() + 5 * DAY);
    await send(t, cred, [telemetry(now, {}, 'part-00000001'), telemetry(later, {}, 'part-00000002')]);
    const day = (d: Date) => `telemetry_raw_p${d.toISOString().slice(0, 10).replace(/-/g, '')}`;
    expect(await partitionsOf(cred.terminalId)).toEqual([
      { part: day(now), msg_id: 'part-00000001' },
      { part: 'telemetry_raw_default', msg_id: 'part-00000002' },
    ]);
    // Four days on, that day is near enough to get its partition, which takes the earlier sample over.
    t.clock.advance(4 * DAY);
    await send(t, cred, [telemetry(new Date(later.getTime() + 60_000), {}, 'part-00000003')]);
    expect(await partitionsOf(cred.terminalId)).toEqual([
      { part: day(now), msg_id: 'part-00000001' },
      { part: day(later), msg_id: 'part-00000002' },
      { part: day(later), msg_id: 'part-00000003' },
    ]);
    // A re-delivery of the moved sample is still known.
    expect((await send(t, cred, [telemetry(later, {}, 'part-00000002')])).json().duplicates).toBe(1);
  });

  it('drops raw telemetry a whole day at a time after the retention period, keeping hour roll-ups and live state', async () => {
    const cred = await newTerminal();
    const now = t.clock.now();
    await send(t, cred, [telemetry(now, { printer: { status: 'paper_low' } }, 'ret-00000001')]);
    await send(t, cred, [telemetry(new Date(now.getTime() - 30 * DAY), {}, 'ret-00000002')]);
    const before = (await t.app.inject({ url: `/api/v1/terminals/${cred.terminalId}/live`, headers: { cookie } })).json();
    expect(before.telemetry.printer.status).toBe('paper_low');

    const config = { TELEMETRY_RETENTION_DAYS: 14, ROLLUP_RETENTION_DAYS: 400 };
    // 14 days and a few hours later: the sample's day is not wholly past the cutoff yet.
    await pruneHistory(t.db, new Date(now.getTime() + 14 * DAY + 3_600_000), config);
    expect((await partitionsOf(cred.terminalId)).map((r) => r.msg_id)).toEqual(['ret-00000001']);
    await pruneHistory(t.db, new Date(now.getTime() + 16 * DAY), config);
    expect(await partitionsOf(cred.terminalId)).toEqual([]);
    const [hour] = await rows<{ n: string }>('SELECT count(*) AS n FROM telemetry_hour WHERE terminal_id = $1', [cred.terminalId]);
    expect(Number(hour!.n)).toBe(2);
    const after = (await t.app.inject({ url: `/api/v1/terminals/${cred.terminalId}/live`, headers: { cookie } })).json();
    expect(after).toMatchObject({ health: 'degraded', healthReasons: ['paper_low'], telemetry: null });
  });
});

describe('the decode thread', () => {
  it('checks, refuses and stores MQTT payloads exactly as the main thread does', async () => {
    const cred = await newTerminal();
    const now = t.clock.now();
    const messages = (tag: string) => [
      JSON.stringify(telemetry(now, { battery: { pct: 81, charging: false }, tempC: 39.5, printer: { status: 'paper_low' }, app: { version: '3.9.\\1' } }, `${tag}-tel-0001`)),
      JSON.stringify(telemetry(now, { battery: { pct: 140 } }, `${tag}-tel-0002`)),
      JSON.stringify(txn(now, { entryMode: 'chip', outcome: 'approved', cardToken: '4111 1111 1111 1111' }, `${tag}-txn-0001`)),
      '{"v":1, "msgId": ',
      JSON.stringify(event(now, { type: 'error', code: 'E1', message: 'tab\there' }, `${tag}-evt-0001`)),
      JSON.stringify(txn(new Date(now.getTime() + 1000), { entryMode: 'contactless', outcome: 'declined', responseCode: '51', amountMinor: 1200 }, `${tag}-txn-0002`)),
    ];
    const source = { channel: 'mqtt' as const, orgId: cred.orgId, terminalId: cred.terminalId };
    const run = async (mode: 'never' | 'always', tag: string) => {
      const p = new IngestPipeline(t.ctx, { decodeThread: mode, maxDelayMs: 2 });
      // What the alert rules and the roll-ups are handed for each stored sample.
      const seen: unknown[] = [];
      p.onCommitted((batch) => {
        for (const { rec } of batch) if (rec.kind === 'telemetry') seen.push({ at: rec.at, health: rec.health, reasons: rec.reasons, signals: [...rec.signals], metrics: [...rec.features.metrics], reads: [...rec.features.reads], app: rec.appVersion });
      });
      try {
        const outcomes = await Promise.all(messages(tag).map((m) => p.submit(source, Buffer.from(m))));
        return { outcomes, seen };
      } finally {
        await p.close();
      }
    };
    const { outcomes: here, seen: seenHere } = await run('never', 'main');
    const { outcomes: there, seen: seenThere } = await run('always', 'thrd');
    expect(there).toEqual(here);
    expect(seenThere).toEqual(seenHere);
    expect(seenHere).toEqual([expect.objectContaining({ health: 'degraded', reasons: ['paper_low'], app: '3.9.\\1' })]);
    expect((seenHere[0] as { signals: number[] }).signals.slice(0, 2)).toEqual([81, 39.5]);
    expect(here.map((o) => o.status)).toEqual(['stored', 'rejected', 'rejected', 'rejected', 'stored', 'stored']);
    const stored = async (table: string, tag: string) =>
      (await rows<Record<string, unknown>>(`SELECT * FROM ${table} WHERE terminal_id = $1 AND msg_id LIKE $2 ORDER BY msg_id`, [cred.terminalId, `${tag}-%`])).map(({ msg_id, received_at, ...rest }) => ({ ...rest, msg_id: String(msg_id).slice(5) }));
    for (const table of ['telemetry_raw', 'device_events', 'transactions']) expect(await stored(table, 'thrd')).toEqual(await stored(table, 'main'));
    expect((await stored('telemetry_raw', 'thrd'))[0]).toMatchObject({ battery_pct: 81, temp_c: 39.5 });
  });
});

describe('upgrading a database that already holds telemetry', () => {
  it('keeps raw samples and live state, and fills in the chart signals of the samples', async () => {
    const { db, drop } = await testDatabase();
    try {
      // Back to the schema as migration 0001 left it.
      const dir = path.resolve(import.meta.dirname, '../migrations');
      await db.rawTransaction(async (tx) => {
        await tx.query('DROP SCHEMA public CASCADE');
        await tx.query('CREATE SCHEMA public');
        await tx.query('CREATE TABLE poscare_migrations (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        for (const tag of ['0000_foundation', '0001_device_channel']) {
          for (const stmt of readFileSync(path.join(dir, `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) if (stmt.trim()) await tx.query(stmt);
          await tx.query('INSERT INTO poscare_migrations (tag) VALUES ($1)', [tag]);
        }
        const org = '11111111-1111-4111-8111-111111111111';
        const term = '22222222-2222-4222-8222-222222222222';
        await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, 'old', 'acquirer')`, [org]);
        await tx.query(`INSERT INTO terminals (id, org_id, serial_number, vendor, model) VALUES ($1, $2, 'OLD-1', 'PAX', 'A920')`, [term, org]);
        await tx.query(`INSERT INTO telemetry_raw (org_id, terminal_id, msg_id, at, received_at, data) VALUES ($1, $2, 'old-00000001', '2026-02-01T10:00:00Z', now(), $3)`, [
          org,
          term,
          JSON.stringify({ battery: { pct: 77 }, tempC: 41.5, reader: { chip: { attempts: 4, failures: 1 } } }),
        ]);
        await tx.query(`INSERT INTO terminal_live (terminal_id, org_id, last_seen_at, last_telemetry_at, telemetry, health) VALUES ($1, $2, '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z', '{}', 'ok')`, [term, org]);
      });
      expect((await migrate(db)).slice(0, 2)).toEqual(['0002_telemetry_write_path', '0003_partition_telemetry_raw']);
      const [raw] = await db.rawTransaction((tx) => tx.query<Record<string, unknown>>('SELECT tableoid::regclass::text AS part, battery_pct, temp_c, chip_attempts, chip_failures, signal_dbm, data FROM telemetry_raw'));
      expect(raw).toMatchObject({ part: 'telemetry_raw_default', battery_pct: 77, temp_c: 41.5, chip_attempts: 4, chip_failures: 1, signal_dbm: null });
      expect((raw!.data as { battery: { pct: number } }).battery.pct).toBe(77);
      const live = await db.rawTransaction((tx) => tx.query<{ last_msg_id: string | null }>('SELECT last_msg_id FROM terminal_live'));
      expect(live).toEqual([{ last_msg_id: null }]);
    } finally {
      await drop();
    }
  });
});
