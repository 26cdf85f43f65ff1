/**
 * Service-desk history for `poscare start --demo`, so the reports have something to say: about 200
 * tickets over the last 8 weeks on the demo fleet (causes that follow models, versions and regions as
 * real fleets do), most resolved and many rated, a few reopened or past their SLA, some still open.
 * Written with COPY in a handful of statements; reproducible (a fixed pseudo-random sequence).
 */
import { randomUUID } from 'node:crypto';
import { causeTitle, faultCause } from '@poscare/codes';
import type { TicketPriority } from '@poscare/contracts';
import { csvRows, type Database } from '../db/client.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const DEMO_HISTORY_TICKETS = 200;
const WEEKS = 8;

/** Resolution target per priority, in hours (simplified: the live SLA engine uses business calendars). */
const DUE_HOURS: Record<TicketPriority, number> = { p1: 4, p2: 8, p3: 24, p4: 72 };

/** How often each cause is reported, and how long it takes to fix (median hours). */
const CAUSES: { code: string; weight: number; hours: number; priority: TicketPriority }[] = [
  { code: 'hw.printer.jam', weight: 14, hours: 6, priority: 'p3' },
  { code: 'hw.printer.paper_out', weight: 10, hours: 1.5, priority: 'p4' },
  { code: 'hw.reader.chip', weight: 9, hours: 30, priority: 'p3' },
  { code: 'hw.reader.contactless', weight: 6, hours: 26, priority: 'p3' },
  { code: 'hw.battery.degraded', weight: 7, hours: 40, priority: 'p4' },
  { code: 'net.signal.weak', weight: 8, hours: 10, priority: 'p3' },
  { code: 'net.site.outage', weight: 4, hours: 5, priority: 'p2' },
  { code: 'sw.app.crash', weight: 7, hours: 12, priority: 'p3' },
  { code: 'sw.update.regression', weight: 5, hours: 18, priority: 'p2' },
  { code: 'op.not_signed_in', weight: 6, hours: 0.8, priority: 'p4' },
  { code: 'op.settlement.overdue', weight: 4, hours: 2, priority: 'p4' },
  { code: 'ext.host.outage', weight: 3, hours: 3, priority: 'p2' },
  { code: 'ext.card.damaged', weight: 4, hours: 0.5, priority: 'p4' },
  { code: 'sec.tamper', weight: 1, hours: 20, priority: 'p1' },
];

const COMMENTS = ['师傅来得很快，问题解决了', '处理及时，谢谢', '等了太久才有人上门', '电话里讲得很清楚', 'Fixed quickly, thanks', '打印机还是偶尔卡纸', '希望以后能提前通知', 'Good support'];

/** A small deterministic generator (mulberry32), so every demo start tells the same history. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    weighted: <T>(xs: readonly { weight: number; v: T }[]): T => {
      let r = next() * xs.reduce((a, x) => a + x.weight, 0);
      for (const x of xs) if ((r -= x.weight) <= 0) return x.v;
      return xs.at(-1)!.v;
    },
    /** Log-normal around a median (spread ~ ×/÷ 2.2). */
    around: (median: number) => median * Math.exp((next() + next() + next() - 1.5) * 1.15),
  };
}

interface DemoTerminal {
  id: string;
  merchant_id: string | null;
  site_id: string | null;
  model: string;
  app_version: string | null;
  region: string | null;
}

/** Adds the history once (when the organization has no tickets yet). Returns how many tickets it wrote. */
export async function seedServiceDeskHistory(db: Database, orgId: string, now: Date): Promise<number> {
  return db.rawTransaction(async (tx) => {
    const [existing] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE org_id = $1', [orgId]);
    if (Number(existing?.n ?? 0) > 0) return 0;
    const terminals = await tx.query<DemoTerminal>(
      `SELECT t.id, t.merchant_id, t.site_id, t.model, t.app_version, s.region FROM terminals t LEFT JOIN sites s ON s.id = t.site_id
        WHERE t.org_id = $1 AND t.site_id IS NOT NULL AND t.lifecycle_state = 'active' ORDER BY t.serial_number LIMIT 2000`,
      [orgId],
    );
    if (!terminals.length) return 0;
    // Teams for the demo staff, so satisfaction per team has groups.
    await tx.query(
      `UPDATE users SET team = CASE WHEN role = 'engineer' THEN '现场服务' WHEN role = 'admin' THEN '二线支持' ELSE '一线支持' END
        WHERE org_id = $1 AND team IS NULL AND role IN ('admin', 'agent', 'engineer')`,
      [orgId],
    );
    const staff = await tx.query<{ id: string; name: string; role: string }>(
      `SELECT id, name, role FROM users WHERE org_id = $1 AND role IN ('admin', 'agent', 'engineer') AND NOT disabled ORDER BY created_at`,
      [orgId],
    );
    const raters = new Map((await tx.query<{ id: string; merchant_id: string }>(`SELECT id, merchant_id FROM users WHERE org_id = $1 AND role = 'merchant'`, [orgId])).map((u) => [u.merchant_id, u.id]));
    const r = rng(20260302);
    const models = [...new Set(terminals.map((t) => t.model))].sort();
    const versions = [...new Set(terminals.map((t) => t.app_version).filter((v): v is string => !!v))].sort();
    const regions = [...new Set(terminals.map((t) => t.region).filter((v): v is string => !!v))].sort();
    // What makes the breakdowns worth reading: one model's printers jam, one version crashes, one region's signal is poor.
    const jammy = models[0];
    const crashy = versions.at(-1);
    const remote = regions[Math.floor(regions.length / 2)];

    const [counter] = await tx.query<{ first: number }>(
      `INSERT INTO ticket_counters (org_id, next) VALUES ($1, $2 + 1) ON CONFLICT (org_id) DO UPDATE SET next = ticket_counters.next + $2 RETURNING next - $2 AS first`,
      [orgId, DEMO_HISTORY_TICKETS],
    );
    let number = Number(counter!.first);
    const tickets: unknown[][] = [];
    const events: unknown[][] = [];
    const ratings: unknown[][] = [];
    const openKeys = new Set<string>();
    for (let i = 0; i < DEMO_HISTORY_TICKETS; i++) {
      const term = r.pick(terminals);
      const code = r.weighted(
        CAUSES.map((c) => ({
          v: c,
          weight:
            c.weight *
            (c.code === 'hw.printer.jam' && term.model === jammy ? 3 : 1) *
            (c.code === 'sw.app.crash' && term.app_version === crashy ? 4 : 1) *
            (c.code === 'net.signal.weak' && term.region === remote ? 4 : 1),
        })),
      );
      const createdAt = new Date(now.getTime() - r.next() * WEEKS * 7 * DAY - HOUR);
      const priority = code.priority;
      const hours = Math.max(0.25, r.around(code.hours));
      const resolvedAt = new Date(createdAt.getTime() + hours * HOUR);
      // A few old tickets stay open: the backlog that needs a look.
      const stuck = r.next() < 0.05;
      let resolved = resolvedAt.getTime() < now.getTime() && !stuck;
      const dedupeKey = `${term.id}:${code.code}`;
      if (!resolved && openKeys.has(dedupeKey)) resolved = resolvedAt.getTime() < now.getTime();
      if (!resolved && openKeys.has(dedupeKey)) continue;
      const assignee = r.next() < 0.9 ? r.pick(staff) : null;
      const due = new Date(createdAt.getTime() + DUE_HOURS[priority] * HOUR);
      const breached = resolved ? resolvedAt.getTime() > due.getTime() : now.getTime() > due.getTime();
      const reopened = resolved && r.next() < 0.08;
      const closed = resolved && now.getTime() - resolvedAt.getTime() > 3 * DAY;
      const status = resolved ? (closed ? 'closed' : 'resolved') : r.pick(['triaged', 'locating', 'planned', 'in_progress', 'waiting_merchant'] as const);
      const id = randomUUID();
      const firstResponse = new Date(createdAt.getTime() + Math.min(hours / 3, 1) * HOUR);
      const cause = faultCause(code.code);
      const source = r.weighted([{ v: 'merchant', weight: 4 }, { v: 'agent', weight: 3 }, { v: 'alert', weight: 2 }, { v: 'troubleshooter', weight: 2 }]);
      const updatedAt = resolved ? (closed ? new Date(resolvedAt.getTime() + 3 * DAY) : resolvedAt) : new Date(Math.min(now.getTime(), createdAt.getTime() + hours * HOUR * 0.3));
      if (!resolved) openKeys.add(dedupeKey);
      tickets.push([
        id, orgId, `T${String(number++).padStart(6, '0')}`, causeTitle(code.code, 'zh-CN'), '', status, priority, source, cause.category, code.code,
        term.id, term.site_id, term.merchant_id, assignee?.id ?? null, resolved ? null : dedupeKey, status === 'waiting_merchant' ? 'in_progress' : null,
        assignee?.name ?? 'PosCare', createdAt, updatedAt, firstResponse, resolved ? resolvedAt : null, closed ? updatedAt : null,
        new Date(createdAt.getTime() + Math.max(0.5, DUE_HOURS[priority] / 4) * HOUR), due, breached, reopened ? 1 : 0, term.model, term.app_version,
      ]);
      events.push([id, orgId, createdAt, 'created', source === 'alert' ? 'PosCare' : '商户', null, null, 'new', null, false]);
      if (resolved) {
        events.push([id, orgId, resolvedAt, 'status', assignee?.name ?? null, assignee?.id ?? null, 'verifying', 'resolved', null, false]);
        if (closed) events.push([id, orgId, updatedAt, 'status', assignee?.name ?? null, assignee?.id ?? null, 'resolved', 'closed', null, false]);
      }
      // Most merchants rate; fast fixes please them, slow and repeated ones do not.
      const ratedAt = new Date(resolvedAt.getTime() + (1 + r.next() * 60) * HOUR);
      if (resolved && term.merchant_id && r.next() < 0.68 && ratedAt.getTime() < now.getTime()) {
        const slow = hours / (code.hours * 1.5);
        const base = 5 - Math.min(3, slow) - (reopened ? 1.2 : 0) - (breached ? 0.6 : 0) + (r.next() - 0.4) * 1.6;
        const score = Math.max(1, Math.min(5, Math.round(base)));
        const comment = r.next() < 0.3 ? r.pick(COMMENTS) : null;
        ratings.push([id, orgId, score, comment, raters.get(term.merchant_id) ?? null, ratedAt, assignee?.id ?? null, null, code.code, term.merchant_id]);
        const stars = `${'★'.repeat(score)}${'☆'.repeat(5 - score)} ${score}/5`;
        events.push([id, orgId, ratedAt, 'rating', '商户', null, 'merchant', String(score), comment ? `${stars}\n${comment}` : stars, false]);
      }
    }
    await tx.copyIn(
      'tickets',
      ['id', 'org_id', 'number', 'title', 'description', 'status', 'priority', 'source', 'category', 'cause_code', 'terminal_id', 'site_id', 'merchant_id', 'assignee_id', 'dedupe_key', 'resume_status',
        'created_by', 'created_at', 'updated_at', 'first_response_at', 'resolved_at', 'closed_at', 'first_response_due', 'resolution_due', 'sla_breached', 'reopen_count', 'terminal_model', 'terminal_app_version'],
      csvRows(tickets),
    );
    await tx.copyIn('ticket_events', ['ticket_id', 'org_id', 'at', 'type', 'actor', 'actor_id', 'from_value', 'to_value', 'body', 'internal'], csvRows(events));
    await tx.copyIn('ticket_ratings', ['ticket_id', 'org_id', 'score', 'comment', 'rated_by', 'rated_at', 'agent_id', 'team', 'cause_code', 'merchant_id'], csvRows(ratings));
    // The team each rating credits, as it was (the demo staff's teams set above).
    await tx.query('UPDATE ticket_ratings r SET team = u.team FROM users u WHERE r.org_id = $1 AND u.id = r.agent_id AND r.team IS NULL', [orgId]);
    return tickets.length;
  });
}
