/**
 * `npm run bench:import`: imports 50,000 terminals from CSV end to end (parse → validate → COPY with
 * history and audit) and, as the baseline in the same run, COPYs the same rows straight into the
 * same database. Prints JSON. Target: the import finishes in under 30 s on this 2-core machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { csvRows, openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { organizations, merchants, sites } from '../src/db/schema.js';
import { ImportService } from '../src/imports/service.js';
import { systemActor } from '../src/access/actor.js';
import { systemClock } from '../src/platform/clock.js';
import { TERMINAL_COPY_COLUMNS } from '../src/terminals/repository.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function makeCsv(prefix: string, siteCodes: string[]): Buffer {
  const lines = ['serial_number,tid,vendor,model,os_version,app_version,firmware_version,connectivity,site_code,lifecycle_state'];
  for (let i = 0; i < ROWS; i++) {
    const site = siteCodes[i % siteCodes.length]!;
    lines.push(`${prefix}${String(i).padStart(8, '0')},${String(i).padStart(8, '0')},PAX,A920,PayDroid 7.1,3.9.${i % 3},FW2.${i % 7},cellular_4g,${site},active`);
  }
  return Buffer.from(lines.join('\n'));
}

async function prepare(db: Database) {
  await migrate(db);
  const [org] = await db.orm.insert(organizations).values({ name: `bench ${Date.now()}`, kind: 'acquirer' }).returning();
  const [m] = await db.orm.insert(merchants).values({ orgId: org!.id, mid: 'BENCH', name: 'Bench' }).returning();
  const siteRows = await db.orm
    .insert(sites)
    .values(Array.from({ length: 200 }, (_, i) => ({ orgId: org!.id, merchantId: m!.id, code: `B${i}`, name: `Bench ${i}` })))
    .returning();
  return { orgId: org!.id, merchantId: m!.id, sites: siteRows };
}

async function measure(kind: 'pglite' | 'postgres', db: Database) {
  const { orgId, merchantId, sites: siteRows } = await prepare(db);
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const svc = new ImportService({ db, config, clock: systemClock, log: pino({ level: 'silent' }) });
  const bytes = makeCsv('BI', siteRows.map((s) => s.code));
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const report = await svc.importTerminals(systemActor(orgId), { filename: 'bench.csv', bytes, mode: 'all_or_nothing', language: 'en-US' });
  const importMs = performance.now() - t0;
  const peakRss = process.memoryUsage().rss;
  if (report.imported !== ROWS) throw new Error(`imported ${report.imported} of ${ROWS}`);

  // Baseline: the same number of rows COPYed directly, with no parsing or validation.
  const now = new Date();
  const rows = Array.from({ length: ROWS }, (_, i) => [
    randomUUID(), orgId, merchantId, siteRows[i % siteRows.length]!.id, `BC${String(i).padStart(8, '0')}`, String(i).padStart(8, '0'), 'PAX', 'A920',
    'PayDroid 7.1', '3.9.1', 'FW2.1', 'cellular_4g', 'active', now, now,
  ]);
  const t1 = performance.now();
  await db.rawTransaction((tx) =>
    tx.copyIn(
      'terminals',
      TERMINAL_COPY_COLUMNS,
      csvRows(rows),
    ),
  );
  const copyMs = performance.now() - t1;
  return {
    database: kind,
    rows: ROWS,
    import_seconds: +(importMs / 1000).toFixed(2),
    import_rows_per_second: Math.round(ROWS / (importMs / 1000)),
    baseline_raw_copy_seconds: +(copyMs / 1000).toFixed(2),
    baseline_raw_copy_rows_per_second: Math.round(ROWS / (copyMs / 1000)),
    overhead_vs_raw_copy: +(importMs / copyMs).toFixed(2),
    rss_mib_before: Math.round(rssBefore / 1048576),
    rss_mib_after_import: Math.round(peakRss / 1048576),
    target_seconds: 30,
    meets_target: importMs < 30_000,
  };
}

const results = [];
const dir = mkdtempSync(path.join(tmpdir(), 'poscare-bench-'));
const lite = await openDatabase({ dataDir: dir });
results.push(await measure('pglite', lite));
await lite.close();
rmSync(dir, { recursive: true, force: true });

let pgAvailable = false;
try {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const name = `poscare_bench_${Date.now().toString(36)}`;
  await c.query(`CREATE DATABASE ${name}`);
  pgAvailable = true;
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url.toString() });
  results.push(await measure('postgres', db));
  await db.close();
  await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await c.end();
} catch (err) {
  if (pgAvailable) throw err;
  results.push({ database: 'postgres', skipped: `PostgreSQL not reachable at ${PG_URL}` });
}
console.log(JSON.stringify({ benchmark: 'import-terminals', machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2));
