/**
 * `npm run seed:desk -- --tickets 1000000 --terminals 100000 [--articles 20000] [--seed 42]`: a service desk
 * at scale, for the desk benchmark (desk.bench.ts) and for trying the console on a big data set.
 *
 * Writes, with COPY: one acquirer with ~2,000 merchants (tiers, zipf-like sizes: a few chains with
 * hundreds of shops), ~20,000 sites in 12 cities, the terminals (models, OS, app versions, connectivity as
 * the fleet simulator's catalogue), 30 staff (agents and field engineers in teams, an admin, a risk analyst)
 * and some merchant users; tickets over the last two years (numbers in time order, the volume growing over
 * time; ≈ 3 % open across statuses, priorities and assignees, the rest resolved or closed; causes from the
 * fault taxonomy in a realistic mix; titles and descriptions in the clerk's words in Chinese or English by
 * the merchant's language; search_tokens exactly as the ticket service writes them; SLA due times, breaches
 * and reopen counts), ~3 timeline events a ticket, ratings for ~40 % of the resolved, and knowledge-base
 * articles (mostly published, both languages, search_tokens from the knowledge base's own
 * articleSearchTokens). A second, small organization proves that queues stay scoped.
 *
 * Fast path: inside one transaction the secondary indexes of the big tables are dropped and rebuilt after
 * the COPY (a bulk build is several times cheaper than index maintenance per row), foreign-key triggers
 * are skipped when the role may (the data is generated consistent), and generating the next chunk overlaps
 * with the database writing the previous one. Then VACUUM ANALYZE (PostgreSQL) so that plans and
 * index-only scans see the real data.
 *
 * Target: DATABASE_URL when set (migrated first), otherwise a new database on BENCH_DATABASE_URL's server
 * (default postgres://postgres@127.0.0.1:5432/test) that is kept and printed.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { causeTitle, faultCause, type FaultCategory } from '@poscare/codes';
import { APP_VERSIONS, MERCHANT_KINDS, MODELS, merchantReport, Rng, type ModelSpec } from '@poscare/simulator';
import { openDatabase, type Database, type RawTx } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { hashPassword } from '../src/auth/password.js';
import { ticketSearchTokens } from '../src/tickets/service.js';
import { articleSearchTokens } from '../src/knowledge/search.js';
import {
  CAUSE_MIX,
  CITIES,
  CONTEXT,
  EXTRA_PHRASES,
  KB_STEPS,
  KB_SUMMARY,
  KB_TITLES,
  PLAN_KIND_BY_CATEGORY,
  PLAN_SUMMARY,
  RATING_COMMENTS,
  STAFF_NAMES,
  STATUS_NOTES,
  TEAMS,
} from './deskCatalog.js';

/** Every seeded user signs in with this password (bench data only). */
export const DESK_PASSWORD = 'Desk-Bench-2026';
export const DESK_ORG_NAME = 'Desk bench acquirer';

export interface SeedOptions {
  tickets: number;
  terminals: number;
  articles: number;
  /** Default: terminals / 50 and terminals / 5. */
  merchants?: number;
  sites?: number;
  seed?: number;
  /** The end of the two years of history (default: now). */
  now?: Date;
  /** PostgreSQL URL of `db`, for VACUUM ANALYZE outside a transaction. */
  url?: string;
  log?: (line: string) => void;
}

export interface SeedResult {
  orgId: string;
  otherOrgId: string;
  seconds: number;
  rows: Record<string, number>;
  rowsPerSecond: number;
  mix: Record<string, number>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const OPEN_STATUSES = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant'] as const;
const WORKING = ['triaged', 'locating', 'planned', 'in_progress', 'verifying'] as const;
/** First response and resolution, by priority (business-hour policies flattened to wall-clock minutes). */
const SLA_MIN: Record<string, [number, number]> = { p1: [15, 4 * 60], p2: [30, 8 * 60], p3: [60, 24 * 60], p4: [240, 72 * 60] };
const TABLES = ['tickets', 'ticket_events', 'ticket_ratings', 'kb_articles', 'kb_article_versions'];

// ---- COPY text format --------------------------------------------------------------------------

const ESC = /[\\\t\n\r]/g;
const NEEDS_ESC = /[\\\t\n\r]/;
const escMap: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** One field in PostgreSQL's COPY text format (tab-separated, \N for NULL). */
function f(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return NEEDS_ESC.test(v) ? v.replace(ESC, (c) => escMap[c]!) : v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return f(JSON.stringify(v));
}
const line = (...vs: unknown[]) => vs.map(f).join('\t') + '\n';
const pgArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

// ---- the world -----------------------------------------------------------------------------------

interface Merchant { id: string; name: { zh: string; en: string }; tier: string; language: 'zh-CN' | 'en-US'; weight: number; kind: number; userId: string | null }
interface Site { id: string; merchant: number; city: number }
interface Terminal { id: string; site: number; merchant: number; model: ModelSpec }
interface Staff { id: string; name: string; role: string; team: string | null }

interface OrgPlan {
  orgId: string;
  name: string;
  merchants: number;
  sites: number;
  terminals: number;
  tickets: number;
  articles: number;
  staff: number;
  tag: string;
}

const pickWeighted = <T,>(rng: Rng, entries: readonly (readonly [T, number])[]) => rng.weighted(entries);

/** Cumulative weights for fast weighted picks over large lists. */
function cumulative(weights: readonly number[]): (u: number) => number {
  const cum = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => (cum[i] = s += w));
  return (u) => {
    const x = u * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export async function seedDesk(db: Database, opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  const t0 = performance.now();
  const now = opts.now ?? new Date();
  const rng = new Rng(opts.seed ?? 42);
  await migrate(db);
  const passwordHash = await hashPassword(DESK_PASSWORD);
  const tag = randomUUID().slice(0, 6);
  const main: OrgPlan = {
    orgId: randomUUID(),
    name: DESK_ORG_NAME,
    merchants: opts.merchants ?? Math.max(5, Math.round(opts.terminals / 50)),
    sites: opts.sites ?? Math.max(10, Math.round(opts.terminals / 5)),
    terminals: opts.terminals,
    tickets: opts.tickets,
    articles: opts.articles,
    staff: 30,
    tag,
  };
  // The second organization: 1 % of the first, enough to show up in any query that forgot its scope.
  const other: OrgPlan = {
    orgId: randomUUID(),
    name: 'Desk bench second org',
    merchants: Math.max(2, Math.round(main.merchants / 100)),
    sites: Math.max(4, Math.round(main.sites / 100)),
    terminals: Math.max(10, Math.round(main.terminals / 100)),
    tickets: Math.max(20, Math.round(main.tickets / 100)),
    articles: Math.max(5, Math.round(main.articles / 100)),
    staff: 3,
    tag: `${tag}b`,
  };
  const rows: Record<string, number> = {};
  const add = (table: string, n: number) => (rows[table] = (rows[table] ?? 0) + n);
  const mix: Record<string, number> = {};

  await db.rawTransaction(async (tx) => {
    await tx.query(`SET LOCAL synchronous_commit = off`);
    await tx.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    const [role] = await tx.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
    if (role?.rolsuper) await tx.query(`SET LOCAL session_replication_role = replica`);
    // Drop the secondary indexes of the big tables; rebuilt below from their own definitions.
    const indexes = await tx.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [TABLES],
    );
    for (const i of indexes) await tx.query(`DROP INDEX "${i.indexname}"`);

    for (const plan of [main, other]) {
      await seedOrg(tx, plan, { rng, now, passwordHash, add, mix, log });
    }

    log(`rebuilding ${indexes.length} indexes`);
    const ti = performance.now();
    for (const i of indexes) await tx.query(i.indexdef);
    log(`indexes rebuilt in ${((performance.now() - ti) / 1000).toFixed(1)} s`);
  });

  const ta = performance.now();
  if (db.kind === 'postgres' && opts.url) {
    const c = new pg.Client({ connectionString: opts.url });
    await c.connect();
    await c.query('VACUUM (ANALYZE) tickets, ticket_events, ticket_ratings, kb_articles, kb_article_versions, terminals, sites, merchants, users');
    await c.end();
  } else {
    await db.rawTransaction((tx) => tx.query('ANALYZE'));
  }
  log(`vacuum/analyze in ${((performance.now() - ta) / 1000).toFixed(1)} s`);
  const seconds = (performance.now() - t0) / 1000;
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  return { orgId: main.orgId, otherOrgId: other.orgId, seconds: +seconds.toFixed(1), rows, rowsPerSecond: Math.round(total / seconds), mix };
}

interface Env {
  rng: Rng;
  now: Date;
  passwordHash: string;
  add: (table: string, n: number) => void;
  mix: Record<string, number>;
  log: (line: string) => void;
}

async function seedOrg(tx: RawTx, o: OrgPlan, env: Env): Promise<void> {
  const { rng, now, add } = env;
  const nowMs = now.getTime();
  const created = new Date(nowMs - 2 * 365 * DAY - 30 * DAY);
  await tx.query(`INSERT INTO organizations (id, name, kind, created_at) VALUES ($1, $2, 'acquirer', $3)`, [o.orgId, o.name, created]);
  add('organizations', 1);

  // Merchants: kinds as the simulator's catalogue; sizes zipf-like (a few chains, many single shops).
  const merchants: Merchant[] = [];
  const kindPick = MERCHANT_KINDS.map((k, i) => [i, k.weight] as const);
  const order = rng.shuffle(Array.from({ length: o.merchants }, (_, i) => i));
  for (let i = 0; i < o.merchants; i++) {
    const kind = pickWeighted(rng, kindPick);
    const brand = rng.pick(MERCHANT_KINDS[kind]!.names);
    const rank = order[i]! + 1;
    const weight = 1 / rank ** 0.6;
    const tier = rank <= o.merchants * 0.05 ? 'platinum' : rank <= o.merchants * 0.2 ? 'gold' : 'standard';
    merchants.push({ id: randomUUID(), name: { zh: `${brand.zh}${i + 1}号`, en: `${brand.en} #${i + 1}` }, tier, language: rng.chance(0.85) ? 'zh-CN' : 'en-US', weight, kind, userId: null });
  }
  let buf = '';
  merchants.forEach((m, i) => {
    const host = rng.weighted([['cup-east', 0.5], ['acq-north', 0.3], ['acq-south', 0.2]] as const);
    buf += line(m.id, o.orgId, `8983${String(i + 1).padStart(7, '0')}${o.tag.slice(0, 4)}`, m.language === 'zh-CN' ? m.name.zh : m.name.en, m.tier, m.language, host, created);
  });
  await tx.copyIn('merchants', ['id', 'org_id', 'mid', 'name', 'tier', 'language', 'acquirer_host', 'created_at'], buf, 'text');
  add('merchants', merchants.length);

  // Sites: one per merchant, the rest by merchant size.
  const merchantOf = cumulative(merchants.map((m) => m.weight));
  const sites: Site[] = merchants.map((_, i) => ({ id: randomUUID(), merchant: i, city: rng.int(0, CITIES.length - 1) }));
  while (sites.length < o.sites) {
    const m = merchantOf(rng.next());
    // A chain stays mostly in its home city.
    const home = sites[m]!.city;
    sites.push({ id: randomUUID(), merchant: m, city: rng.chance(0.7) ? home : rng.int(0, CITIES.length - 1) });
  }
  buf = '';
  sites.forEach((s, i) => {
    const m = merchants[s.merchant]!;
    const c = CITIES[s.city]!;
    const d = rng.pick(c.districts);
    const zh = m.language === 'zh-CN';
    buf += line(s.id, o.orgId, m.id, `S${String(i + 1).padStart(6, '0')}`, zh ? `${m.name.zh} ${c.zh}${d}店` : `${m.name.en} ${c.en} ${d}`, `${c.zh}市${d}区${rng.int(1, 300)}号`, c.en, created);
  });
  await tx.copyIn('sites', ['id', 'org_id', 'merchant_id', 'code', 'name', 'address', 'region', 'created_at'], buf, 'text');
  add('sites', sites.length);

  // Terminals: one per site, the rest by site size (supermarkets and fuel stations have more tills).
  const siteOf = cumulative(sites.map((s) => (merchants[s.merchant]!.kind === 3 || merchants[s.merchant]!.kind === 4 ? 3 : 1)));
  const modelPick = MODELS.map((m) => [m, m.weight] as const);
  const terminals: Terminal[] = [];
  const siteModel = new Map<number, ModelSpec>();
  for (let i = 0; i < o.terminals; i++) {
    const site = i < sites.length ? i : siteOf(rng.next());
    // A site usually buys one model.
    let model = siteModel.get(site);
    if (!model || rng.chance(0.15)) {
      model = pickWeighted(rng, modelPick);
      if (!siteModel.has(site)) siteModel.set(site, model);
    }
    terminals.push({ id: randomUUID(), site, merchant: sites[site]!.merchant, model });
  }
  const appVersions = [['3.7.5', 0.05] as const, ...APP_VERSIONS];
  for (let start = 0; start < terminals.length; start += 50_000) {
    buf = '';
    for (let i = start; i < Math.min(terminals.length, start + 50_000); i++) {
      const t = terminals[i]!;
      const serial = `${t.model.vendor.slice(0, 2).toUpperCase()}${t.model.model.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}${o.tag.slice(0, 2).toUpperCase()}${String(i).padStart(7, '0')}`;
      const state = rng.weighted([['active', 0.92], ['installed', 0.03], ['in_repair', 0.02], ['swapped_out', 0.01], ['retired', 0.02]] as const);
      buf += line(t.id, o.orgId, merchants[t.merchant]!.id, sites[t.site]!.id, serial, String(10_000_000 + i), t.model.vendor, t.model.model, t.model.os, rng.weighted(appVersions), t.model.firmware, rng.weighted(t.model.connectivity), state, created, created);
    }
    await tx.copyIn('terminals', ['id', 'org_id', 'merchant_id', 'site_id', 'serial_number', 'tid', 'vendor', 'model', 'os_version', 'app_version', 'firmware_version', 'connectivity', 'lifecycle_state', 'created_at', 'updated_at'], buf, 'text');
  }
  add('terminals', terminals.length);

  // Staff: agents and engineers in teams, one admin, one risk analyst; merchant users for the biggest merchants.
  const staff: Staff[] = [];
  for (let i = 0; i < o.staff; i++) {
    const role = i === 0 ? 'admin' : i === 1 ? 'risk_analyst' : i < Math.max(3, Math.round(o.staff * 0.73)) ? 'agent' : 'engineer';
    const team = role === 'agent' ? TEAMS.agent[i % TEAMS.agent.length]! : role === 'engineer' ? TEAMS.engineer[i % TEAMS.engineer.length]! : null;
    staff.push({ id: randomUUID(), name: STAFF_NAMES[i % STAFF_NAMES.length]!, role, team });
  }
  buf = '';
  staff.forEach((s, i) => {
    buf += line(s.id, o.orgId, null, `${s.role}${String(i).padStart(2, '0')}.${o.tag}@desk.bench`, s.name, s.role, env.passwordHash, 'zh-CN', s.team, created);
  });
  const bySize = merchants.map((m, i) => [i, m.weight] as const).sort((a, b) => b[1] - a[1]);
  const withUsers = bySize.slice(0, Math.min(50, merchants.length));
  for (const [rank, [mi]] of withUsers.entries()) {
    const m = merchants[mi]!;
    m.userId = randomUUID();
    buf += line(m.userId, o.orgId, m.id, `merchant${String(rank).padStart(2, '0')}.${o.tag}@desk.bench`, `${m.name.zh} 店长`, 'merchant', env.passwordHash, m.language, null, created);
  }
  await tx.copyIn('users', ['id', 'org_id', 'merchant_id', 'email', 'name', 'role', 'password_hash', 'language', 'team', 'created_at'], buf, 'text');
  add('users', staff.length + withUsers.length);
  const agents = staff.filter((s) => s.role === 'agent');
  const engineers = staff.filter((s) => s.role === 'engineer');

  await seedTickets(tx, o, env, { merchants, sites, terminals, agents, engineers });
  await seedArticles(tx, o, env, staff);
}

// ---- tickets -------------------------------------------------------------------------------------

interface World {
  merchants: Merchant[];
  sites: Site[];
  terminals: Terminal[];
  agents: Staff[];
  engineers: Staff[];
}

const causePick = CAUSE_MIX.map((c, i) => [i, c.weight] as const);
const categoryOf = new Map(CAUSE_MIX.map((c) => [c.code, faultCause(c.code).category as FaultCategory]));
const sourcePick = [['merchant', 0.35], ['agent', 0.3], ['alert', 0.25], ['troubleshooter', 0.07], ['api', 0.03]] as const;
const openPick = [['new', 0.12], ['triaged', 0.12], ['locating', 0.12], ['planned', 0.14], ['in_progress', 0.25], ['verifying', 0.1], ['waiting_merchant', 0.15]] as const;

function priorityFor(rng: Rng, code: string | null, source: string): string {
  if (code && (code.startsWith('sec.') || code === 'ext.host.outage' || code === 'net.site.outage')) return rng.weighted([['p1', 0.5], ['p2', 0.4], ['p3', 0.1]] as const);
  if (source === 'alert') return rng.weighted([['p1', 0.04], ['p2', 0.26], ['p3', 0.5], ['p4', 0.2]] as const);
  return rng.weighted([['p1', 0.02], ['p2', 0.13], ['p3', 0.53], ['p4', 0.32]] as const);
}

const lognormal = (rng: Rng, median: number, sigma: number) => median * Math.exp(rng.normal(0, sigma));
/** Sentences joined the way each language ends them. */
const sentences = (parts: readonly string[], lang: 'zh' | 'en') =>
  parts
    .filter(Boolean)
    .map((p) => (/[。.!！?？]$/.test(p) ? p : `${p}${lang === 'zh' ? '。' : '.'}`))
    .join(lang === 'zh' ? '' : ' ');

async function seedTickets(tx: RawTx, o: OrgPlan, env: Env, w: World): Promise<void> {
  const { rng, now, add, mix, log } = env;
  const nowMs = now.getTime();
  const span = 2 * 365 * DAY;
  const startMs = nowMs - span;
  const tokens = new Map<string, string>();
  const tokensOf = (title: string, description: string, cause: string | null) => {
    const key = `${title}\u0000${description}\u0000${cause}`;
    let v = tokens.get(key);
    if (v === undefined) {
      v = ticketSearchTokens(title, description, cause);
      if (tokens.size < 200_000) tokens.set(key, v);
    }
    return v;
  };
  const dedupe = new Set<string>();
  const CHUNK = 25_000;
  let pending: Promise<void> = Promise.resolve();
  const t0 = performance.now();
  for (let start = 0; start < o.tickets; start += CHUNK) {
    let tickets = '';
    let events = '';
    let ratings = '';
    let nEvents = 0;
    let nRatings = 0;
    const end = Math.min(o.tickets, start + CHUNK);
    for (let i = start; i < end; i++) {
      // Creation times in number order, the volume growing from 0.6× to 1.4× over the two years.
      const u = (i + rng.next()) / o.tickets;
      const x = (-0.6 + Math.sqrt(0.36 + 1.6 * u)) / 0.8;
      const createdMs = Math.min(nowMs - MIN, startMs + x * span);
      const age = (nowMs - createdMs) / DAY;
      const id = randomUUID();
      const number = `T${String(i + 1).padStart(6, '0')}`;
      const hasTerminal = rng.chance(0.96);
      const term = w.terminals[rng.int(0, w.terminals.length - 1)]!;
      const site = w.sites[term.site]!;
      const merchant = w.merchants[term.merchant]!;
      const lang = merchant.language === 'zh-CN' ? 'zh' : 'en';
      const source = rng.weighted(sourcePick);
      const cm = CAUSE_MIX[rng.weighted(causePick)]!;

      // Status from age: recent tickets are still being worked, a few old ones wait on the merchant.
      let status: string;
      if (rng.chance(Math.exp(-age / 16) * (age < 120 ? 1 : 0))) status = rng.weighted(openPick);
      else if (age < 10 ? rng.chance(0.85) : rng.chance(0.15 * Math.exp(-(age - 10) / 10))) status = 'resolved';
      else status = 'closed';
      const open = (OPEN_STATUSES as readonly string[]).includes(status);
      const cause = status === 'new' && rng.chance(0.3) ? null : cm.code;
      const category = cause ? categoryOf.get(cause)! : null;
      const priority = priorityFor(rng, cause, source);

      // The clerk's words: the simulator's phrases for the cause's symptoms, or ours.
      const extra = EXTRA_PHRASES[cm.code];
      const said = (telling: boolean) =>
        cm.symptoms.length && !(extra && rng.chance(0.5))
          ? merchantReport(rng, { language: merchant.language, symptoms: cm.symptoms as never, telling, vague: !telling && rng.chance(0.08) })
          : extra
            ? rng.pick(extra[lang])
            : merchantReport(rng, { language: merchant.language, symptoms: [], vague: true });
      const phrase = said(true);
      const title =
        source === 'alert' && cause
          ? `${causeTitle(cause, lang === 'zh' ? 'zh-CN' : 'en-US')}${lang === 'zh' ? '（告警）' : ' (alert)'}`
          : source === 'agent'
            ? `${lang === 'zh' ? '来电：' : 'Caller: '}${phrase}`
            : phrase;
      const ctx = rng.pick(CONTEXT[lang]);
      const description = sentences([said(false), ctx, hasTerminal ? `${lang === 'zh' ? '机型' : 'Model'}: ${term.model.vendor} ${term.model.model}` : ''], lang);
      const searchTokens = tokensOf(title, description, cause);

      // People and times.
      const engineerJob = category === 'hardware' || category === 'environment' || category === 'security';
      const assignee = status === 'new' && rng.chance(0.8) ? null : engineerJob && rng.chance(0.35) && w.engineers.length ? rng.pick(w.engineers) : rng.pick(w.agents);
      const createdBy = source === 'agent' ? rng.pick(w.agents).name : source === 'alert' ? 'alert rule' : lang === 'zh' ? `${merchant.name.zh} 店员` : `${merchant.name.en} staff`;
      const created = new Date(createdMs);
      const [frMin, resMin] = SLA_MIN[priority]!;
      const firstResponseDue = new Date(createdMs + frMin! * MIN);
      const resolutionDue = new Date(createdMs + resMin! * MIN);
      const responded = status !== 'new';
      // Most answered and resolved within the SLA (medians at 30 % of it), some late.
      const firstResponseAt = responded ? new Date(Math.min(nowMs, createdMs + Math.min(lognormal(rng, frMin! * 0.3, 0.9), 3 * 24 * 60) * MIN)) : null;
      let resolvedAt: Date | null = null;
      let closedAt: Date | null = null;
      if (status === 'resolved' || status === 'closed') {
        const took = Math.min(lognormal(rng, resMin! * 0.3 * MIN, 0.9), Math.max(HOUR, age * DAY * 0.9));
        resolvedAt = new Date(createdMs + took);
        if (status === 'closed') {
          const closeMs = resolvedAt.getTime() + rng.range(1, 7) * DAY;
          if (closeMs < nowMs) closedAt = new Date(closeMs);
          else status = 'resolved';
        }
      }
      const reopenCount = resolvedAt ? (rng.chance(0.04) ? (rng.chance(0.12) ? 2 : 1) : 0) : status === 'in_progress' && rng.chance(0.05) ? 1 : 0;
      const updatedMs = closedAt ? closedAt.getTime() : resolvedAt ? resolvedAt.getTime() : createdMs + rng.next() * (nowMs - createdMs);
      // Waiting for the merchant pauses the clocks: many of those are not late.
      const breached =
        (firstResponseAt ? firstResponseAt > firstResponseDue : nowMs > firstResponseDue.getTime()) ||
        (resolvedAt ? resolvedAt > resolutionDue : open && nowMs > resolutionDue.getTime() && !(status === 'waiting_merchant' && rng.chance(0.6)));
      const planned = !['new', 'triaged', 'locating'].includes(status) && cause && !(status === 'waiting_merchant' && rng.chance(0.5));
      const planKind = planned ? rng.weighted(PLAN_KIND_BY_CATEGORY[category!]) : null;
      const plan = planKind ? { kind: planKind, summary: rng.pick(PLAN_SUMMARY[planKind]![lang]), currency: 'CNY', estimatedMinutes: rng.pick([30, 60, 120, 240]) } : null;
      const eta = planned && open ? new Date(nowMs + rng.range(2, 72) * HOUR) : null;
      const resumeStatus = status === 'waiting_merchant' ? rng.pick(WORKING) : null;
      const dedupeKey = open && hasTerminal && cause && !dedupe.has(`${term.id}:${cause}`) ? `${term.id}:${cause}` : null;
      if (dedupeKey) dedupe.add(dedupeKey);
      const slaWakeAt = open ? (responded ? resolutionDue : firstResponseDue) : null;
      mix[status] = (mix[status] ?? 0) + 1;

      tickets += line(
        id, o.orgId, number, title, description, status, priority, source, category, cause,
        hasTerminal ? term.id : null, site.id, merchant.id, assignee?.id ?? null, dedupeKey, plan, resumeStatus, createdBy,
        created, new Date(updatedMs), firstResponseAt, resolvedAt, closedAt, eta, slaWakeAt,
        firstResponseDue, resolutionDue, breached, reopenCount, searchTokens,
      );

      // Timeline: created, then the steps that got it where it is.
      const ev = (at: number, type: string, actor: Staff | null, actorName: string | null, from: string | null, to: string | null, body: string | null, internal = false) => {
        events += line(id, o.orgId, new Date(at), type, actorName ?? actor?.name ?? null, actor?.id ?? null, from, to, body, internal);
        nEvents++;
      };
      ev(createdMs, 'created', null, createdBy, null, 'new', description);
      if (assignee && rng.chance(0.3)) ev(createdMs + (firstResponseAt ? firstResponseAt.getTime() - createdMs : MIN) / 2, 'assigned', assignee, null, null, assignee.name, null, true);
      if (resolvedAt) {
        ev(resolvedAt.getTime(), 'status', assignee, null, 'verifying', 'resolved', rng.pick(STATUS_NOTES[lang]));
        if (closedAt) ev(closedAt.getTime(), 'status', null, 'system', 'resolved', 'closed', null);
        if (rng.chance(0.1)) ev((createdMs + resolvedAt.getTime()) / 2, 'comment', assignee, null, null, null, rng.pick(STATUS_NOTES[lang]));
      } else if (status !== 'new') {
        const from = status === 'waiting_merchant' ? resumeStatus! : 'new';
        ev(firstResponseAt ? firstResponseAt.getTime() : createdMs, 'status', assignee, null, from, status, status === 'waiting_merchant' ? (lang === 'zh' ? '请商户确认门店网络和终端位置' : 'Asked the merchant to confirm the shop network and where the terminal is') : null);
      }

      // Ratings for ~40 % of what was resolved, within the 7 days a rating stays open.
      if (resolvedAt && rng.chance(0.4)) {
        const score = rng.weighted([[5, 0.55], [4, 0.25], [3, 0.1], [2, 0.05], [1, 0.05]] as const);
        const ratedMs = Math.min(nowMs - MIN, resolvedAt.getTime() + Math.min(lognormal(rng, 6 * HOUR, 1), 7 * DAY - HOUR));
        ratings += line(id, o.orgId, score, rng.chance(0.3) ? rng.pick(RATING_COMMENTS[lang]) : null, merchant.userId, new Date(ratedMs), assignee?.id ?? null, assignee?.team ?? null, cause, merchant.id);
        nRatings++;
      }
    }
    // The database writes this chunk while the next one is made.
    await pending;
    const n = end - start;
    pending = (async () => {
      await tx.copyIn(
        'tickets',
        ['id', 'org_id', 'number', 'title', 'description', 'status', 'priority', 'source', 'category', 'cause_code', 'terminal_id', 'site_id', 'merchant_id', 'assignee_id', 'dedupe_key', 'plan', 'resume_status', 'created_by', 'created_at', 'updated_at', 'first_response_at', 'resolved_at', 'closed_at', 'eta', 'sla_wake_at', 'first_response_due', 'resolution_due', 'sla_breached', 'reopen_count', 'search_tokens'],
        tickets,
        'text',
      );
      await tx.copyIn('ticket_events', ['ticket_id', 'org_id', 'at', 'type', 'actor', 'actor_id', 'from_value', 'to_value', 'body', 'internal'], events, 'text');
      if (ratings) await tx.copyIn('ticket_ratings', ['ticket_id', 'org_id', 'score', 'comment', 'rated_by', 'rated_at', 'agent_id', 'team', 'cause_code', 'merchant_id'], ratings, 'text');
      add('tickets', n);
      add('ticket_events', nEvents);
      add('ticket_ratings', nRatings);
    })();
    if ((end / CHUNK) % 8 === 0 || end === o.tickets) log(`${o.name}: ${end.toLocaleString('en')} tickets generated (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await pending;
  await tx.query(`INSERT INTO ticket_counters (org_id, next) VALUES ($1, $2) ON CONFLICT (org_id) DO UPDATE SET next = excluded.next`, [o.orgId, o.tickets + 1]);
}

// ---- knowledge base ------------------------------------------------------------------------------

async function seedArticles(tx: RawTx, o: OrgPlan, env: Env, staff: Staff[]): Promise<void> {
  const { rng, now, add } = env;
  const nowMs = now.getTime();
  let articles = '';
  let versions = '';
  const fill = (s: string, c: string, m: string) => s.replace('{c}', c).replace('{m}', m);
  const writers = staff.filter((s) => s.role !== 'risk_analyst');
  for (let i = 0; i < o.articles; i++) {
    const cm = CAUSE_MIX[i % CAUSE_MIX.length]!;
    const code = cm.code;
    const category = categoryOf.get(code)!;
    const model = MODELS[Math.floor(i / CAUSE_MIX.length) % MODELS.length]!;
    const m = `${model.vendor} ${model.model}`;
    const cz = causeTitle(code, 'zh-CN');
    const ce = causeTitle(code, 'en-US');
    const v = rng.int(0, KB_TITLES.zh.length - 1);
    const title = { 'zh-CN': fill(KB_TITLES.zh[v]!, cz, m), 'en-US': fill(KB_TITLES.en[v]!, ce, m) };
    const sv = rng.int(0, KB_SUMMARY.zh.length - 1);
    const summary = { 'zh-CN': fill(KB_SUMMARY.zh[sv]!, cz, m), 'en-US': fill(KB_SUMMARY.en[sv]!, ce, m) };
    const extra = EXTRA_PHRASES[code];
    const heard = (language: 'zh-CN' | 'en-US') =>
      Array.from({ length: 3 }, () =>
        cm.symptoms.length ? merchantReport(rng, { language, symptoms: cm.symptoms as never }) : extra ? rng.pick(extra[language === 'zh-CN' ? 'zh' : 'en']) : merchantReport(rng, { language, symptoms: [], vague: true }),
      );
    const pool = KB_STEPS[category];
    const steps = rng.shuffle(pool).slice(0, rng.int(Math.min(3, pool.length), pool.length)).map((s) => ({ text: { 'zh-CN': s.zh, 'en-US': s.en } }));
    const body = {
      'zh-CN': `## 商户常见描述\n${heard('zh-CN').map((s) => `- ${s}`).join('\n')}\n\n## 原因\n${cz}。适用机型：${m}。\n\n## 处理\n${steps.map((s, k) => `${k + 1}. ${s.text['zh-CN']}`).join('\n')}`,
      'en-US': `## What merchants say\n${heard('en-US').map((s) => `- ${s}`).join('\n')}\n\n## Cause\n${ce}. Applies to: ${m}.\n\n## Fix\n${steps.map((s, k) => `${k + 1}. ${s.text['en-US']}`).join('\n')}`,
    };
    const causeCodes = rng.chance(0.2) ? [code, CAUSE_MIX[rng.int(0, CAUSE_MIX.length - 1)]!.code].filter((c, k, a) => a.indexOf(c) === k) : [code];
    const tags = [category, model.vendor.toLowerCase(), model.model.toLowerCase()];
    const status = rng.weighted([['published', 0.85], ['draft', 0.1], ['archived', 0.05]] as const);
    const version = rng.weighted([[1, 0.6], [2, 0.3], [3, 0.1]] as const);
    const createdMs = nowMs - rng.range(1, 730) * DAY;
    const updatedMs = createdMs + rng.next() * (nowMs - createdMs);
    const author = rng.pick(writers);
    const id = randomUUID();
    const tokens = articleSearchTokens({ title, summary, body, steps, causeCodes, tags });
    articles += line(id, o.orgId, status, version, pgArray(causeCodes), title, summary, body, steps, pgArray(tags), tokens, rng.int(0, 5000), rng.int(0, 300), author.name, author.name, new Date(createdMs), new Date(updatedMs), status === 'draft' ? null : new Date(updatedMs));
    versions += line(id, version, o.orgId, { title, summary, body, steps, causeCodes, tags, status }, version === 1 ? null : 'update', author.name, author.id, new Date(updatedMs));
  }
  await tx.copyIn('kb_articles', ['id', 'org_id', 'status', 'version', 'cause_codes', 'title', 'summary', 'body', 'steps', 'tags', 'search_tokens', 'views', 'helpful', 'created_by', 'updated_by', 'created_at', 'updated_at', 'published_at'], articles, 'text');
  await tx.copyIn('kb_article_versions', ['article_id', 'version', 'org_id', 'snapshot', 'note', 'author', 'author_id', 'at'], versions, 'text');
  add('kb_articles', o.articles);
  add('kb_article_versions', o.articles);
}

// ---- command line --------------------------------------------------------------------------------

export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** A new database on the server of `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, name: string, dropFirst = false): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    if (dropFirst) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const num = (name: string, dflt: number) => Number((argValue(argv, name) ?? String(dflt)).replace(/[_,]/g, ''));
  const opts = { tickets: num('tickets', 1_000_000), terminals: num('terminals', 100_000), articles: num('articles', 20_000), seed: num('seed', 42) };
  let url = process.env.DATABASE_URL;
  if (!url) url = await createDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', `poscare_desk_${Date.now().toString(36)}`);
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`seeding ${url.replace(/\/\/[^@]*@/, '//')}: ${JSON.stringify(opts)}`);
  const r = await seedDesk(db, { ...opts, url, log });
  await db.close();
  console.log(JSON.stringify({ database: url.replace(/\/\/[^@]*@/, '//'), ...opts, ...r }, null, 2));
}
