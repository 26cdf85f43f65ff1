/**
 * `npm run bench:desk`: the service desk at 1,000,000 tickets and 100,000 terminals on PostgreSQL.
 * Target (issue 6): ticket queue pages and knowledge-base search p95 ≤ 100 ms. Prints JSON.
 *
 * Data: seedDesk.ts (the same code as `npm run seed:desk`) into a throw-away database on
 * BENCH_DATABASE_URL / TEST_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/test).
 * The real app (buildApp, as the tests build it) answers through its HTTP layer (app.inject: routing, the
 * access gate with a real session cookie, zod validation and serialisation), one request at a time, after
 * a warm-up; p50/p95/p99 over --requests (200) per scenario. Baseline in the same run: GET /api/v1/me
 * (access gate + session query) and the SQL the default queue ran, captured from the app and timed alone on
 * a plain connection.
 *
 *   --tickets 1000000 --terminals 100000 --articles 20000   sizes
 *   --requests 200 --warmup 30                               per scenario
 *   --budget 90    seconds after which a scenario far over target stops early (≥ 20 requests, reported)
 *   --keep     seed into the database `poscare_bench_desk` (replacing it) and keep it
 *   --reuse    use `poscare_bench_desk` when it is seeded (its tickets indexes are brought in line with
 *              the migrations first); seed and keep it otherwise
 *   --pglite   the embedded store instead (use small sizes)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database, type RawTx } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { freshDatabase } from './benchDb.js';
import { argValue, createDatabase, DESK_ORG_NAME, DESK_PASSWORD, seedDesk, type SeedResult } from './seedDesk.js';

const argv = process.argv.slice(2);
const num = (name: string, dflt: number) => Number((argValue(argv, name) ?? String(dflt)).replace(/[_,]/g, ''));
const has = (name: string) => argv.includes(`--${name}`);
const SIZES = { tickets: num('tickets', 1_000_000), terminals: num('terminals', 100_000), articles: num('articles', 20_000) };
const REQUESTS = num('requests', 200);
const WARMUP = num('warmup', 30);
/** A scenario far over its target stops after this long (with at least 20 measured requests), and says so. */
const SCENARIO_BUDGET_S = num('budget', 90);
const TARGET_MS = 100;
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEPT = 'poscare_bench_desk';
const log = (s: string) => process.stderr.write(`${s}\n`);

const pct = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!.toFixed(1);
};
const stats = (xs: readonly number[]) => ({ p50: pct(xs, 0.5), p95: pct(xs, 0.95), p99: pct(xs, 0.99) });

interface Target {
  db: Database;
  url: string | null;
  seed: (SeedResult & { reused?: boolean }) | null;
  drop: () => Promise<void>;
}

async function serverQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** The database to measure: seeded now, or the kept one when --reuse finds it seeded. */
async function target(): Promise<Target> {
  if (has('pglite')) {
    const { db, drop } = await freshDatabase('pglite', PG_URL, 'poscare-bench-desk');
    const seed = await seedDesk(db, { ...SIZES, log });
    return { db, url: null, seed, drop };
  }
  if (has('reuse')) {
    const [row] = await serverQuery<{ c: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [KEPT]);
    if (row?.c) {
      const url = new URL(PG_URL);
      url.pathname = `/${KEPT}`;
      const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url.toString() });
      await migrate(db);
      const synced = await syncIndexes(db);
      if (synced.length) log(`indexes brought in line with the migrations: ${synced.join(', ')}`);
      return { db, url: url.toString(), seed: { ...(JSON.parse(row.c) as SeedResult), reused: true }, drop: () => db.close() };
    }
  }
  const keep = has('keep') || has('reuse');
  const url = await createDatabase(PG_URL, keep ? KEPT : `poscare_bench_desk_${Date.now().toString(36)}`, keep);
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url });
  log(`seeding ${SIZES.tickets.toLocaleString('en')} tickets, ${SIZES.terminals.toLocaleString('en')} terminals, ${SIZES.articles.toLocaleString('en')} articles into ${url.replace(/\/\/[^@]*@/, '//')}`);
  const seed = await seedDesk(db, { ...SIZES, url, log });
  log(`seeded in ${seed.seconds} s (${seed.rowsPerSecond.toLocaleString('en')} rows/s)`);
  if (keep) await serverQuery(`COMMENT ON DATABASE ${KEPT} IS '${JSON.stringify(seed).replace(/'/g, "''")}'`);
  const name = new URL(url).pathname.slice(1);
  return { db, url, seed, drop: async () => (await db.close(), keep ? undefined : void (await serverQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))) };
}

/**
 * A kept database was migrated before the migration was regenerated: create the indexes of the desk's
 * tables that the migrations now declare and drop the ones they no longer do.
 */
async function syncIndexes(db: Database): Promise<string[]> {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');
  const wanted = new Map<string, { table: string; sql: string }>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    for (const stmt of readFileSync(path.join(dir, file), 'utf8').split('--> statement-breakpoint')) {
      const m = /CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?"([^"]+)" ON "([^"]+)"/.exec(stmt);
      if (m) wanted.set(m[1]!, { table: m[2]!, sql: stmt.trim().replace(/;$/, '') });
      const d = /DROP INDEX (?:IF EXISTS )?"([^"]+)"/.exec(stmt);
      if (d) wanted.delete(d[1]!);
    }
  }
  const tables = ['tickets', 'kb_articles'];
  const changed: string[] = [];
  await db.rawTransaction(async (tx) => {
    await tx.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    const have = await tx.query<{ indexname: string; tablename: string; indexdef: string }>(
      `SELECT indexname, tablename, indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [tables],
    );
    // Columns and their order as written by drizzle-kit and as PostgreSQL prints them (predicates are not compared).
    const shape = (def: string, name: string) =>
      def.toLowerCase().replace(/"/g, '').replace(name.toLowerCase(), '?').replace(/public\./g, '').split(' where ')[0]!
        .replace(/ desc nulls first/g, ' desc').replace(/ asc nulls last/g, '').replace(/\s+/g, '').replace(/;$/, '');
    const haveNames = new Set<string>();
    for (const h of have) {
      const w = wanted.get(h.indexname);
      // Expression indexes (full text) print too differently to compare: kept by name.
      if (w && (/using gin/i.test(w.sql) || shape(w.sql, h.indexname) === shape(h.indexdef, h.indexname))) haveNames.add(h.indexname);
      else (await tx.query(`DROP INDEX "${h.indexname}"`), changed.push(`-${h.indexname}`));
    }
    for (const [name, w] of wanted) if (tables.includes(w.table) && !haveNames.has(name)) (await tx.query(w.sql), changed.push(`+${name}`));
    if (changed.length) await tx.query('ANALYZE tickets');
  });
  return changed;
}

/** Records the SQL the app runs while `capturing` is set (to time the queue's own queries alone). */
function captureQueries(db: Database) {
  const captured: { text: string; params: unknown[] }[] = [];
  let capturing = false;
  const original = db.rawTransaction.bind(db);
  (db as { rawTransaction: Database['rawTransaction'] }).rawTransaction = (fn) =>
    original((tx) => fn(capturing ? ({ ...tx, query: (text: string, params?: unknown[]) => (captured.push({ text, params: params ?? [] }), tx.query(text, params)) } as RawTx) : tx));
  return {
    async during<T>(f: () => Promise<T>) {
      captured.length = 0;
      capturing = true;
      try {
        return await f();
      } finally {
        capturing = false;
      }
    },
    captured,
  };
}

const load = { before: loadavg().map((x) => +x.toFixed(2)), after: [] as number[] };
const { db, url, seed, drop } = await target();
const capture = captureQueries(db);
const ctx = { db, config: loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'silent' }), clock: systemClock, log: pino({ level: 'silent' }) };
const { app } = await buildApp(ctx);
await app.ready();

try {
  const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => db.rawTransaction((tx) => tx.query<T>(sql, params));
  // The newest seeded organization of that name (a database seeded more than once holds several).
  const [org] = await q<{ id: string }>(`SELECT id FROM organizations WHERE name = $1 ORDER BY created_at DESC LIMIT 1`, [DESK_ORG_NAME]);
  const orgId = org!.id;
  const [otherOrg] = await q<{ id: string }>(`SELECT id FROM organizations WHERE name = 'Desk bench second org' ORDER BY created_at DESC LIMIT 1`);
  const emailOf = async (where: string, params: unknown[]) => (await q<{ email: string; id: string; merchant_id: string | null }>(`SELECT email, id, merchant_id FROM users WHERE ${where} ORDER BY email LIMIT 1`, params))[0]!;
  const agent = await emailOf(`org_id = $1 AND role = 'agent'`, [orgId]);
  // The merchant with the most tickets: its user's queue and the merchant filter are the worst case.
  const [big] = await q<{ merchant_id: string; n: number }>(
    `SELECT t.merchant_id, count(*)::int AS n FROM tickets t JOIN users u ON u.merchant_id = t.merchant_id AND u.role = 'merchant' WHERE t.org_id = $1 GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
    [orgId],
  );
  const merchantUser = await emailOf(`org_id = $1 AND merchant_id = $2`, [orgId, big!.merchant_id]);
  const otherAgent = otherOrg ? await emailOf(`org_id = $1 AND role = 'agent'`, [otherOrg.id]) : null;
  const login = async (email: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: DESK_PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
    const c = res.cookies.find((x) => x.name === 'poscare_session')!;
    return `poscare_session=${c.value}`;
  };
  const agentCookie = await login(agent.email);
  const merchantCookie = await login(merchantUser.email);
  const detailIds = (await q<{ id: string }>(`SELECT id FROM tickets WHERE org_id = $1 ORDER BY random() LIMIT 200`, [orgId])).map((r) => r.id);
  const openIds = (await q<{ id: string }>(`SELECT id FROM tickets WHERE org_id = $1 AND status NOT IN ('resolved', 'closed') ORDER BY random() LIMIT 50`, [orgId])).map((r) => r.id);
  const detailPool = [...detailIds.slice(0, 150), ...openIds];
  const [someNumber] = await q<{ number: string }>(`SELECT number FROM tickets WHERE org_id = $1 ORDER BY random() LIMIT 1`, [orgId]);

  const kbZh = ['挥卡没反应', '打印机卡纸', '签到失败', '电池不耐用', '网络断了刷不了卡', '插卡读不出来'];
  const kbEn = ['chip card not read', 'paper jam', 'battery drains fast', 'host timeout', 'tap does not work', 'sign on failed'];
  type Scenario = { name: string; cookie: string; url: (i: number) => string; group: 'queue' | 'detail' | 'kb' };
  const enc = encodeURIComponent;
  const scenarios: Scenario[] = [
    { name: 'queue_open_first_page', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets' },
    { name: 'queue_open_offset_200', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets?offset=200' },
    { name: 'queue_open_p1', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets?priority=p1' },
    { name: 'queue_open_assignee_me', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets?assigneeId=me' },
    { name: 'queue_open_merchant_filter', group: 'queue', cookie: agentCookie, url: () => `/api/v1/tickets?merchantId=${big!.merchant_id}` },
    { name: 'queue_all_first_page', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets?status=all' },
    { name: 'queue_all_q_zh_挥卡', group: 'queue', cookie: agentCookie, url: () => `/api/v1/tickets?status=all&q=${enc('挥卡')}` },
    { name: 'queue_all_q_zh_签到', group: 'queue', cookie: agentCookie, url: () => `/api/v1/tickets?status=all&q=${enc('签到')}` },
    { name: 'queue_all_q_en_receipt', group: 'queue', cookie: agentCookie, url: () => `/api/v1/tickets?status=all&q=receipt` },
    { name: 'queue_all_q_number', group: 'queue', cookie: agentCookie, url: () => `/api/v1/tickets?status=all&q=${someNumber!.number}` },
    { name: 'queue_resolved', group: 'queue', cookie: agentCookie, url: () => '/api/v1/tickets?status=resolved' },
    { name: 'queue_merchant_user', group: 'queue', cookie: merchantCookie, url: () => '/api/v1/tickets' },
    { name: 'queue_merchant_user_all', group: 'queue', cookie: merchantCookie, url: () => '/api/v1/tickets?status=all' },
    { name: 'ticket_detail', group: 'detail', cookie: agentCookie, url: (i) => `/api/v1/tickets/${detailPool[i % detailPool.length]}` },
    { name: 'kb_search_zh', group: 'kb', cookie: agentCookie, url: (i) => `/api/v1/kb/search?q=${enc(kbZh[i % kbZh.length]!)}&limit=20` },
    { name: 'kb_search_en', group: 'kb', cookie: agentCookie, url: (i) => `/api/v1/kb/search?q=${enc(kbEn[i % kbEn.length]!)}&limit=20` },
  ];

  const results: Record<string, unknown> = {};
  for (const s of scenarios) {
    const times: number[] = [];
    let first: { total?: number; totalCapped?: boolean; items?: unknown[] } | null = null;
    let failure: string | null = null;
    let stoppedEarly = false;
    const began = performance.now();
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      if (times.length >= 20 && performance.now() - began > SCENARIO_BUDGET_S * 1000) {
        stoppedEarly = true;
        break;
      }
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: s.url(i), headers: { cookie: s.cookie } });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) {
        failure = `${res.statusCode} ${res.body.slice(0, 200)}`;
        break;
      }
      if (i === 0) first = res.json();
      if (i >= WARMUP) times.push(ms);
    }
    if (failure) {
      results[s.name] = { error: failure, target: TARGET_MS, ok: false };
      log(`${s.name}: ${failure}`);
      continue;
    }
    const st = stats(times);
    results[s.name] = {
      ...st,
      target: TARGET_MS,
      ok: st.p95 <= TARGET_MS,
      ...(stoppedEarly ? { requests: times.length, stoppedEarly } : {}),
      ...(first?.total !== undefined ? { total: first.total, ...(first.totalCapped ? { totalCapped: true } : {}) } : {}),
      items: first?.items?.length,
    };
    log(`${s.name}: p50 ${st.p50} p95 ${st.p95} p99 ${st.p99} ms${first?.total !== undefined ? ` (total ${first.total}${first.totalCapped ? '+' : ''})` : ''}`);
  }

  // Baseline 1: the access gate and one query.
  const me: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const t = performance.now();
    await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: agentCookie } });
    if (i >= WARMUP) me.push(performance.now() - t);
  }
  // Baseline 2: the SQL the default queue ran, timed alone on a plain connection.
  await capture.during(() => app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { cookie: agentCookie } }));
  const queueSql = capture.captured.filter((c) => /\bfrom tickets\b/i.test(c.text));
  // Settings the app made for its transaction (SET LOCAL) hold for the whole plain connection here.
  const settings = capture.captured.filter((c) => /^\s*SET LOCAL\b/i.test(c.text)).map((c) => c.text.replace(/^\s*SET LOCAL\b/i, 'SET'));
  const rawTimes: number[] = [];
  const rawEach: number[][] = queueSql.map(() => []);
  const run = async (exec: (text: string, params: unknown[]) => Promise<unknown>) => {
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      let sum = 0;
      for (const [k, c] of queueSql.entries()) {
        const t = performance.now();
        await exec(c.text, c.params);
        const ms = performance.now() - t;
        sum += ms;
        if (i >= WARMUP) rawEach[k]!.push(ms);
      }
      if (i >= WARMUP) rawTimes.push(sum);
    }
  };
  if (url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    for (const set of settings) await c.query(set);
    await run((text, params) => c.query(text, params));
    await c.end();
  } else {
    await db.rawTransaction(async (tx) => {
      for (const set of settings) await tx.query(set);
      await run((text, params) => tx.query(text, params));
    });
  }

  // Scoping, as a user would notice it.
  const merchantItems = (await app.inject({ method: 'GET', url: '/api/v1/tickets?status=all&limit=500', headers: { cookie: merchantCookie } })).json().items as { merchantId: string }[];
  const checks: Record<string, boolean> = { merchantSeesOnlyOwnTickets: merchantItems.length > 0 && merchantItems.every((x) => x.merchantId === big!.merchant_id) };
  if (otherAgent) {
    const otherCookie = await login(otherAgent.email);
    const otherPage = (await app.inject({ method: 'GET', url: '/api/v1/tickets?status=all', headers: { cookie: otherCookie } })).json() as { total: number };
    const [own] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE org_id = $1`, [otherOrg!.id]);
    checks.otherOrgQueueHoldsOnlyItsOwn = otherPage.total === Math.min(own!.n, 10_000);
    checks.otherOrgGets404ForThisOrgsTicket = (await app.inject({ method: 'GET', url: `/api/v1/tickets/${detailIds[0]}`, headers: { cookie: otherCookie } })).statusCode === 404;
  }

  const counts = async (sql: string) => (await q<{ n: number }>(sql, [orgId]))[0]!.n;
  const [pgVersion] = await q<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  load.after = loadavg().map((x) => +x.toFixed(2));
  const queue = Object.entries(results).filter(([k]) => k.startsWith('queue_'));
  const kb = Object.entries(results).filter(([k]) => k.startsWith('kb_'));
  console.log(
    JSON.stringify(
      {
        benchmark: 'desk',
        date: new Date().toISOString().slice(0, 10),
        database: db.kind === 'postgres' ? `PostgreSQL ${pgVersion?.v}` : 'PGlite',
        tickets: await counts(`SELECT count(*)::int AS n FROM tickets WHERE org_id = $1`),
        openTickets: await counts(`SELECT count(*)::int AS n FROM tickets WHERE org_id = $1 AND status NOT IN ('resolved', 'closed')`),
        terminals: await counts(`SELECT count(*)::int AS n FROM terminals WHERE org_id = $1`),
        articles: await counts(`SELECT count(*)::int AS n FROM kb_articles WHERE org_id = $1`),
        requestsPerScenario: REQUESTS,
        warmup: WARMUP,
        scenarios: results,
        allQueueOk: queue.every(([, r]) => (r as { ok: boolean }).ok),
        allKbOk: kb.length > 0 && kb.every(([, r]) => (r as { ok: boolean }).ok),
        baseline: {
          me: stats(me),
          queueSqlAlone: { ...stats(rawTimes), settings, statements: queueSql.map((c, k) => ({ sql: c.text.replace(/\s+/g, ' ').slice(0, 400), ...stats(rawEach[k]!) })) },
        },
        checks,
        seedSeconds: seed?.seconds ?? null,
        seedRowsPerSecond: seed?.rowsPerSecond ?? null,
        seedReused: !!seed?.reused,
        seedRows: seed?.rows,
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, load_average_1_5_15: load },
      },
      null,
      2,
    ),
  );
} finally {
  await app.close();
  await drop();
}
