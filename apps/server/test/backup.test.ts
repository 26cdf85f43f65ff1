import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, restore } from '../src/backup/backup.js';
import { ALL_TABLES } from '../src/db/schema.js';
import type { Database } from '../src/db/client.js';
import { createTestApp, testDatabase, type TestApp } from './harness.js';

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
});
