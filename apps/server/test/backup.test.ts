import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, restore, verifyBackup } from '../src/backup/backup.js';
import { ALL_TABLES } from '../src/db/schema.js';
import type { Database } from '../src/db/client.js';
import { buildApp } from '../src/app.js';
import { createTestApp, testDatabase, TEST_PASSWORD, type TestApp } from './harness.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(tmpdir(), 'poscare-backup-'));
});
afterAll(async () => t?.close());

/** Every row of every table, ordered, as text: equal dumps mean equal data. */
async function dumpAll(db: Database) {
  return db.rawTransaction(async (tx) => {
    const out: Record<string, unknown[]> = {};
    for (const table of Object.keys(ALL_TABLES)) out[table] = await tx.query(`SELECT * FROM ${table} ORDER BY 1`);
    return JSON.stringify(out);
  });
}

describe('backup and restore', () => {
  it('round-trips every table exactly, into a fresh database', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie }, payload: { mid: 'BK-1', name: '备份 "商户", with, commas\nand a newline' } });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/terminals/${A.terminal.id}/acceptance`,
      headers: { cookie },
      payload: { items: { receipt_print: 'pass', keypad: 'pass', chip_read: 'pass', tap_read: 'pass', swipe_read: 'pass', network: 'pass', time_sync: 'pass' } },
    });
    const file = path.join(dir, 'full.poscare.gz');
    const summary = await backup(t.db, file);
    expect(summary.tables.merchants).toBe(2);
    const original = await dumpAll(t.db);

    const fresh = await testDatabase();
    try {
      await restore(fresh.db, file);
      expect(await dumpAll(fresh.db)).toBe(original);
      // The audit sequence continues after the restored entries instead of colliding with them.
      const [next] = await fresh.db.rawTransaction((tx) =>
        tx.query<{ id: number }>("INSERT INTO audit_log (action, entity) VALUES ('probe', 'test') RETURNING id"),
      );
      const maxBefore = JSON.parse(original).audit_log.reduce((m: number, r: { id: number }) => Math.max(m, Number(r.id)), 0);
      expect(Number(next!.id)).toBeGreaterThan(maxBefore);
    } finally {
      await fresh.drop();
    }
  });

  it('leaves every table writable after a restore into an empty database: each sequence continues after the restored rows', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
    const ticket = (await post('/api/v1/tickets', { terminalId: A.terminal.id, title: 'Before the backup' })).json().ticket.id as string;
    await post(`/api/v1/tickets/${ticket}/comments`, { body: 'first' });
    const file = path.join(dir, 'sequences.poscare.gz');
    await backup(t.db, file);
    const fresh = await testDatabase();
    try {
      await restore(fresh.db, file);
      const seqs = await fresh.db.rawTransaction((tx) =>
        tx.query<{ seq: string; tbl: string; col: string }>(
          `SELECT s.relname AS seq, c.relname AS tbl, a.attname AS col FROM pg_class s
             JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
             JOIN pg_class c ON c.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S'`,
        ),
      );
      expect(seqs.map((x) => x.tbl)).toEqual(expect.arrayContaining(['ticket_events', 'audit_log']));
      for (const q of seqs) {
        const [r] = await fresh.db.rawTransaction((tx) =>
          tx.query<{ next: string; max: string | null }>(`SELECT nextval('"${q.seq}"')::text AS next, (SELECT max("${q.col}") FROM "${q.tbl}")::text AS max`),
        );
        expect(Number(r!.next), `${q.tbl}.${q.col}`).toBeGreaterThan(Number(r!.max ?? 0));
      }
    } finally {
      await fresh.drop();
    }
  });

  it('restore replaces changes made after the backup', async () => {
    const file = path.join(dir, 'before-change.poscare.gz');
    await backup(t.db, file);
    const snapshot = await dumpAll(t.db);
    const A = await t.tenant();
    expect(await dumpAll(t.db)).not.toBe(snapshot);
    await restore(t.db, file);
    expect(await dumpAll(t.db)).toBe(snapshot);
    expect(snapshot).not.toContain(A.org.id);
  });

  it('refuses files that are not PosCare backups, and leaves the data untouched', async () => {
    const snapshot = await dumpAll(t.db);
    const cases: [string, Buffer][] = [
      ['plain.txt', Buffer.from('hello')],
      ['other.json.gz', gzipSync('{"format":"something-else"}\n')],
      ['empty.gz', gzipSync('')],
      ['bad-table.gz', gzipSync(`${JSON.stringify({ format: 'poscare-backup', formatVersion: 1, schema: null })}\n{"table":"pg_authid","csv":"x"}\n`)],
    ];
    for (const [name, bytes] of cases) {
      const f = path.join(dir, name);
      writeFileSync(f, bytes);
      await expect(restore(t.db, f), name).rejects.toMatchObject({ id: 'backup.not_a_backup' });
    }
    const newer = path.join(dir, 'newer.gz');
    writeFileSync(newer, gzipSync(`${JSON.stringify({ format: 'poscare-backup', formatVersion: 1, schema: '9999_future' })}\n`));
    await expect(restore(t.db, newer)).rejects.toMatchObject({ id: 'backup.newer_schema' });
    expect(await dumpAll(t.db)).toBe(snapshot);
  });

  it('streams a table larger than one page in parts, and restores it whole', async () => {
    const A = await t.tenant();
    for (let i = 0; i < 40; i++) await t.f.merchant(A.org.id, { name: `Streamed merchant ${i} ${'x'.repeat(200)}` });
    const file = path.join(dir, 'paged.poscare.gz');
    // One 8 KiB page at a time: the merchants table takes several.
    const summary = await backup(t.db, file, new Date(), { pageBlocks: 1 });
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const start = lines.findIndex((l) => l.table === 'merchants' && l.columns);
    const end = lines.findIndex((l) => l.end === 'merchants');
    expect(end - start - 1, 'row parts of merchants').toBeGreaterThan(1);
    expect(lines.at(-1)).toMatchObject({ done: true });
    const original = await dumpAll(t.db);
    const fresh = await testDatabase();
    try {
      const r = await restore(fresh.db, file);
      expect(r.tables.merchants).toBe(summary.tables.merchants);
      expect(await dumpAll(fresh.db)).toBe(original);
    } finally {
      await fresh.drop();
    }
  });

  it('verifies a backup without restoring it: complete, or names what is damaged or missing', async () => {
    const file = path.join(dir, 'verify.poscare.gz');
    const written = await backup(t.db, file);
    const good = await verifyBackup(file);
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(good.tables).toEqual(written.tables);

    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
    // A row changed on the way (still valid JSON and CSV): the table's checksum says so.
    const i = lines.findIndex((l) => l.startsWith('{"rows":') && l.includes('Streamed merchant'));
    const edited = [...lines];
    edited[i] = edited[i]!.replace('Streamed merchant', 'Streamed merchanT');
    const tampered = path.join(dir, 'tampered.poscare.gz');
    writeFileSync(tampered, gzipSync(edited.join('\n') + '\n'));
    const bad = await verifyBackup(tampered);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('; ')).toMatch(/merchants: checksum does not match/);

    // Cut short after half its lines.
    const cut = path.join(dir, 'cut.poscare.gz');
    writeFileSync(cut, gzipSync(lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n'));
    expect((await verifyBackup(cut)).problems.join('; ')).toMatch(/cut short/);
    // A gzip stream cut in the middle.
    const raw = path.join(dir, 'raw-cut.poscare.gz');
    const bytes = readFileSync(file);
    writeFileSync(raw, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect((await verifyBackup(raw)).ok).toBe(false);

    // Restoring a damaged file changes nothing.
    const snapshot = await dumpAll(t.db);
    await expect(restore(t.db, tampered)).rejects.toMatchObject({ id: 'backup.damaged' });
    await expect(restore(t.db, cut)).rejects.toMatchObject({ id: 'backup.damaged' });
    expect(await dumpAll(t.db)).toBe(snapshot);
  });

  it('still restores a backup in the first format (one line per table)', async () => {
    const file = path.join(dir, 'v2.poscare.gz');
    await backup(t.db, file);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const header = { ...lines[0], formatVersion: 1 };
    const v1: string[] = [JSON.stringify(header)];
    let cur: { table: string; csv: string } | null = null;
    for (const l of lines.slice(1)) {
      if (l.columns) cur = { table: l.table, csv: l.columns.join(',') + '\n' };
      else if (typeof l.rows === 'string') cur!.csv += l.rows;
      else if (l.end) v1.push(JSON.stringify(cur));
    }
    const old = path.join(dir, 'v1.poscare.gz');
    writeFileSync(old, gzipSync(v1.join('\n') + '\n'));
    expect((await verifyBackup(old)).ok).toBe(true);
    const original = await dumpAll(t.db);
    const fresh = await testDatabase();
    try {
      await restore(fresh.db, old);
      expect(await dumpAll(fresh.db)).toBe(original);
    } finally {
      await fresh.drop();
    }
  });

  it('after a restore into an empty database, a new row goes into every table that numbers its rows', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
    const ticket = (await post('/api/v1/tickets', { terminalId: A.terminal.id, title: 'Numbered rows' })).json().ticket.id as string;
    await post(`/api/v1/tickets/${ticket}/comments`, { body: 'before the backup' });
    const file = path.join(dir, 'write-after.poscare.gz');
    await backup(t.db, file);
    const fresh = await testDatabase();
    try {
      await restore(fresh.db, file);
      const numbered = await fresh.db.rawTransaction((tx) =>
        tx.query<{ tbl: string; col: string }>(
          `SELECT c.relname AS tbl, a.attname AS col FROM pg_class s
             JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
             JOIN pg_class c ON c.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S' AND c.relkind IN ('r', 'p')`,
        ),
      );
      let written = 0;
      for (const { tbl, col } of numbered) {
        // A copy of a restored row, numbered by the table's own sequence: it must not collide with a restored number.
        const cols = (
          await fresh.db.rawTransaction((tx) =>
            tx.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' AND column_name <> $2`, [tbl, col]),
          )
        ).map((x) => `"${x.c}"`);
        const [has] = await fresh.db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${tbl}"`));
        if (!has!.n) continue;
        try {
          await fresh.db.rawTransaction((tx) => tx.query(`INSERT INTO "${tbl}" (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM "${tbl}" LIMIT 1`));
          written++;
        } catch (err) {
          // Another unique rule (a natural key) may refuse the copy; the numbered key must never be what collides.
          const e = err as { code?: string; constraint?: string; message?: string };
          expect(e.code, `${tbl}: ${e.message}`).toBe('23505');
          expect(`${e.constraint ?? ''} ${e.message ?? ''}`, `${tbl}.${col}`).not.toMatch(/_pkey/);
        }
      }
      expect(written, 'tables written after the restore').toBeGreaterThanOrEqual(1);
      // And the way a person works (issue 16: a ticket event collided, the ticket answered 500): the restored database behind the app.
      const { app } = await buildApp({ ...t.ctx, db: fresh.db });
      try {
        const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: A.admin.email, password: TEST_PASSWORD } });
        const session = `poscare_session=${login.cookies.find((c) => c.name === 'poscare_session')!.value}`;
        const comment = await app.inject({ method: 'POST', url: `/api/v1/tickets/${ticket}/comments`, headers: { cookie: session }, payload: { body: 'after the restore' } });
        expect(comment.statusCode, comment.body).toBeLessThan(300);
        const opened = await app.inject({ url: `/api/v1/tickets/${ticket}`, headers: { cookie: session } });
        expect(opened.statusCode, opened.body).toBe(200);
        expect(opened.body).toContain('after the restore');
      } finally {
        await app.close();
      }
    } finally {
      await fresh.drop();
    }
  });
});
