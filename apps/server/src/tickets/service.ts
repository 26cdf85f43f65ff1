/**
 * Tickets: opened by a merchant (portal, troubleshooter), an agent, an alert rule or the API;
 * deduplicated against open tickets of the same terminal and cause; moved along the handling flow
 * (TICKET_TRANSITIONS) with every transition recorded with who, when and why. Merchants see their own
 * tickets and the customer-facing timeline only; internal notes are for staff.
 */
import {
  containsCardData,
  SLA_AT_RISK_MINUTES,
  OPEN_TICKET_STATUSES,
  STAFF_ROLES,
  TICKET_TRANSITIONS,
  type Language,
  type TicketAssigneeList,
  type TicketCreate,
  type TicketDetail,
  type TicketEvent,
  type TicketPage,
  type TicketPriority,
  type TicketQuery,
  type SimilarTicket,
  type TicketRow,
  type TicketStatus,
  type TicketTransition,
} from '@poscare/contracts';
import { diagnoseCase, loadKnowledge, parseCase, questionText, segment, SYMPTOMS, symptomReport, type Knowledge } from '@poscare/diagnosis';
import { causeTitle, faultCause } from '@poscare/codes';
import type { z } from 'zod';
import type { AlertState } from '@poscare/alerts';
import { type Actor, assertCan, authorId, can, systemActor } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { recordAuditTx } from '../audit/service.js';
import { buildTerminalCase, type TerminalRow } from '../diagnosis/repository.js';
import { AppError, errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { SiteService } from '../sites/service.js';
import { TerminalService } from '../terminals/service.js';
import { evaluateTicket, refreshSla, slaSummary } from './sla.js';
import { verifyTicket } from './verification.js';
import { customerProgress, notifyMerchant, type MerchantStep } from './progress.js';
import { textTicketStep } from '../notifications/ticketSteps.js';
import { similarTickets } from './similar.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const OPEN: readonly TicketStatus[] = OPEN_TICKET_STATUSES;

export type NewTicket = TicketCreate;

/** Title, description and cause as space-separated words (jieba for Chinese): what full-text search and similar-case ranking read. */
export function ticketSearchTokens(title: string, description: string, causeCode: string | null): string {
  const words = segment(`${title} ${description}`.slice(0, 4000)).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return [...new Set(words), ...(causeCode ? [causeCode] : [])].join(' ');
}

export class TicketService {
  private knowledge: Knowledge | null = null;
  private readonly terminals: TerminalService;
  private readonly sites: SiteService;

  constructor(private readonly ctx: AppContext) {
    this.terminals = new TerminalService(ctx);
    this.sites = new SiteService(ctx);
  }

  /** Opens a ticket, or returns the open one of the same terminal and cause (with a note of the new report). */
  async create(actor: Actor, body: NewTicket, lang: Language): Promise<{ ticket: TicketDetail; duplicate: boolean }> {
    assertCan(actor, 'tickets:create');
    if (body.symptom && !SYMPTOMS.some((x) => x.id === body.symptom)) throw errors.validation([{ path: 'body.symptom', id: 'diagnosis.unknown_symptom', params: { symptom: body.symptom } }]);
    refuseCardData({ title: body.title, description: body.description, answers: body.answers });
    const now = this.ctx.clock.now();
    const source = body.source ?? (actor.role === 'merchant' ? 'merchant' : actor.via === 'system' ? 'alert' : 'agent');
    const place = await this.place(actor, body);
    if (body.alertId && actor.via !== 'system') {
      const [alert] = await this.ctx.db.rawTransaction((tx) =>
        tx.query<{ id: string }>(`SELECT id FROM alerts WHERE id = $1 AND org_id = $2 ${actor.merchantId ? 'AND merchant_id = $3' : ''}`, actor.merchantId ? [body.alertId, actor.orgId, actor.merchantId] : [body.alertId, actor.orgId]),
      );
      if (!alert) throw new AppError('ticket.alert_not_found', 404);
    }
    const diagnosis = place.terminalId ? await this.diagnose(actor.orgId, place.terminalId, body, lang) : null;
    const top = diagnosis?.causes[0];
    const causeCode = body.causeCode ?? (top && top.confidence >= 0.5 ? top.code : null);
    const dedupeKey = place.terminalId && causeCode ? `${place.terminalId}:${causeCode}` : null;
    const priority = body.priority ?? defaultPriority(causeCode);

    const result = await this.ctx.db.rawTransaction(async (tx) => {
      if (dedupeKey) {
        const [open] = await tx.query<{ id: string }>('SELECT id FROM tickets WHERE org_id = $1 AND dedupe_key = $2', [actor.orgId, dedupeKey]);
        if (open) {
          await ticketEvent(tx, open.id, actor, now, 'duplicate', { body: [body.title, body.description].filter(Boolean).join('\n'), to: source });
          if (body.alertId) await tx.query('UPDATE tickets SET alert_id = coalesce(alert_id, $2), updated_at = $3 WHERE id = $1', [open.id, body.alertId, now]);
          await recordAuditTx(tx, actor, actor.orgId, { action: 'duplicate', entity: 'ticket', entityId: open.id, after: { title: body.title, source, alertId: body.alertId ?? null } }, now);
          return { id: open.id, duplicate: true };
        }
      }
      const [counter] = await tx.query<{ n: number }>(
        `INSERT INTO ticket_counters (org_id, next) VALUES ($1, 2) ON CONFLICT (org_id) DO UPDATE SET next = ticket_counters.next + 1 RETURNING next - 1 AS n`,
        [actor.orgId],
      );
      const number = `T${String(counter!.n).padStart(6, '0')}`;
      const category = causeCode ? safe(() => faultCause(causeCode).category) : null;
      // The terminal as it is now (model, and the app version it last reported, else its inventory one), kept with the ticket for reports.
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO tickets (org_id, number, title, description, status, priority, source, category, cause_code, terminal_id, site_id, merchant_id, alert_id, dedupe_key, diagnosis, answers, created_by, created_at, updated_at, search_tokens,
                              terminal_model, terminal_app_version)
         VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18,
                 $19, coalesce((SELECT app_version FROM terminal_live WHERE terminal_id = $9), $20))
         RETURNING id`,
        [
          actor.orgId, number, body.title, body.description ?? '', priority, source, category, causeCode, place.terminalId, place.siteId, place.merchantId,
          body.alertId ?? null, dedupeKey, diagnosis ? JSON.stringify(diagnosis) : null, body.answers ? JSON.stringify({ symptom: body.symptom ?? null, ...body.answers }) : body.symptom ? JSON.stringify({ symptom: body.symptom }) : null,
          actor.name, now, ticketSearchTokens(body.title, body.description ?? '', causeCode), place.model, place.appVersion,
        ],
      );
      await ticketEvent(tx, row!.id, actor, now, 'created', { to: 'new', body: body.description || null });
      await recordAuditTx(tx, actor, actor.orgId, {
        action: 'create', entity: 'ticket', entityId: row!.id,
        after: { number, title: body.title, status: 'new', priority, source, category, causeCode, terminalId: place.terminalId, siteId: place.siteId, merchantId: place.merchantId, alertId: body.alertId ?? null },
      }, now);
      if (diagnosis) await ticketEvent(tx, row!.id, actor, now, 'diagnosis', { body: diagnosis.causes.map((c) => `${c.code} ${Math.round(c.confidence * 100)}%`).join(', ') || null, internal: true });
      if (body.alertId) {
        await ticketEvent(tx, row!.id, actor, now, 'linked_alert', { to: body.alertId, internal: true });
        // An alert shows the ticket opened for it (the alert runtime never overwrites ticket_id).
        await tx.query('UPDATE alerts SET ticket_id = coalesce(ticket_id, $2) WHERE id = $1 AND org_id = $3', [body.alertId, row!.id, actor.orgId]);
        if (actor.via !== 'system') await tx.query(`INSERT INTO alert_events (alert_id, org_id, at, type, actor, detail) VALUES ($1, $2, $3, 'ticket_opened', $4, $5)`, [body.alertId, actor.orgId, now, actor.name, JSON.stringify({ ticketId: row!.id })]);
      }
      await refreshSla(tx, row!.id, now, this.ctx.config);
      // The merchant hears that the problem is known (unless they reported it themselves).
      if (actor.role !== 'merchant') await this.tellMerchant(tx, row!.id, { kind: 'status', from: 'new', to: 'new' }, now, authorId(actor));
      // Its contacts who asked for ticket steps get an SMS (whoever opened it: they may not be the one who reported it).
      const [opened] = await tx.query<Row>('SELECT * FROM tickets WHERE id = $1', [row!.id]);
      if (opened) await textTicketStep(tx, opened, 'new', now, this.ctx.config);
      return { id: row!.id, duplicate: false };
    }).catch(async (err: unknown) => {
      // Two reports of one problem at the same moment: the second finds the first.
      if ((err as { code?: string }).code === '23505' && dedupeKey) {
        const [open] = await this.ctx.db.rawTransaction((tx) => tx.query<{ id: string }>('SELECT id FROM tickets WHERE org_id = $1 AND dedupe_key = $2', [actor.orgId, dedupeKey]));
        if (open) return { id: open.id, duplicate: true };
      }
      throw err;
    });
    return { ticket: await this.get(actor, result.id, lang), duplicate: result.duplicate };
  }

  async list(actor: Actor, q: TicketQuery, lang: Language): Promise<z.infer<typeof TicketPage>> {
    assertCan(actor, 'tickets:read');
    // Counting a million rows to print "1,000,000 tickets" costs more than the page itself: the total is
    // exact up to 10,000 and flagged `totalCapped` (a lower bound) beyond. A text search does not count at
    // all (its matches are scattered over the table): it tells whether another page follows. Measured in
    // docs/benchmarks.md ("Service desk").
    const COUNT_CAP = 10_000;
    const search = !!q.q;
    const where = ['t.org_id = $1'];
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (actor.merchantId) where.push(`t.merchant_id = ${p(actor.merchantId)}`);
    // A literal list spelled as in the partial queue indexes (schema.ts), so the planner may use them.
    if (q.status === 'open') where.push(`t.status IN (${OPEN.map((s) => `'${s}'`).join(', ')})`);
    else if (q.status !== 'all') where.push(`t.status = ${p(q.status)}`);
    if (q.priority) where.push(`t.priority = ${p(q.priority)}`);
    if (q.assigneeId === 'me') where.push(`t.assignee_id = ${p(actor.userId)}`);
    else if (q.assigneeId === 'none') where.push('t.assignee_id IS NULL');
    else if (q.assigneeId) where.push(`t.assignee_id = ${p(q.assigneeId)}`);
    if (q.terminalId) where.push(`t.terminal_id = ${p(q.terminalId)}`);
    if (q.siteId) where.push(`t.site_id = ${p(q.siteId)}`);
    if (q.merchantId) where.push(`t.merchant_id = ${p(q.merchantId)}`);
    if (q.sla) where.push(slaFilter(q.sla, this.ctx.clock.now(), p));
    if (q.q) {
      // Words cut as ticketSearchTokens cuts them (jieba for Chinese); each must start a word of the
      // ticket (打印 finds 打印机). The full-text match lets the planner use the GIN index for rare words;
      // strpos is the same test, cheap enough to filter while walking the queue's order for common ones.
      const words = [...new Set(segment(q.q).map((w) => w.replace(/['\\\s]/g, '')).filter((w) => /[\p{L}\p{N}]/u.test(w)))].slice(0, 8);
      const alternatives = [`t.number = ${p(q.q.trim().toUpperCase())}`, `(t.search_tokens IS NULL AND t.title ILIKE ${p(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`)})`];
      if (words.length) {
        // Short Latin words match whole (a prefix "a" would match half the dictionary).
        const prefix = (w: string) => /[^\x00-\x7f]/.test(w) || w.length >= 3;
        const tsquery = words.map((w) => `'${w}'${prefix(w) ? ':*' : ''}`).join(' & ');
        const cheap = words.map((w) => (prefix(w) ? `strpos(' ' || t.search_tokens, ${p(` ${w}`)}) > 0` : `strpos(' ' || t.search_tokens || ' ', ${p(` ${w} `)}) > 0`));
        alternatives.unshift(`(${cheap.join(' AND ')} AND to_tsvector('simple', coalesce(t.search_tokens, '')) @@ to_tsquery('simple', ${p(tsquery)}))`);
      }
      where.push(`(${alternatives.join(' OR ')})`);
    }
    const filter = where.join(' AND ');
    return this.ctx.db.rawTransaction(async (tx) => {
      // A page walks an index for a few dozen rows: parallel workers only add their start-up (measured:
      // 10 ms alone, 230-500 ms with two workers on a busy 2-core server).
      await tx.query('SET LOCAL max_parallel_workers_per_gather = 0');
      // The page is chosen on tickets alone; terminals and assignees are joined for its rows only.
      const rows = await tx.query<Row>(
        `SELECT t.*, term.serial_number, u.name AS assignee_name
           FROM (SELECT * FROM tickets t WHERE ${filter} ORDER BY t.priority, t.updated_at DESC LIMIT ${search ? q.limit + 1 : q.limit} OFFSET ${q.offset}) t
           LEFT JOIN terminals term ON term.id = t.terminal_id LEFT JOIN users u ON u.id = t.assignee_id
          ORDER BY t.priority, t.updated_at DESC`,
        params,
      );
      const items = rows.slice(0, q.limit).map((r) => presentTicket(r, lang));
      if (search && rows.length > q.limit) return { items, total: q.offset + items.length + 1, totalCapped: true };
      // A page that is not full (or a search page with nothing after it) tells the total without counting.
      if ((search || items.length < q.limit) && (items.length > 0 || q.offset === 0)) return { items, total: q.offset + items.length };
      const [n] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM tickets t WHERE ${filter} LIMIT ${COUNT_CAP + 1}) c`, params);
      const counted = Number(n?.n ?? 0);
      const total = Math.max(Math.min(counted, COUNT_CAP), items.length ? q.offset + items.length : 0);
      return counted > COUNT_CAP ? { items, total, totalCapped: true } : { items, total };
    });
  }

  async get(actor: Actor, id: string, lang: Language): Promise<TicketDetail> {
    assertCan(actor, 'tickets:read');
    const row = await this.row(actor, id);
    const staff = can(actor, 'tickets:work');
    const [events, sla, verification, rated] = await this.ctx.db.rawTransaction(async (tx) => [
      await tx.query<Row>(`SELECT * FROM ticket_events WHERE ticket_id = $1 ${staff ? '' : 'AND NOT internal'} ORDER BY at, id`, [id]),
      slaSummary((await evaluateTicket(tx, id, this.ctx.clock.now())).evaluation),
      ['verifying', 'resolved', 'closed'].includes(row.status as string) ? await verifyTicket(tx, row, lang) : null,
      row.status === 'resolved' ? (await tx.query(`SELECT 1 FROM ticket_ratings WHERE ticket_id = $1`, [id])).length > 0 : false,
    ] as const);
    const status = row.status as TicketStatus;
    return {
      ...presentTicket(row, lang),
      description: row.description as string,
      plan: (row.plan as TicketDetail['plan']) ?? null,
      diagnosis: staff ? ((row.diagnosis as Record<string, unknown> | null) ?? null) : null,
      answers: (row.answers as Record<string, unknown> | null) ?? null,
      events: staff ? events.map(presentEvent) : events.map(presentEvent).map(forMerchant),
      next: staff ? nextStatuses(status, row.resume_status as TicketStatus | null) : [],
      // The terminal's verification checks are the agent's evidence (raw statuses, overrides): merchants see the progress line.
      verification: staff ? verification : null,
      sla,
      progress: customerProgress(row, lang, { rated, now: this.ctx.clock.now() }),
      answerLines: answerLines(row.answers as Record<string, unknown> | null, lang),
    };
  }

  /** Moves a ticket along the handling flow; anything TICKET_TRANSITIONS does not allow is refused. */
  async transition(actor: Actor, id: string, body: TicketTransition, lang: Language): Promise<TicketDetail> {
    assertCan(actor, 'tickets:work');
    const row = await this.row(actor, id);
    const from = row.status as TicketStatus;
    const resume = row.resume_status as TicketStatus | null;
    if (!nextStatuses(from, resume).includes(body.to)) throw new AppError('ticket.illegal_transition', 409, { from, to: body.to });
    refuseCardData({ reason: body.reason, plan: body.plan?.summary });
    if (body.to === 'planned' && !body.plan && !row.plan) throw errors.validation([{ path: 'body.plan', id: 'ticket.plan_required' }]);
    if (body.to === 'waiting_merchant' && !body.reason) throw errors.validation([{ path: 'body.reason', id: 'ticket.reason_required' }]);
    if (from === 'resolved' && body.to === 'in_progress' && !body.reason) throw errors.validation([{ path: 'body.reason', id: 'ticket.reason_required' }]);
    const now = this.ctx.clock.now();
    let verified: string | null = null;
    /** Why an agent resolved without the terminal showing the fix: for staff, not for the merchant's timeline. */
    let overrideReason: string | null = null;
    if (body.to === 'resolved' && from === 'verifying') {
      const v = await this.ctx.db.rawTransaction((tx) => verifyTicket(tx, row, lang));
      if (v.status !== 'passed') {
        if (!body.override) throw new AppError('ticket.verification_failed', 409, { status: v.status });
        if (!body.reason) throw errors.validation([{ path: 'body.reason', id: 'ticket.reason_required' }]);
        verified = `override (${v.status})`;
        overrideReason = body.reason;
      } else verified = v.checks.map((c) => c.text).join(' ');
    }
    await this.ctx.db.rawTransaction(async (tx) => {
      // The row first: the plan and priority events below reference the ticket (a key-share lock), and two
      // moves at once that both held that lock would deadlock at the guarded UPDATE instead of one being told 409.
      await tx.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [id]);
      const sets = ['status = $2', 'updated_at = $3'];
      const params: unknown[] = [id, body.to, now];
      const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
      if (body.to === 'waiting_merchant') set('resume_status', from);
      else set('resume_status', null);
      if (body.category) set('category', body.category);
      if (body.causeCode) {
        set('cause_code', body.causeCode);
        set('search_tokens', ticketSearchTokens(row.title as string, row.description as string, body.causeCode));
        if (row.terminal_id) set('dedupe_key', `${row.terminal_id}:${body.causeCode}`);
      }
      if (body.priority && body.priority !== row.priority) {
        set('priority', body.priority);
        await ticketEvent(tx, id, actor, now, 'priority', { from: row.priority as string, to: body.priority });
      }
      if (body.plan) {
        set('plan', JSON.stringify(body.plan));
        if (body.plan.eta) set('eta', new Date(body.plan.eta));
        await ticketEvent(tx, id, actor, now, 'plan', { to: body.plan.kind, body: body.plan.summary });
      }
      if (!row.first_response_at) set('first_response_at', now);
      if (body.to === 'resolved') {
        set('resolved_at', now);
        set('dedupe_key', null);
      }
      if (body.to === 'closed') {
        set('closed_at', now);
        set('dedupe_key', null);
      }
      if (from === 'resolved' && body.to === 'in_progress') {
        set('resolved_at', null);
        sets.push('reopen_count = reopen_count + 1');
        if (row.terminal_id && row.cause_code) set('dedupe_key', `${row.terminal_id}:${row.cause_code}`);
      }
      // Guarded: only from the status this step was checked against, so two agents moving the ticket at
      // the same moment cannot both win (the second is told the ticket changed and sees it as it is).
      const moved = await tx.query(`UPDATE tickets SET ${sets.join(', ')} WHERE id = $1 AND status = $${params.push(from)} RETURNING id`, params);
      if (!moved.length) throw new AppError('ticket.changed_meanwhile', 409, { to: body.to });
      await ticketEvent(tx, id, actor, now, 'status', { from, to: body.to, body: verified ?? body.reason ?? null });
      await recordAuditTx(tx, actor, row.org_id as string, {
        action: 'transition', entity: 'ticket', entityId: id,
        before: { status: from, priority: row.priority, causeCode: row.cause_code, category: row.category },
        after: { status: body.to, priority: body.priority ?? row.priority, causeCode: body.causeCode ?? row.cause_code, category: body.category ?? row.category, reason: body.reason ?? null, plan: body.plan ?? null, verified, override: Boolean(overrideReason) },
      }, now);
      if (overrideReason) await ticketEvent(tx, id, actor, now, 'note', { body: overrideReason, internal: true });
      await refreshSla(tx, id, now, this.ctx.config);
      // The ticket as it now is: what was read plus what this step changed (no second read).
      const after = { ...row, status: body.to, plan: body.plan ?? row.plan, eta: body.plan?.eta ?? row.eta };
      const reason = body.to === 'waiting_merchant' || from === 'resolved' ? (body.reason ?? null) : null;
      await notifyMerchant(tx, after, { kind: 'status', from, to: body.to, reason }, now, authorId(actor));
      await textTicketStep(tx, after, body.to, now, this.ctx.config);
    });
    return this.get(actor, id, lang);
  }

  /** A comment the merchant sees, or an internal note; a merchant's reply ends a wait for them. */
  async comment(actor: Actor, id: string, body: { body: string; internal: boolean }, lang: Language): Promise<TicketDetail> {
    assertCan(actor, 'tickets:read');
    const staff = can(actor, 'tickets:work');
    if (!staff && actor.role !== 'merchant') throw errors.forbidden();
    refuseCardData({ body: body.body });
    const internal = staff && body.internal;
    const row = await this.row(actor, id);
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      await ticketEvent(tx, id, actor, now, internal ? 'note' : 'comment', { body: body.body, internal, ...(staff ? {} : { from: 'merchant' }) });
      await recordAuditTx(tx, actor, row.org_id as string, { action: internal ? 'note' : 'comment', entity: 'ticket', entityId: id, after: { body: body.body, internal } }, now);
      const sets = ['updated_at = $2'];
      if (staff && !internal && !row.first_response_at) sets.push('first_response_at = $2');
      if (!staff && row.status === 'waiting_merchant' && row.resume_status) {
        sets.push(`status = resume_status, resume_status = NULL`);
        await ticketEvent(tx, id, actor, now, 'status', { from: 'waiting_merchant', to: row.resume_status as string, body: null });
      }
      await tx.query(`UPDATE tickets SET ${sets.join(', ')} WHERE id = $1`, [id, now]);
      await refreshSla(tx, id, now, this.ctx.config);
      if (staff && !internal) await notifyMerchant(tx, row, { kind: 'reply', body: body.body }, now, authorId(actor));
    });
    return this.get(actor, id, lang);
  }

  /** Resolved tickets like this one (staff only: they span merchants). */
  async similar(actor: Actor, id: string): Promise<{ items: SimilarTicket[] }> {
    assertCan(actor, 'tickets:work');
    const row = await this.row(actor, id);
    return { items: await this.ctx.db.rawTransaction((tx) => similarTickets(tx, row)) };
  }

  /** The merchant's users hear about a step of their ticket (in their language, on their channels). */
  private async tellMerchant(tx: RawTx, id: string, step: MerchantStep, now: Date, actorUserId: string | null): Promise<void> {
    const [row] = await tx.query<Row>('SELECT * FROM tickets WHERE id = $1', [id]);
    if (row) await notifyMerchant(tx, row, step, now, actorUserId);
  }

  async assign(actor: Actor, id: string, assigneeId: string | null, lang: Language): Promise<TicketDetail> {
    await this.assignOnly(actor, id, assigneeId);
    return this.get(actor, id, lang);
  }

  /** The assignment alone (bulk assignment calls it for each ticket, without reading each ticket back). */
  async assignOnly(actor: Actor, id: string, assigneeId: string | null): Promise<void> {
    assertCan(actor, 'tickets:work');
    const row = await this.row(actor, id);
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      let name: string | null = null;
      if (assigneeId) {
        const [u] = await tx.query<{ name: string; role: string }>('SELECT name, role FROM users WHERE id = $1 AND org_id = $2 AND NOT disabled', [assigneeId, actor.orgId]);
        if (!u || !(STAFF_ROLES as readonly string[]).includes(u.role)) throw errors.notFound('user');
        name = u.name;
      }
      // The row lock makes two assignments at once happen one after the other; giving a ticket to whoever holds it already changes nothing and records nothing.
      const [held] = await tx.query<{ assignee_id: string | null }>('SELECT assignee_id FROM tickets WHERE id = $1 FOR UPDATE', [id]);
      const before = held?.assignee_id ?? null;
      if (before === assigneeId) return;
      await tx.query('UPDATE tickets SET assignee_id = $2, updated_at = $3 WHERE id = $1', [id, assigneeId, now]);
      await ticketEvent(tx, id, actor, now, 'assigned', { from: before, to: assigneeId, body: name, internal: true });
      await recordAuditTx(tx, actor, row.org_id as string, { action: 'assign', entity: 'ticket', entityId: id, before: { assigneeId: before }, after: { assigneeId, assigneeName: name } }, now);
      await refreshSla(tx, id, now, this.ctx.config);
    });
  }

  /** Staff who can take tickets, with the open tickets each holds (fewest first among equals is the caller's choice). */
  async assignees(actor: Actor): Promise<TicketAssigneeList> {
    assertCan(actor, 'tickets:work');
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<{ id: string; name: string; role: string; team: string | null; open: number }>(
        `SELECT u.id, u.name, u.role::text AS role, u.team,
                (SELECT count(*)::int FROM tickets t WHERE t.assignee_id = u.id AND t.status = ANY($2::text[])) AS open
           FROM users u WHERE u.org_id = $1 AND NOT u.disabled AND u.role::text = ANY($3::text[])
          ORDER BY (u.role = 'agent') DESC, u.name`,
        [actor.orgId, OPEN, STAFF_ROLES],
      ),
    );
    return { items: rows.map((r) => ({ id: r.id, name: r.name, role: r.role, team: r.team ?? null, openTickets: Number(r.open) })) };
  }

  private async row(actor: Actor, id: string): Promise<Row> {
    const params: unknown[] = [id, actor.orgId];
    let sql = `SELECT t.*, term.serial_number, u.name AS assignee_name FROM tickets t LEFT JOIN terminals term ON term.id = t.terminal_id LEFT JOIN users u ON u.id = t.assignee_id
                WHERE t.id = $1 AND t.org_id = $2`;
    if (actor.merchantId) sql += ` AND t.merchant_id = $${params.push(actor.merchantId)}`;
    const [row] = await this.ctx.db.rawTransaction((tx) => tx.query<Row>(sql, params));
    if (!row) throw errors.notFound('ticket');
    return row;
  }

  /** The terminal (and so site and merchant) a ticket is about; only the actor's own (the inventory services scope it). */
  private async place(actor: Actor, body: NewTicket): Promise<{ terminalId: string | null; siteId: string | null; merchantId: string | null; model: string | null; appVersion: string | null }> {
    if (body.terminalId) {
      const { terminal } = await this.terminals.get(actor, body.terminalId);
      return { terminalId: terminal.id, siteId: terminal.siteId, merchantId: terminal.merchantId, model: terminal.model, appVersion: terminal.appVersion };
    }
    const none = { terminalId: null, model: null, appVersion: null };
    if (body.siteId) {
      const site = await this.sites.get(actor, body.siteId);
      return { ...none, siteId: site.id, merchantId: site.merchantId };
    }
    return { ...none, siteId: null, merchantId: actor.merchantId };
  }

  /** The terminal's diagnosis with what the reporter said and answered. */
  private async diagnose(orgId: string, terminalId: string, body: NewTicket, lang: Language) {
    this.knowledge ??= loadKnowledge();
    const now = this.ctx.clock.now();
    const assembled = await this.ctx.db.rawTransaction(async (tx) => {
      const [term] = await tx.query<TerminalRow>(
        'SELECT id, org_id, merchant_id, site_id, vendor, model, os_version, app_version, connectivity, created_at FROM terminals WHERE id = $1 AND org_id = $2',
        [terminalId, orgId],
      );
      return term ? buildTerminalCase(tx, term, now, lang) : null;
    });
    if (!assembled) return null;
    const said = [body.symptom ? symptomReport(body.symptom, lang, body.description) : null, body.title, body.description].filter(Boolean).join('. ');
    if (said) assembled.report = { text: said.slice(0, 2000), source: body.source === 'alert' ? 'alert' : 'merchant', at: now.toISOString() } as never;
    if (body.answers) assembled.answers = body.answers;
    try {
      const result = diagnoseCase(parseCase(assembled), { knowledge: this.knowledge });
      return {
        caseId: result.caseId,
        at: now.toISOString(),
        scope: result.scope,
        causes: result.causes.slice(0, 3).map((c) => ({ code: c.code, confidence: c.confidence, title: { 'zh-CN': safe(() => causeTitle(c.code, 'zh-CN')) ?? c.title, 'en-US': safe(() => causeTitle(c.code, 'en-US')) ?? c.title } })),
      };
    } catch (err) {
      this.ctx.log.warn({ err, terminalId }, 'ticket diagnosis failed');
      return null;
    }
  }
}

/** The opener the alert runtime calls for rules with autoTicket. */
export function alertTicketOpener(svc: TicketService) {
  return async (a: AlertState): Promise<string | null> => {
    const terminalId = a.terminalId ?? [...a.members].find(([, m]) => m.active)?.[0] ?? null;
    const severityPriority: Record<string, TicketPriority> = { critical: 'p2', warning: 'p3', info: 'p4' };
    const security = a.rule.cause?.startsWith('sec.') ?? false;
    const r = await svc.create(
      { ...systemActor(a.orgId, 'PosCare'), role: 'admin' },
      {
        title: `${a.rule.name['zh-CN']} · ${a.scopeLabel}`,
        description: `${a.rule.name['en-US']} (${a.ruleCode}) · ${a.members.size} terminal(s)`,
        source: 'alert',
        alertId: a.id,
        ...(terminalId ? { terminalId } : {}),
        ...(a.rule.cause ? { causeCode: a.rule.cause } : {}),
        ...(security ? {} : { priority: severityPriority[a.severity] ?? 'p3' }),
      },
      'zh-CN',
    );
    return r.ticket.id;
  };
}

/** What the reporter answered, in words: the symptom they picked, the troubleshooter's questions, the self-fixes they tried. */
function answerLines(answers: Record<string, unknown> | null, lang: Language): TicketDetail['answerLines'] {
  const word = (v: unknown, fix: boolean) =>
    v === 'yes' || v === true ? translate(lang, fix ? 'ticket.answer.fixed' : 'ticket.answer.yes') : v === 'no' || v === false ? translate(lang, fix ? 'ticket.answer.not_fixed' : 'ticket.answer.no') : String(v);
  return Object.entries(answers ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([id, v]) => {
      if (id === 'symptom') {
        const s = SYMPTOMS.find((x) => x.id === v);
        return { id, question: translate(lang, 'ticket.answer.symptom'), answer: s ? (lang === 'zh-CN' ? s.zh : s.en) : String(v) };
      }
      if (id.startsWith('fixed_')) {
        const cause = id.slice('fixed_'.length);
        return { id, question: translate(lang, 'ticket.answer.self_fix', { cause: safe(() => causeTitle(cause, lang)) ?? cause }), answer: word(v, true) };
      }
      return { id, question: questionText(id, lang) ?? id, answer: word(v, false) };
    });
}

function safe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

/** A card number or track data typed into a ticket is refused, naming the field, and never stored. */
function refuseCardData(fields: Record<string, unknown>): void {
  const bad = Object.entries(fields).filter(([, v]) => containsCardData(v));
  if (bad.length) throw errors.validation(bad.map(([k]) => ({ path: `body.${k}`, id: 'ticket.card_data' as const })));
}

/** Security problems are urgent; a terminal that cannot take payments comes next. */
function defaultPriority(cause: string | null): TicketPriority {
  if (!cause) return 'p3';
  if (cause.startsWith('sec.')) return 'p1';
  if (cause.startsWith('ext.host') || cause.startsWith('net.site') || cause.startsWith('sw.update')) return 'p2';
  if (cause.startsWith('ext.card') || cause.startsWith('op.pin') || cause.startsWith('ext.issuer')) return 'p4';
  return 'p3';
}

function nextStatuses(status: TicketStatus, resume: TicketStatus | null): TicketStatus[] {
  // A pause returns to where the ticket was.
  if (status === 'waiting_merchant') return resume ? [resume] : ['triaged'];
  return [...TICKET_TRANSITIONS[status]];
}

/** Records one event on a ticket's timeline (other areas — work orders, swaps, ratings, case studies — use it too). */
export async function ticketEvent(
  tx: RawTx,
  ticketId: string,
  actor: Actor,
  at: Date,
  type: TicketEvent['type'],
  e: { from?: string | null; to?: string | null; body?: string | null; internal?: boolean },
): Promise<void> {
  // Tickets are only ever touched by actors of their own organization (every read is scoped to it).
  await tx.query('INSERT INTO ticket_events (ticket_id, org_id, at, type, actor, actor_id, from_value, to_value, body, internal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    ticketId,
    actor.orgId,
    at,
    type,
    actor.name,
    authorId(actor),
    e.from ?? null,
    e.to ?? null,
    e.body ?? null,
    e.internal ?? false,
  ]);
}

export function presentTicket(r: Row, _lang: Language): TicketRow {
  return {
    id: r.id as string,
    number: r.number as string,
    title: r.title as string,
    status: r.status as TicketStatus,
    priority: r.priority as TicketPriority,
    source: r.source as TicketRow['source'],
    category: (r.category as string | null) ?? null,
    causeCode: (r.cause_code as string | null) ?? null,
    terminalId: (r.terminal_id as string | null) ?? null,
    serialNumber: (r.serial_number as string | null) ?? null,
    siteId: (r.site_id as string | null) ?? null,
    merchantId: (r.merchant_id as string | null) ?? null,
    assigneeId: (r.assignee_id as string | null) ?? null,
    assigneeName: (r.assignee_name as string | null) ?? null,
    alertId: (r.alert_id as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    resolvedAt: iso(r.resolved_at),
    eta: iso(r.eta),
    firstResponseDue: r.first_response_at ? null : iso(r.first_response_due),
    resolutionDue: iso(r.resolution_due),
    slaBreached: !!r.sla_breached,
  };
}

/** Tickets at risk of breaching (a deadline within SLA_AT_RISK_MINUTES, none missed yet) or already breached; the overview counts the same. */
export function slaFilter(kind: 'at_risk' | 'breached', now: Date, p: (v: unknown) => string): string {
  if (kind === 'breached') return 't.sla_breached';
  const soon = p(new Date(now.getTime() + SLA_AT_RISK_MINUTES * 60_000));
  return `(NOT t.sla_breached AND ((t.first_response_at IS NULL AND t.first_response_due <= ${soon}) OR t.resolution_due <= ${soon}))`;
}

/**
 * A step as the merchant's timeline shows it: the step itself, and a reason only where it is meant for
 * them (what we wait for from them, why a resolved ticket was reopened) — never the verification
 * evidence or an override marker written with a resolution.
 */
function forMerchant(e: TicketEvent): TicketEvent {
  if (e.type !== 'status') return e;
  const forThem = e.to === 'waiting_merchant' || (e.from === 'resolved' && e.to === 'in_progress');
  return forThem ? e : { ...e, body: null };
}

function presentEvent(e: Row): TicketEvent {
  return {
    at: iso(e.at)!,
    type: e.type as TicketEvent['type'],
    actor: (e.actor as string | null) ?? null,
    from: (e.from_value as string | null) ?? null,
    to: (e.to_value as string | null) ?? null,
    body: (e.body as string | null) ?? null,
    internal: !!e.internal,
  };
}
