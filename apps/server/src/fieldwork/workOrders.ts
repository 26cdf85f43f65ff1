/**
 * Work orders for on-site visits: created by an agent from a ticket (or for a terminal), numbered per
 * organization, assigned to an engineer, moved assigned → en_route → on_site → completed (or cancelled
 * with a reason) along WORK_ORDER_TRANSITIONS. On site the engineer ticks the checklist, records parts
 * (stock decremented in the same transaction), photos and notes, and gets the customer's sign-off;
 * completing needs the sign-off and every required checklist item, and records the outcome. It does not
 * resolve the ticket: the agent verifies. Every step is a line on the linked ticket's timeline — the
 * visit's progress in the merchant's language, internal details for staff only.
 */
import type { z } from 'zod';
import {
  type ChecklistItem,
  type Language,
  OPEN_WORK_ORDER_STATUSES,
  STAFF_ROLES,
  PHOTO_MAX_BYTES,
  type PartUse,
  SIGNATURE_MAX_BYTES,
  WORK_ORDER_TRANSITIONS,
  type WorkOrderCreate,
  type WorkOrderDetail,
  type WorkOrderKind,
  type WorkOrderMove,
  type WorkOrderOutcome,
  type WorkOrderQuery,
  type WorkOrderRow,
  type WorkOrderSignoffInput,
  type WorkOrderStatus,
  type WorkOrderUpdate,
} from '@poscare/contracts';
import { type Actor, assertCan, can } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { ticketEvent } from '../tickets/service.js';
import { checklistFor } from './checklists.js';
import { swapsOf } from './custody.js';
import { depotRow, moveStock, partName, partRow } from './parts.js';
import { assertMayWork, assertOpen, audit, formatTime, iso, lockWorkOrder, mayWork, merchantLanguage, notFound, num, refuseCardData, type Row, say, str } from './shared.js';

export const MAX_PHOTOS = 30;

const ROW_SELECT = `SELECT w.*, tk.number AS ticket_number, term.serial_number, s.name AS site_name, m.name AS merchant_name, u.name AS assignee_name, d.name AS depot_name
  FROM work_orders w
  LEFT JOIN tickets tk ON tk.id = w.ticket_id
  LEFT JOIN terminals term ON term.id = w.terminal_id
  LEFT JOIN sites s ON s.id = w.site_id
  LEFT JOIN merchants m ON m.id = w.merchant_id
  LEFT JOIN users u ON u.id = w.assignee_id
  LEFT JOIN depots d ON d.id = w.depot_id`;

/** Image types recognised by their first bytes (the file name and declared type are not trusted). */
export function sniffImage(b: Uint8Array): 'image/jpeg' | 'image/png' | 'image/webp' | null {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length > 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return null;
}

export class WorkOrderService {
  private readonly repairListeners: ((e: { terminalId: string; outcome: WorkOrderOutcome }) => void)[] = [];
  constructor(private readonly ctx: AppContext) {}

  /** Staff a work order can be assigned to, with how many open work orders each has. */
  async assignees(actor: Actor) {
    assertCan(actor, 'workorders:read');
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT u.id, u.name, u.role, u.team, (SELECT count(*)::int FROM work_orders w WHERE w.assignee_id = u.id AND w.status = ANY($2::text[])) AS open
           FROM users u WHERE u.org_id = $1 AND NOT u.disabled AND u.role::text = ANY($3::text[])
          ORDER BY (u.role = 'engineer') DESC, u.name`,
        [actor.orgId, OPEN_WORK_ORDER_STATUSES, STAFF_ROLES],
      ),
    );
    return { items: rows.map((r) => ({ id: r.id as string, name: r.name as string, role: r.role as string, team: str(r.team), openWorkOrders: num(r.open) })) };
  }

  async create(actor: Actor, body: WorkOrderCreate, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:assign');
    refuseCardData({ instructions: body.instructions, address: body.address });
    const now = this.ctx.clock.now();
    const id = await this.ctx.db.rawTransaction(async (tx) => {
      let ticket: Row | undefined;
      if (body.ticketId) {
        [ticket] = await tx.query<Row>('SELECT id, number, status, terminal_id, site_id, merchant_id, category, cause_code FROM tickets WHERE id = $1 AND org_id = $2', [body.ticketId, actor.orgId]);
        if (!ticket) throw notFound('workorder.ticket_not_found');
        if (ticket.status === 'closed') throw new AppError('workorder.ticket_closed', 409, { number: ticket.number });
      }
      const terminalId = body.terminalId ?? str(ticket?.terminal_id);
      if (!terminalId) throw errors.validation([{ path: 'body.terminalId', id: 'workorder.terminal_required' }]);
      const [term] = await tx.query<Row>(
        'SELECT t.id, t.site_id, t.merchant_id, s.address FROM terminals t LEFT JOIN sites s ON s.id = t.site_id WHERE t.id = $1 AND t.org_id = $2',
        [terminalId, actor.orgId],
      );
      if (!term) throw errors.notFound('terminal');
      const siteId = str(term.site_id) ?? str(ticket?.site_id);
      const merchantId = str(term.merchant_id) ?? str(ticket?.merchant_id);
      let address = body.address ?? str(term.address);
      if (!address && siteId) {
        const [site] = await tx.query<{ address: string | null }>('SELECT address FROM sites WHERE id = $1', [siteId]);
        address = site?.address ?? null;
      }
      const assignee = await this.assignee(tx, actor, body.assigneeId);
      if (body.depotId) await depotRow(tx, actor.orgId, body.depotId);

      // Numbers are per organization and gap-free; concurrent creations of one organization take turns.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`work_orders:${actor.orgId}`]);
      const [last] = await tx.query<{ n: number }>(`SELECT coalesce(max(substring(number from 2)::int), 0) AS n FROM work_orders WHERE org_id = $1`, [actor.orgId]);
      const number = `W${String(num(last?.n) + 1).padStart(6, '0')}`;
      const checklist = checklistFor(body.kind, str(ticket?.category), str(ticket?.cause_code));
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO work_orders (org_id, number, ticket_id, terminal_id, site_id, merchant_id, assignee_id, depot_id, status, kind, address, instructions, scheduled_at, checklist, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'assigned', $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
        [
          actor.orgId, number, ticket?.id ?? null, terminalId, siteId, merchantId, assignee.id, body.depotId ?? null, body.kind, address ?? null, body.instructions ?? null,
          body.scheduledAt ? new Date(body.scheduledAt) : null, JSON.stringify(checklist), actor.name, now,
        ],
      );
      await audit(tx, actor, actor.orgId, { action: 'create', entity: 'work_order', entityId: row!.id, after: { number, ...body } }, now);
      if (ticket) {
        const mlang = await merchantLanguage(tx, merchantId);
        const when = body.scheduledAt ? say(mlang, 'workorder.event.created_at', { number, time: formatTime(new Date(body.scheduledAt), mlang) }) : say(mlang, 'workorder.event.created', { number });
        await ticketEvent(tx, ticket.id as string, actor, now, 'work_order', { from: number, to: 'assigned', body: when });
        await ticketEvent(tx, ticket.id as string, actor, now, 'work_order', {
          from: number,
          to: 'assigned',
          body: say(actor.language, 'workorder.event.assigned', { number, name: assignee.name, kind: say(actor.language, `workorder.kind.${body.kind}`) }),
          internal: true,
        });
      }
      return row!.id;
    });
    return this.get(actor, id, lang);
  }

  async list(actor: Actor, q: WorkOrderQuery, lang: Language): Promise<{ items: WorkOrderRow[]; total: number }> {
    assertCan(actor, 'workorders:read');
    void lang;
    const where = ['w.org_id = $1'];
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (q.status === 'open') where.push(`w.status = ANY(${p(OPEN_WORK_ORDER_STATUSES)}::text[])`);
    else if (q.status !== 'all') where.push(`w.status = ${p(q.status)}`);
    if (q.assigneeId === 'me') where.push(`w.assignee_id = ${p(actor.userId)}`);
    else if (q.assigneeId === 'none') where.push('w.assignee_id IS NULL');
    else if (q.assigneeId) where.push(`w.assignee_id = ${p(q.assigneeId)}`);
    if (q.ticketId) where.push(`w.ticket_id = ${p(q.ticketId)}`);
    if (q.terminalId) where.push(`w.terminal_id = ${p(q.terminalId)}`);
    if (q.kind) where.push(`w.kind = ${p(q.kind)}`);
    if (q.q) {
      const like = p(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
      where.push(`(w.number = ${p(q.q.toUpperCase())} OR term.serial_number ILIKE ${like} OR s.name ILIKE ${like} OR w.address ILIKE ${like} OR m.name ILIKE ${like})`);
    }
    // Open work: the next visit first. Otherwise: the latest change first.
    const order = q.status === 'open' ? 'coalesce(w.scheduled_at, w.created_at), w.number' : 'w.updated_at DESC, w.number DESC';
    return this.ctx.db.rawTransaction(async (tx) => {
      const rows = await tx.query<Row>(`${ROW_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`, params);
      const [n] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM work_orders w LEFT JOIN terminals term ON term.id = w.terminal_id LEFT JOIN sites s ON s.id = w.site_id LEFT JOIN merchants m ON m.id = w.merchant_id WHERE ${where.join(' AND ')}`,
        params,
      );
      return { items: rows.map(presentRow), total: num(n?.n) };
    });
  }

  async get(actor: Actor, id: string, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const [w] = await tx.query<Row>(`${ROW_SELECT} WHERE w.id = $1 AND w.org_id = $2`, [id, actor.orgId]);
      if (!w) throw notFound('workorder.not_found');
      const parts = await tx.query<Row>(
        `SELECT m.id, m.part_id, -m.delta AS quantity, m.depot_id, d.code AS depot_code, p.sku, p.name, p.unit, m.actor, m.at FROM stock_movements m
           JOIN parts p ON p.id = m.part_id JOIN depots d ON d.id = m.depot_id WHERE m.work_order_id = $1 AND m.reason = 'use' ORDER BY m.at, m.id`,
        [id],
      );
      const photos = await tx.query<Row>('SELECT id, content_type, bytes, caption, created_by, created_at FROM work_order_photos WHERE work_order_id = $1 ORDER BY created_at, id', [id]);
      const [swap] = await swapsOf(tx, 's.work_order_id = $1', [id]);
      const terminal = w.terminal_id ? await this.terminalFacts(tx, w.terminal_id as string) : null;
      const [site] = w.site_id ? await tx.query<Row>('SELECT id, name, code, address, region FROM sites WHERE id = $1', [w.site_id]) : [];
      const [merchant] = w.merchant_id ? await tx.query<Row>('SELECT id, name, contact_name, contact_phone FROM merchants WHERE id = $1', [w.merchant_id]) : [];
      const [ticket] = w.ticket_id
        ? await tx.query<Row>('SELECT id, number, title, description, status, priority, category, cause_code, plan, diagnosis FROM tickets WHERE id = $1', [w.ticket_id])
        : [];
      const checklist = (w.checklist as ChecklistItem[] | null) ?? [];
      const status = w.status as WorkOrderStatus;
      const missing: WorkOrderDetail['missing'] = [];
      if (!w.signoff) missing.push('signoff');
      if (checklist.some((i) => i.required && !i.done)) missing.push('checklist');
      if (w.kind === 'replacement' && !swap) missing.push('swap');
      let next = mayWork(actor, w) && can(actor, 'workorders:work') ? [...WORK_ORDER_TRANSITIONS[status]] : [];
      if (!can(actor, 'workorders:assign')) next = next.filter((s) => s !== 'cancelled');
      const signoff = w.signoff as Record<string, unknown> | null;
      return {
        ...presentRow(w),
        instructions: str(w.instructions),
        notes: str(w.notes),
        cancelReason: str(w.cancel_reason),
        checklist,
        signoff: signoff ? { signerName: String(signoff.signerName), signature: String(signoff.signature), at: String(signoff.at), by: str(signoff.by) } : null,
        createdBy: str(w.created_by),
        parts: parts.map((r) => ({
          movementId: num(r.id),
          partId: r.part_id as string,
          sku: r.sku as string,
          name: partName(r.name, lang),
          unit: r.unit as string,
          quantity: num(r.quantity),
          depotId: r.depot_id as string,
          depotCode: r.depot_code as string,
          actor: str(r.actor),
          at: iso(r.at)!,
        })),
        photos: photos.map((r) => ({
          id: r.id as string,
          contentType: r.content_type as 'image/png',
          bytes: num(r.bytes),
          caption: str(r.caption),
          createdBy: str(r.created_by),
          createdAt: iso(r.created_at)!,
          url: `/api/v1/work-order-photos/${r.id as string}`,
        })),
        swap: swap ?? null,
        next,
        missing,
        terminal,
        site: site ? { id: site.id as string, name: site.name as string, code: site.code as string, address: str(site.address), region: str(site.region) } : null,
        merchant: merchant ? { id: merchant.id as string, name: merchant.name as string, contactName: str(merchant.contact_name), contactPhone: str(merchant.contact_phone) } : null,
        ticket: ticket
          ? {
              id: ticket.id as string,
              number: ticket.number as string,
              title: ticket.title as string,
              description: (ticket.description as string) ?? '',
              status: ticket.status as never,
              priority: ticket.priority as never,
              category: str(ticket.category),
              causeCode: str(ticket.cause_code),
              plan: (ticket.plan as never) ?? null,
              causes: causesOf(ticket.diagnosis, lang),
            }
          : null,
      };
    });
  }

  async update(actor: Actor, id: string, body: WorkOrderUpdate, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    refuseCardData({ notes: body.notes, instructions: body.instructions, address: body.address });
    const dispatch = body.instructions !== undefined || body.address !== undefined || body.scheduledAt !== undefined || body.depotId !== undefined;
    if (dispatch) assertCan(actor, 'workorders:assign');
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      assertOpen(w, lang);
      if (body.depotId) await depotRow(tx, actor.orgId, body.depotId);
      const sets = ['updated_at = $2'];
      const params: unknown[] = [id, now];
      const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
      if (body.notes !== undefined) set('notes', body.notes || null);
      if (body.instructions !== undefined) set('instructions', body.instructions || null);
      if (body.address !== undefined) set('address', body.address || null);
      if (body.scheduledAt !== undefined) set('scheduled_at', body.scheduledAt ? new Date(body.scheduledAt) : null);
      if (body.depotId !== undefined) set('depot_id', body.depotId);
      await tx.query(`UPDATE work_orders SET ${sets.join(', ')} WHERE id = $1`, params);
      await audit(tx, actor, actor.orgId, { action: 'update', entity: 'work_order', entityId: id, before: { notes: w.notes, instructions: w.instructions, address: w.address, scheduledAt: w.scheduled_at, depotId: w.depot_id }, after: body }, now);
    });
    return this.get(actor, id, lang);
  }

  async assign(actor: Actor, id: string, body: { assigneeId: string; scheduledAt?: string | null | undefined }, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:assign');
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertOpen(w, lang);
      const u = await this.assignee(tx, actor, body.assigneeId);
      const sets = ['assignee_id = $2', 'updated_at = $3'];
      const params: unknown[] = [id, u.id, now];
      if (body.scheduledAt !== undefined) sets.push(`scheduled_at = $${params.push(body.scheduledAt ? new Date(body.scheduledAt) : null)}`);
      // A new engineer starts from "assigned": they are not on the way yet.
      if (w.assignee_id !== u.id && w.status === 'en_route') sets.push(`status = 'assigned'`);
      await tx.query(`UPDATE work_orders SET ${sets.join(', ')} WHERE id = $1`, params);
      await audit(tx, actor, actor.orgId, { action: 'assign', entity: 'work_order', entityId: id, before: { assigneeId: w.assignee_id }, after: body }, now);
      if (w.ticket_id) {
        await ticketEvent(tx, w.ticket_id as string, actor, now, 'work_order', {
          from: w.number as string,
          to: 'assigned',
          body: say(actor.language, 'workorder.event.reassigned', { number: w.number, name: u.name }),
          internal: true,
        });
      }
    });
    return this.get(actor, id, lang);
  }

  /** Moves a work order along WORK_ORDER_TRANSITIONS; completing checks sign-off and checklist, cancelling needs a reason. */
  async move(actor: Actor, id: string, body: WorkOrderMove, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    refuseCardData({ reason: body.reason });
    const now = this.ctx.clock.now();
    let repaired: { terminalId: string; outcome: WorkOrderOutcome } | null = null;
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      const from = w.status as WorkOrderStatus;
      const number = w.number as string;
      if (!WORK_ORDER_TRANSITIONS[from].includes(body.to)) {
        throw new AppError('workorder.illegal_transition', 409, { number, from: say(lang, `workorder.status.${from}`), to: say(lang, `workorder.status.${body.to}`) });
      }
      const sets = ['status = $2', 'updated_at = $3'];
      const params: unknown[] = [id, body.to, now];
      const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
      let outcome: WorkOrderOutcome | null = null;
      if (body.to === 'cancelled') {
        assertCan(actor, 'workorders:assign');
        if (!body.reason) throw errors.validation([{ path: 'body.reason', id: 'workorder.reason_required' }]);
        set('cancel_reason', body.reason);
      }
      if (body.to === 'on_site') set('arrived_at', now);
      if (body.to === 'completed') {
        const checklist = (w.checklist as ChecklistItem[] | null) ?? [];
        const problems: { path: string; id: 'workorder.outcome_required' | 'workorder.signoff_required' | 'workorder.checklist_incomplete' | 'workorder.swap_required'; params?: Record<string, unknown> }[] = [];
        if (!body.outcome) problems.push({ path: 'body.outcome', id: 'workorder.outcome_required' });
        if (!w.signoff) problems.push({ path: 'signoff', id: 'workorder.signoff_required' });
        const open = checklist.filter((i) => i.required && !i.done);
        if (open.length) problems.push({ path: 'checklist', id: 'workorder.checklist_incomplete', params: { items: open.map((i) => i.text[lang]).join('; ') } });
        const [swap] = await swapsOf(tx, 's.work_order_id = $1', [id]);
        if (body.outcome === 'swapped' && !swap) problems.push({ path: 'body.outcome', id: 'workorder.swap_required' });
        if (problems.length) throw new AppError('workorder.cannot_complete', 409, { number }, problems);
        outcome = body.outcome!;
        set('outcome', outcome);
        set('completed_at', now);
        if (w.terminal_id) repaired = { terminalId: w.terminal_id as string, outcome };
      }
      await tx.query(`UPDATE work_orders SET ${sets.join(', ')} WHERE id = $1`, params);
      await audit(tx, actor, actor.orgId, { action: 'status', entity: 'work_order', entityId: id, before: { status: from }, after: { status: body.to, reason: body.reason ?? null, outcome } }, now);
      if (w.ticket_id) {
        const ticketId = w.ticket_id as string;
        const mlang = await merchantLanguage(tx, str(w.merchant_id));
        const publicText =
          body.to === 'completed'
            ? say(mlang, `workorder.event.completed_${outcome!}`, { number })
            : body.to === 'assigned'
              ? say(mlang, 'workorder.event.back_to_assigned', { number })
              : say(mlang, `workorder.event.${body.to}`, { number });
        await ticketEvent(tx, ticketId, actor, now, 'work_order', { from: number, to: body.to, body: publicText });
        if (body.to === 'cancelled') {
          await ticketEvent(tx, ticketId, actor, now, 'work_order', { from: number, to: body.to, body: say(actor.language, 'workorder.event.cancel_reason', { number, reason: body.reason }), internal: true });
        }
        if (body.to === 'completed') {
          const checklist = (w.checklist as ChecklistItem[] | null) ?? [];
          await ticketEvent(tx, ticketId, actor, now, 'work_order', {
            from: number,
            to: body.to,
            body: say(actor.language, 'workorder.event.summary', {
              number,
              done: checklist.filter((i) => i.done).length,
              total: checklist.length,
              signer: (w.signoff as { signerName?: string } | null)?.signerName ?? '',
              outcome: say(actor.language, `workorder.outcome.${outcome!}`),
            }),
            internal: true,
          });
        }
      }
    });
    // After the commit: whoever stands for the terminal itself (the demo's simulated fleet) hears of the repair.
    const done = repaired as { terminalId: string; outcome: WorkOrderOutcome } | null;
    if (done) for (const l of this.repairListeners) l(done);
    return this.get(actor, id, lang);
  }

  /** Listens for completed visits: `terminalId` was repaired on site with `outcome`. */
  onRepaired(listener: (e: { terminalId: string; outcome: WorkOrderOutcome }) => void): void {
    this.repairListeners.push(listener);
  }

  async tick(actor: Actor, id: string, body: { itemId: string; done: boolean }, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      assertOpen(w, lang);
      const checklist = ((w.checklist as ChecklistItem[] | null) ?? []).map((i) => ({ ...i }));
      const item = checklist.find((i) => i.id === body.itemId);
      if (!item) throw errors.validation([{ path: 'body.itemId', id: 'workorder.checklist_item_unknown', params: { item: body.itemId } }]);
      item.done = body.done;
      item.doneAt = body.done ? now.toISOString() : null;
      item.doneBy = body.done ? actor.name : null;
      await tx.query('UPDATE work_orders SET checklist = $2, updated_at = $3 WHERE id = $1', [id, JSON.stringify(checklist), now]);
      await audit(tx, actor, actor.orgId, { action: 'checklist', entity: 'work_order', entityId: id, before: { itemId: body.itemId, done: !body.done }, after: { itemId: body.itemId, done: body.done } }, now);
    });
    return this.get(actor, id, lang);
  }

  /** Parts taken from a depot for this visit: stock goes down in the same transaction, never under zero. */
  async useParts(actor: Actor, id: string, body: z.infer<typeof PartUse>, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    refuseCardData({ note: body.note });
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      assertOpen(w, lang);
      const depotId = body.depotId ?? str(w.depot_id);
      if (!depotId) throw errors.validation([{ path: 'body.depotId', id: 'workorder.depot_required' }]);
      const depot = await depotRow(tx, actor.orgId, depotId);
      const part = await partRow(tx, actor.orgId, body.partId);
      await moveStock(tx, actor, { depotId, partId: body.partId, delta: -body.quantity, reason: 'use', workOrderId: id, ticketId: str(w.ticket_id), note: body.note ?? null }, now, lang);
      await tx.query('UPDATE work_orders SET updated_at = $2 WHERE id = $1', [id, now]);
      await audit(tx, actor, actor.orgId, { action: 'use_parts', entity: 'work_order', entityId: id, after: { depotId, partId: body.partId, quantity: body.quantity, note: body.note ?? null } }, now);
      if (w.ticket_id) {
        await ticketEvent(tx, w.ticket_id as string, actor, now, 'work_order', {
          from: w.number as string,
          to: w.status as string,
          body: say(actor.language, 'workorder.event.part_used', {
            number: w.number,
            quantity: body.quantity,
            unit: part.unit,
            part: partName(part.name, actor.language),
            sku: part.sku,
            depot: depot.code,
          }),
          internal: true,
        });
      }
    });
    return this.get(actor, id, lang);
  }

  /** Checked before an upload is read: the work order is the caller's to change. */
  async assertPhotoTarget(actor: Actor, id: string, lang: Language): Promise<void> {
    assertCan(actor, 'workorders:work');
    const [w] = await this.ctx.db.rawTransaction((tx) => tx.query<Row>('SELECT id, number, status, assignee_id FROM work_orders WHERE id = $1 AND org_id = $2', [id, actor.orgId]));
    if (!w) throw notFound('workorder.not_found');
    assertMayWork(actor, w);
    assertOpen(w, lang);
  }

  async addPhoto(actor: Actor, id: string, file: { bytes: Buffer; caption: string | null }, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    if (file.bytes.length > PHOTO_MAX_BYTES) throw new AppError('workorder.photo_too_large', 413, { limit: PHOTO_MAX_BYTES / 1024 / 1024 });
    const type = sniffImage(file.bytes);
    if (!type) throw new AppError('workorder.photo_type', 415);
    refuseCardData({ caption: file.caption });
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      assertOpen(w, lang);
      const [n] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM work_order_photos WHERE work_order_id = $1', [id]);
      if (num(n?.n) >= MAX_PHOTOS) throw new AppError('workorder.photo_limit', 409, { max: MAX_PHOTOS });
      await tx.query('INSERT INTO work_order_photos (org_id, work_order_id, content_type, bytes, data, caption, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        actor.orgId,
        id,
        type,
        file.bytes.length,
        file.bytes,
        file.caption,
        actor.name,
        now,
      ]);
      await tx.query('UPDATE work_orders SET updated_at = $2 WHERE id = $1', [id, now]);
      await audit(tx, actor, actor.orgId, { action: 'photo', entity: 'work_order', entityId: id, after: { contentType: type, bytes: file.bytes.length, caption: file.caption } }, now);
      if (w.ticket_id) {
        await ticketEvent(tx, w.ticket_id as string, actor, now, 'work_order', { from: w.number as string, to: w.status as string, body: say(actor.language, 'workorder.event.photo', { number: w.number }), internal: true });
      }
    });
    return this.get(actor, id, lang);
  }

  /** A photo's bytes, for signed-in users of the work order's organization only. */
  async photo(actor: Actor, photoId: string): Promise<{ contentType: string; data: Buffer }> {
    assertCan(actor, 'workorders:read');
    const [p] = await this.ctx.db.rawTransaction((tx) => tx.query<Row>('SELECT content_type, data FROM work_order_photos WHERE id = $1 AND org_id = $2', [photoId, actor.orgId]));
    if (!p) throw notFound('workorder.photo_not_found');
    const data = p.data as Uint8Array;
    return { contentType: p.content_type as string, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** The customer signs on the engineer's phone, on site. */
  async signoff(actor: Actor, id: string, body: z.infer<typeof WorkOrderSignoffInput>, lang: Language): Promise<WorkOrderDetail> {
    assertCan(actor, 'workorders:work');
    refuseCardData({ signerName: body.signerName });
    const png = Buffer.from(body.signature.slice(body.signature.indexOf(',') + 1), 'base64');
    if (png.length > SIGNATURE_MAX_BYTES || sniffImage(png) !== 'image/png' || png.length < 64) {
      throw errors.validation([{ path: 'body.signature', id: 'workorder.signature_invalid', params: { kb: SIGNATURE_MAX_BYTES / 1024 } }]);
    }
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, id);
      assertMayWork(actor, w);
      assertOpen(w, lang, 'on_site');
      const signoff = { signerName: body.signerName, signature: body.signature, at: now.toISOString(), by: actor.name };
      await tx.query('UPDATE work_orders SET signoff = $2, updated_at = $3 WHERE id = $1', [id, JSON.stringify(signoff), now]);
      await audit(tx, actor, actor.orgId, { action: 'signoff', entity: 'work_order', entityId: id, after: { signerName: body.signerName } }, now);
      if (w.ticket_id) {
        await ticketEvent(tx, w.ticket_id as string, actor, now, 'work_order', {
          from: w.number as string,
          to: w.status as string,
          body: say(actor.language, 'workorder.event.signoff', { number: w.number, name: body.signerName }),
          internal: true,
        });
      }
    });
    return this.get(actor, id, lang);
  }

  private async assignee(tx: RawTx, actor: Actor, userId: string): Promise<{ id: string; name: string }> {
    const [u] = await tx.query<{ id: string; name: string; role: string }>('SELECT id, name, role FROM users WHERE id = $1 AND org_id = $2 AND NOT disabled', [userId, actor.orgId]);
    if (!u || !(STAFF_ROLES as readonly string[]).includes(u.role)) throw errors.validation([{ path: 'body.assigneeId', id: 'workorder.assignee_invalid' }]);
    return u;
  }

  private async terminalFacts(tx: RawTx, terminalId: string): Promise<WorkOrderDetail['terminal']> {
    const [t] = await tx.query<Row>('SELECT * FROM terminals WHERE id = $1', [terminalId]);
    if (!t) return null;
    const history = await tx.query<Row>('SELECT from_state, to_state, reason, actor_name, at FROM terminal_state_history WHERE terminal_id = $1 ORDER BY at DESC LIMIT 8', [terminalId]);
    const tickets = await tx.query<Row>('SELECT id, number, title, status, cause_code, created_at FROM tickets WHERE terminal_id = $1 ORDER BY created_at DESC LIMIT 5', [terminalId]);
    return {
      id: t.id as string,
      serialNumber: t.serial_number as string,
      tid: str(t.tid),
      vendor: t.vendor as string,
      model: t.model as string,
      osVersion: str(t.os_version),
      appVersion: str(t.app_version),
      firmwareVersion: str(t.firmware_version),
      lifecycleState: t.lifecycle_state as never,
      history: history.map((h) => ({ fromState: (h.from_state as never) ?? null, toState: h.to_state as never, reason: str(h.reason), actorName: str(h.actor_name), at: iso(h.at)! })),
      tickets: tickets.map((k) => ({ id: k.id as string, number: k.number as string, title: k.title as string, status: k.status as never, causeCode: str(k.cause_code), createdAt: iso(k.created_at)! })),
    };
  }
}

function causesOf(diagnosis: unknown, lang: Language): { code: string; confidence: number; title: string }[] {
  const causes = (diagnosis as { causes?: { code?: string; confidence?: number; title?: Record<string, string> | string }[] } | null)?.causes ?? [];
  return causes
    .filter((c) => typeof c.code === 'string')
    .map((c) => ({
      code: c.code!,
      confidence: typeof c.confidence === 'number' ? c.confidence : 0,
      title: typeof c.title === 'string' ? c.title : (c.title?.[lang] ?? c.title?.['zh-CN'] ?? c.code!),
    }));
}

export function presentRow(r: Row): WorkOrderRow {
  return {
    id: r.id as string,
    number: r.number as string,
    status: r.status as WorkOrderStatus,
    kind: r.kind as WorkOrderKind,
    ticketId: str(r.ticket_id),
    ticketNumber: str(r.ticket_number),
    terminalId: str(r.terminal_id),
    serialNumber: str(r.serial_number),
    siteId: str(r.site_id),
    siteName: str(r.site_name),
    merchantName: str(r.merchant_name),
    assigneeId: str(r.assignee_id),
    assigneeName: str(r.assignee_name),
    depotId: str(r.depot_id),
    depotName: str(r.depot_name),
    address: str(r.address),
    scheduledAt: iso(r.scheduled_at),
    outcome: (r.outcome as WorkOrderOutcome | null) ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    arrivedAt: iso(r.arrived_at),
    completedAt: iso(r.completed_at),
  };
}
