/**
 * One data layer for both stores: the embedded PGlite (default, data in DATA_DIR) and a PostgreSQL
 * server (DATABASE_URL). Services see only `Database`; the two differ only in how raw SQL and COPY
 * reach the store.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startFromTemplate } from './template.js';
import { TurnTakingPGlite } from './turns.js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import * as schema from './schema.js';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A connection inside one transaction, for statements drizzle does not express (COPY). */
export interface RawTx {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * COPY rows (already encoded, no header) into a table, given as text or as UTF-8 bytes. CSV by
   * default; `text` is PostgreSQL's tab-separated format, cheaper to write for JSON-heavy rows.
   */
  copyIn(table: string, columns: readonly string[], rows: string | Uint8Array, format?: 'csv' | 'text'): Promise<void>;
  /** COPY a query's result out as CSV with a header line. */
  copyOut(query: string): Promise<string>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  /** Runs fn in one transaction on one connection, for COPY-based bulk paths. */
  rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
  /**
   * One statement outside any transaction, or, without parameters, a script of several (which may hold
   * its own BEGIN … COMMIT). The job queue (jobs/queue.ts) reaches the embedded store through this.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
  /** PGlite only: the whole store as a tarball (db/template.ts makes the tests' starting store with it). */
  dumpImage?(): Promise<Blob>;
}

export interface DatabaseOptions {
  /** postgres://… selects a PostgreSQL server; otherwise the embedded store is used. */
  databaseUrl?: string | undefined;
  /** Folder for the embedded store; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** With `memory://`: start from this store image (a tarball from dumpImage) instead of an empty cluster. */
  memoryImage?: Blob | undefined;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir, opts.memoryImage);
}

async function openPglite(dataDir: string, memoryImage?: Blob): Promise<Database> {
  let client: PGlite;
  // Each statement waits for a turn of the event loop first, so long chains of them cannot stall it (db/turns.ts).
  if (dataDir === 'memory://') {
    client = memoryImage ? new TurnTakingPGlite({ loadDataDir: memoryImage }) : new TurnTakingPGlite();
  } else {
    const dir = path.resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    // A new store starts as a copy of the empty, migrated one made at install (skips initdb; see db/template.ts).
    startFromTemplate(dir);
    client = new TurnTakingPGlite(dir);
  }
  await client.waitReady;
  const orm = drizzlePglite(client, { schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    rawTransaction: (fn) =>
      client.transaction(async (tx) =>
        fn({
          query: async (text, params) => (await tx.query(text, params)).rows as never,
          copyIn: async (table, columns, rows, format = 'csv') => {
            await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT ${format})`, [], {
              blob: new Blob([rows as string | Uint8Array<ArrayBuffer>]),
            });
          },
          copyOut: async (query) => {
            const res = await tx.query(`COPY (${query}) TO '/dev/blob' WITH (FORMAT csv, HEADER true)`);
            return res.blob ? await res.blob.text() : '';
          },
        }),
      ),
    async executeSql(text, values) {
      if (values?.length) return { rows: (await client.query(text, values)).rows as Record<string, unknown>[] };
      try {
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
      } catch (err) {
        // A script that failed inside its own BEGIN would leave the one connection in an aborted transaction.
        await client.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    close: () => client.close(),
    dumpImage: () => client.dumpDataDir('none'),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server closes (restart, failover, admin shutdown) is dropped from the pool
  // and replaced on next use; without this listener the error would crash the process.
  pool.on('error', () => undefined);
  // Fail at start with the server's own message rather than at the first request.
  const probe = await pool.connect();
  probe.release();
  const orm = drizzlePg(pool, { schema }) as unknown as Orm;
  return {
    kind: 'postgres',
    orm,
    async rawTransaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await fn({
          query: async (text, params) => (await conn.query(text, params)).rows,
          copyIn: (table, columns, rows, format = 'csv') =>
            new Promise<void>((resolve, reject) => {
              const stream = conn.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT ${format})`));
              stream.on('error', reject);
              stream.on('finish', () => resolve());
              stream.end(rows);
            }),
          copyOut: (query) =>
            new Promise<string>((resolve, reject) => {
              const chunks: Buffer[] = [];
              const stream = conn.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER true)`));
              stream.on('data', (c: Buffer) => chunks.push(c));
              stream.on('error', reject);
              stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
            }),
        });
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    async executeSql(text, values) {
      const res = (await pool.query(text, values)) as pg.QueryResult | pg.QueryResult[];
      return { rows: Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows };
    },
    close: () => pool.end(),
  };
}

/** Encodes one CSV field for COPY: NULL is an unquoted empty field, every value is quoted. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvRows(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const r of rows) out += r.map(csvField).join(',') + '\n';
  return out;
}
