/**
 * Backup and restore through SQL COPY, so one file format serves PGlite and PostgreSQL alike and a
 * backup taken on one restores on the other. A file is gzip'd JSON lines: a header naming the format
 * and schema version, then one line per table with its rows as CSV.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import { ALL_TABLES } from '../db/schema.js';
import type { Database } from '../db/client.js';
import { listMigrations, migrate, schemaVersion } from '../db/migrate.js';
import { errors } from '../errors/errors.js';
import { VERSION } from '../version.js';
import type { AuditVerifyResult } from '@poscare/contracts';
import { verifyChains } from '../audit/chain.js';

export const BACKUP_FORMAT = 'poscare-backup';
const TABLES = Object.keys(ALL_TABLES);

interface Header {
  format: typeof BACKUP_FORMAT;
  formatVersion: 1;
  poscareVersion: string;
  schema: string | null;
  database: Database['kind'];
  createdAt: string;
  tables: string[];
}

export async function backup(db: Database, file: string, now = new Date()): Promise<{ tables: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const header: Header = {
    format: BACKUP_FORMAT,
    formatVersion: 1,
    poscareVersion: VERSION,
    schema: await schemaVersion(db),
    database: db.kind,
    createdAt: now.toISOString(),
    tables: TABLES,
  };
  // One transaction: every table is read from the same snapshot.
  const dumps = await db.rawTransaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ').catch(() => undefined);
    const out: { table: string; csv: string }[] = [];
    for (const table of TABLES) {
      // Generated columns (e.g. a stored search vector) are recomputed on restore, not copied.
      const cols = await tx.query<{ c: string }>(
        `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [table],
      );
      out.push({ table, csv: await tx.copyOut(`SELECT ${cols.map((x) => `"${x.c}"`).join(', ')} FROM ${table}`) });
    }
    return out;
  });
  const gz = createGzip();
  const sink = createWriteStream(file);
  gz.pipe(sink);
  gz.write(JSON.stringify(header) + '\n');
  for (const d of dumps) {
    counts[d.table] = Math.max(0, countCsvRecords(d.csv) - 1);
    if (!gz.write(JSON.stringify(d) + '\n')) await once(gz, 'drain');
  }
  gz.end();
  await once(sink, 'finish');
  return { tables: counts };
}

/** Reads and checks a backup file; throws `backup.not_a_backup` for anything else. */
async function readBackup(file: string): Promise<{ header: Header; dumps: { table: string; csv: string }[] }> {
  const lines: string[] = [];
  try {
    const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of rl) lines.push(line);
  } catch {
    throw errors.notABackup();
  }
  let header: Header;
  try {
    header = JSON.parse(lines[0] ?? '') as Header;
  } catch {
    throw errors.notABackup();
  }
  if (header?.format !== BACKUP_FORMAT || header.formatVersion !== 1) throw errors.notABackup();
  if (header.schema && !listMigrations().includes(header.schema)) throw errors.newerBackup(header.schema);
  const dumps = lines.slice(1).filter(Boolean).map((l) => JSON.parse(l) as { table: string; csv: string });
  if (dumps.some((d) => !TABLES.includes(d.table) || typeof d.csv !== 'string')) throw errors.notABackup();
  return { header, dumps };
}

/**
 * Replaces all PosCare data with the backup's, in one transaction: on any error nothing changes. Then
 * verifies the restored audit chains, so a backup edited on its way back says so.
 */
export async function restore(db: Database, file: string): Promise<{ header: Header; tables: Record<string, number>; audit: AuditVerifyResult }> {
  const { header, dumps } = await readBackup(file);
  await migrate(db);
  const counts: Record<string, number> = {};
  await db.rawTransaction(async (tx) => {
    await tx.query(`TRUNCATE ${[...TABLES].reverse().join(', ')} CASCADE`);
    for (const table of TABLES) {
      const d = dumps.find((x) => x.table === table);
      if (!d || !d.csv.trim()) continue;
      const nl = d.csv.indexOf('\n');
      const columns = d.csv.slice(0, nl).split(',').map((c) => `"${c.replace(/^"|"$/g, '')}"`);
      const body = d.csv.slice(nl + 1);
      if (body.trim()) await tx.copyIn(table, columns, body);
      counts[table] = countCsvRecords(body);
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
