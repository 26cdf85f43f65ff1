/**
 * Backup and restore through SQL COPY, so one file format serves PGlite and PostgreSQL alike and a
 * backup taken on one restores on the other. A file is gzip'd JSON lines. Format 2 (written now) streams:
 * a header naming the format and schema version, then for each table a `table` line (its columns), its
 * rows as CSV in `rows` lines of bounded size, and an `end` line with the row count and a SHA-256 of
 * those rows; a `done` line closes the file, so a file cut short is told apart from a complete one.
 * Neither writing nor reading holds a whole table in memory. Format 1 (one line per table) still restores.
 *
 * This is the path for the embedded store and small sites; on PostgreSQL the production path is
 * pg_dump and point-in-time recovery (docs/operations.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import { ALL_TABLES } from '../db/schema.js';
import type { Database, RawTx } from '../db/client.js';
import { listMigrations, migrate, schemaVersion } from '../db/migrate.js';
import { AppError, errors } from '../errors/errors.js';
import { VERSION } from '../version.js';
import type { AuditVerifyResult } from '@poscare/contracts';
import { verifyChains } from '../audit/chain.js';

export const BACKUP_FORMAT = 'poscare-backup';
const TABLES = Object.keys(ALL_TABLES);
/** Table pages read at once: 512 blocks of 8 KiB, so a page of rows stays a few MiB whatever the table's size. */
const PAGE_BLOCKS = 512;

interface Header {
  format: typeof BACKUP_FORMAT;
  formatVersion: 1 | 2;
  poscareVersion: string;
  schema: string | null;
  database: Database['kind'];
  createdAt: string;
  tables: string[];
}

type Line =
  | { table: string; columns: string[] }
  | { rows: string }
  | { end: string; rows: number; sha256: string }
  | { done: true; tables: Record<string, number> };

export async function backup(db: Database, file: string, now = new Date(), opts: { pageBlocks?: number } = {}): Promise<{ tables: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const header: Header = { format: BACKUP_FORMAT, formatVersion: 2, poscareVersion: VERSION, schema: await schemaVersion(db), database: db.kind, createdAt: now.toISOString(), tables: TABLES };
  const gz = createGzip();
  const sink = createWriteStream(file);
  gz.pipe(sink);
  const sinkError = new Promise<never>((_, reject) => {
    sink.once('error', reject);
    gz.once('error', reject);
  });
  const put = async (o: Header | Line) => {
    if (!gz.write(JSON.stringify(o) + '\n')) await Promise.race([once(gz, 'drain'), sinkError]);
  };
  await put(header);
  // One transaction: every table is read from the same snapshot, page by page.
  await db.rawTransaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ').catch(() => undefined);
    for (const table of TABLES) {
      // Generated columns (e.g. a stored search vector) are recomputed on restore, not copied.
      const columns = (
        await tx.query<{ c: string }>(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
          [table],
        )
      ).map((x) => x.c);
      await put({ table, columns });
      const hash = createHash('sha256');
      let rows = 0;
      for await (const csv of pagesOf(tx, table, columns, opts.pageBlocks ?? PAGE_BLOCKS)) {
        rows += countCsvRecords(csv);
        hash.update(csv);
        await put({ rows: csv });
      }
      counts[table] = rows;
      await put({ end: table, rows, sha256: hash.digest('hex') });
    }
  });
  await put({ done: true, tables: counts });
  gz.end();
  await Promise.race([once(sink, 'finish'), sinkError]);
  return { tables: counts };
}

/** A table's rows as CSV (no header), a range of its pages at a time (a partitioned table: of each partition). */
async function* pagesOf(tx: RawTx, table: string, columns: string[], pageBlocks: number): AsyncGenerator<string> {
  const [size] = await tx.query<{ blocks: string }>(
    `SELECT COALESCE(max(pg_relation_size(r.oid) / current_setting('block_size')::int), 0)::text AS blocks
       FROM pg_class r WHERE r.oid = $1::regclass OR r.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)`,
    [table],
  );
  const blocks = Number(size?.blocks ?? 0);
  const list = columns.map((c) => `"${c}"`).join(', ');
  for (let from = 0; from <= blocks; from += pageBlocks) {
    // The last range is open-ended: rows on pages a concurrent writer added are in no snapshot we read anyway.
    const upper = from + pageBlocks > blocks ? '' : ` AND ctid < '(${from + pageBlocks},0)'::tid`;
    const csv = await tx.copyOut(`SELECT ${list} FROM ${table} WHERE ctid >= '(${from},0)'::tid${upper}`);
    const body = csv.slice(csv.indexOf('\n') + 1);
    if (body) yield body;
  }
}

export interface BackupCheck {
  ok: boolean;
  header: Header | null;
  /** Rows per table, as read from the file. */
  tables: Record<string, number>;
  /** What is wrong, in the order found (empty when ok). */
  problems: string[];
}

/** Reads the whole file line by line: a bad or truncated gzip stream ends the reading with a problem. */
async function* linesOf(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

function parseHeader(line: string | undefined): Header {
  let header: Header;
  try {
    header = JSON.parse(line ?? '') as Header;
  } catch {
    throw errors.notABackup();
  }
  if (header?.format !== BACKUP_FORMAT || (header.formatVersion !== 1 && header.formatVersion !== 2)) throw errors.notABackup();
  if (header.schema && !listMigrations().includes(header.schema)) throw errors.newerBackup(header.schema);
  return header;
}

/**
 * Checks a backup without restoring it: the header, that each table appears once with its rows, that
 * row counts and checksums match what was written, and that the file is complete. Throws
 * `backup.not_a_backup` / `backup.newer_schema` for a file that is no PosCare backup at all.
 */
export async function verifyBackup(file: string): Promise<BackupCheck> {
  const lines = linesOf(file);
  let first: IteratorResult<string>;
  try {
    first = await lines.next();
  } catch {
    throw errors.notABackup();
  }
  const header = parseHeader(first.done ? undefined : first.value);
  const check: BackupCheck = { ok: false, header, tables: {}, problems: [] };
  const problem = (p: string) => void check.problems.push(p);
  let current: { table: string; rows: number; hash: ReturnType<typeof createHash> } | null = null;
  let done = false;
  try {
    for await (const raw of lines) {
      if (!raw) continue;
      let l: Line | { table: string; csv: string };
      try {
        l = JSON.parse(raw) as Line;
      } catch {
        problem('a line is not readable (the file is damaged)');
        break;
      }
      if (done) {
        problem('data after the end of the backup');
        break;
      }
      if (header.formatVersion === 1) {
        const v1 = l as { table?: unknown; csv?: unknown };
        if (typeof v1.table !== 'string' || typeof v1.csv !== 'string' || !TABLES.includes(v1.table)) throw errors.notABackup();
        if (v1.table in check.tables) problem(`table ${v1.table} appears twice`);
        else check.tables[v1.table] = Math.max(0, countCsvRecords(v1.csv) - 1);
        continue;
      }
      if ('columns' in l) {
        if (current) problem(`table ${current.table} has no end line`);
        if (!TABLES.includes(l.table)) problem(`unknown table ${l.table}`);
        else if (l.table in check.tables) problem(`table ${l.table} appears twice`);
        current = { table: l.table, rows: 0, hash: createHash('sha256') };
      } else if ('rows' in l && typeof l.rows === 'string') {
        if (!current) problem('rows outside a table');
        else {
          current.rows += countCsvRecords(l.rows);
          current.hash.update(l.rows);
        }
      } else if ('end' in l) {
        if (!current || current.table !== l.end) problem(`end of table ${l.end} without its start`);
        else {
          if (current.rows !== l.rows) problem(`table ${l.end}: ${current.rows} rows, the backup says ${l.rows}`);
          if (current.hash.digest('hex') !== l.sha256) problem(`table ${l.end}: checksum does not match (rows changed)`);
          check.tables[l.end] = current.rows;
        }
        current = null;
      } else if ('done' in l) {
        if (current) problem(`table ${current.table} has no end line`);
        done = true;
      } else problem('a line of unknown kind');
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    problem('the file ends in the middle (damaged or cut short)');
  }
  if (header.formatVersion === 2 && !done && !check.problems.length) problem('the file ends before its last line (cut short)');
  const missing = header.tables?.filter((t) => TABLES.includes(t) && !(t in check.tables)) ?? [];
  if (missing.length && !check.problems.length) problem(`tables missing: ${missing.join(', ')}`);
  check.ok = check.problems.length === 0;
  return check;
}

/**
 * Replaces all PosCare data with the backup's, in one transaction: on any error nothing changes. The
 * file is checked first (verifyBackup), then streamed in. Then verifies the restored audit chains, so a
 * backup edited on its way back says so.
 */
export async function restore(db: Database, file: string): Promise<{ header: Header; tables: Record<string, number>; audit: AuditVerifyResult }> {
  const check = await verifyBackup(file);
  if (!check.ok || !check.header) throw errors.damagedBackup(check.problems[0] ?? 'unknown');
  const header = check.header;
  await migrate(db);
  const counts: Record<string, number> = {};
  await db.rawTransaction(async (tx) => {
    await tx.query(`TRUNCATE ${[...TABLES].reverse().join(', ')} CASCADE`);
    let current: { table: string; columns: string[] } | null = null;
    const lines = linesOf(file);
    await lines.next(); // the header
    for await (const raw of lines) {
      if (!raw) continue;
      const l = JSON.parse(raw) as Line | { table: string; csv: string };
      if (header.formatVersion === 1 && 'csv' in l) {
        if (!l.csv.trim()) continue;
        const nl = l.csv.indexOf('\n');
        const columns = l.csv.slice(0, nl).split(',').map((c) => c.replace(/^"|"$/g, ''));
        const body = l.csv.slice(nl + 1);
        if (body.trim()) await tx.copyIn(l.table, columns.map((c) => `"${c}"`), body);
        counts[l.table] = countCsvRecords(body);
      } else if ('columns' in l) {
        current = { table: l.table, columns: l.columns.map((c) => `"${c}"`) };
        counts[l.table] = 0;
      } else if ('rows' in l && typeof l.rows === 'string' && current) {
        await tx.copyIn(current.table, current.columns, l.rows);
        counts[current.table]! += countCsvRecords(l.rows);
      }
    }
    // Every sequence behind a column (serial, bigserial, identity) continues after the restored rows,
    // so the next insert into any table does not collide with a restored key.
    const owned = await tx.query<{ seq: string; tbl: string; col: string }>(
      `SELECT s.relname AS seq, c.relname AS tbl, a.attname AS col
         FROM pg_class s
         JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
         JOIN pg_class c ON c.oid = d.refobjid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
         JOIN pg_namespace n ON n.oid = s.relnamespace
        WHERE s.relkind = 'S' AND n.nspname = current_schema()`,
    );
    for (const o of owned) {
      await tx.query(`SELECT setval('"${o.seq}"', COALESCE((SELECT max("${o.col}") FROM "${o.tbl}"), 0) + 1, false)`);
    }
  });
  return { header, tables: counts, audit: await verifyChains(db) };
}

/** Counts CSV records, not lines: a quoted field may hold newlines. */
function countCsvRecords(csv: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) n++;
  }
  return n;
}
