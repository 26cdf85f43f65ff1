/**
 * Terminal swaps on replacement work orders, all in one transaction: the old terminal goes
 * active → swapped_out into the engineer's custody (and leaves the site); the replacement, a spare in
 * stock, is taken from its depot and goes in_stock → installed → active at the same site and merchant;
 * a terminal_swaps row and custody rows for both; the linked ticket now follows the new terminal, so its
 * verification reads the new terminal's signals.
 */
import type { z } from 'zod';
import type { Language, SwapCandidateList, SwapCreate, TerminalSwap } from '@poscare/contracts';
import { type Actor, assertCan } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { canTransition } from '../terminals/service.js';
import { ticketEvent } from '../tickets/service.js';
import { lockTerminal, moveLifecycle, recordCustody, swapsOf } from './custody.js';
import { assertMayWork, assertOpen, audit, lockWorkOrder, merchantLanguage, notFound, refuseCardData, type Row, say, str } from './shared.js';

/** Where a terminal is held now: the holder of its latest custody entry. */
const CURRENT_HOLDER = `(SELECT c.holder_kind || ':' || coalesce(c.holder_id, '') FROM terminal_custody c WHERE c.terminal_id = t.id ORDER BY c.at DESC, c.id DESC LIMIT 1)`;

export class SwapService {
  constructor(private readonly ctx: AppContext) {}

  /** Spare terminals in stock to pick from: those in the work order's depot first, then the same model. */
  async candidates(actor: Actor, workOrderId: string): Promise<z.infer<typeof SwapCandidateList>> {
    assertCan(actor, 'workorders:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const [w] = await tx.query<Row>(
        'SELECT w.depot_id, o.model FROM work_orders w LEFT JOIN terminals o ON o.id = w.terminal_id WHERE w.id = $1 AND w.org_id = $2',
        [workOrderId, actor.orgId],
      );
      if (!w) throw notFound('workorder.not_found');
      const rows = await tx.query<Row>(
        `SELECT x.*, d.id AS depot_id, d.name AS depot_name FROM (
            SELECT t.id, t.serial_number, t.vendor, t.model, ${CURRENT_HOLDER} AS holder FROM terminals t WHERE t.org_id = $1 AND t.lifecycle_state = 'in_stock'
          ) x LEFT JOIN depots d ON d.org_id = $1 AND x.holder = 'depot:' || d.id::text
          ORDER BY (d.id IS NOT DISTINCT FROM $2::uuid AND $2::uuid IS NOT NULL) DESC, (x.model = $3) DESC, d.code NULLS LAST, x.serial_number LIMIT 100`,
        [actor.orgId, w.depot_id ?? null, w.model ?? ''],
      );
      return {
        items: rows.map((r) => ({
          id: r.id as string,
          serialNumber: r.serial_number as string,
          vendor: r.vendor as string,
          model: r.model as string,
          depotId: str(r.depot_id),
          depotName: str(r.depot_name),
          inWorkOrderDepot: !!w.depot_id && r.depot_id === w.depot_id,
          sameModel: r.model === w.model,
        })),
      };
    });
  }

  async swap(actor: Actor, workOrderId: string, body: z.infer<typeof SwapCreate>, lang: Language): Promise<TerminalSwap> {
    assertCan(actor, 'workorders:work');
    assertCan(actor, 'terminal:lifecycle');
    refuseCardData({ note: body.note });
    const now = this.ctx.clock.now();
    const swapId = await this.ctx.db.rawTransaction(async (tx) => {
      const w = await lockWorkOrder(tx, actor, workOrderId);
      assertMayWork(actor, w);
      assertOpen(w, lang, 'on_site');
      const number = w.number as string;
      if (w.kind !== 'replacement') throw new AppError('swap.wrong_kind', 409, { number });
      const [done] = await swapsOf(tx, 's.work_order_id = $1', [workOrderId]);
      if (done) throw new AppError('swap.already_swapped', 409, { number, serial: done.newSerialNumber });
      if (!w.terminal_id) throw new AppError('swap.no_terminal', 409, { number });
      if (w.terminal_id === body.newTerminalId) throw new AppError('swap.same_terminal', 409);

      const old = await lockTerminal(tx, actor.orgId, w.terminal_id as string);
      const spare = await lockTerminal(tx, actor.orgId, body.newTerminalId);
      if (spare.lifecycle_state !== 'in_stock') {
        throw new AppError('swap.not_in_stock', 409, { serial: spare.serial_number, state: say(lang, `swap.state.${spare.lifecycle_state}`) });
      }
      if (!canTransition(old.lifecycle_state, 'swapped_out')) {
        throw new AppError('swap.old_not_swappable', 409, { serial: old.serial_number, state: say(lang, `swap.state.${old.lifecycle_state}`) });
      }
      const siteId = old.site_id ?? str(w.site_id);
      if (!siteId) throw errors.siteRequired('installed');
      const [site] = await tx.query<Row>('SELECT id, name, code, merchant_id FROM sites WHERE id = $1 AND org_id = $2', [siteId, actor.orgId]);
      if (!site) throw errors.notFound('site');
      const engineer = await holderOf(tx, actor, w);
      const [from] = await tx.query<Row>(
        `SELECT d.id, d.code, d.name FROM terminal_custody c JOIN depots d ON c.holder_kind = 'depot' AND c.holder_id = d.id::text
          WHERE c.terminal_id = $1 AND c.id = (SELECT max(c2.id) FROM terminal_custody c2 WHERE c2.terminal_id = $1)`,
        [spare.id],
      );
      const depotId = str(from?.id) ?? str(w.depot_id);
      const [swap] = await tx.query<{ id: string }>(
        `INSERT INTO terminal_swaps (org_id, work_order_id, ticket_id, old_terminal_id, new_terminal_id, depot_id, status, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6, 'installed', $7, $8) RETURNING id`,
        [actor.orgId, workOrderId, w.ticket_id ?? null, old.id, spare.id, depotId, actor.name, now],
      );
      const id = swap!.id;
      const reason = `swap ${number}`;
      const siteLabel = `${site.code as string} ${site.name as string}`;

      // The old terminal leaves the site with the engineer.
      await moveLifecycle(tx, actor, old, 'swapped_out', reason, now);
      await tx.query('UPDATE terminals SET site_id = NULL, merchant_id = NULL, updated_at = $2 WHERE id = $1', [old.id, now]);
      await audit(tx, actor, actor.orgId, { action: 'update', entity: 'terminal', entityId: old.id, before: { siteId: old.site_id, merchantId: old.merchant_id }, after: { siteId: null, merchantId: null, reason } }, now);
      await recordCustody(
        tx,
        actor,
        { terminalId: old.id, holderKind: 'engineer', ...engineer, lifecycleFrom: old.lifecycle_state, lifecycleTo: 'swapped_out', workOrderId, swapId: id, note: body.note ?? `${siteLabel} →` },
        now,
      );

      // The replacement: from its depot to the engineer, then installed and in service at the site.
      await recordCustody(
        tx,
        actor,
        { terminalId: spare.id, holderKind: 'engineer', ...engineer, lifecycleFrom: null, lifecycleTo: null, workOrderId, swapId: id, note: from ? `${from.code as string} ${from.name as string} →` : null },
        now,
      );
      await tx.query('UPDATE terminals SET site_id = $2, merchant_id = $3, updated_at = $4 WHERE id = $1', [spare.id, site.id, site.merchant_id, now]);
      await audit(tx, actor, actor.orgId, { action: 'update', entity: 'terminal', entityId: spare.id, before: { siteId: spare.site_id, merchantId: spare.merchant_id }, after: { siteId: site.id, merchantId: site.merchant_id, reason } }, now);
      const installed = await moveLifecycle(tx, actor, { ...spare, site_id: site.id as string, merchant_id: site.merchant_id as string }, 'installed', reason, now);
      await moveLifecycle(tx, actor, installed, 'active', reason, now);
      await recordCustody(
        tx,
        actor,
        { terminalId: spare.id, holderKind: 'site', holderId: site.id as string, holderLabel: siteLabel, lifecycleFrom: 'in_stock', lifecycleTo: 'active', workOrderId, swapId: id, note: body.note ?? null },
        now,
      );

      await tx.query('UPDATE work_orders SET updated_at = $2 WHERE id = $1', [workOrderId, now]);
      await audit(tx, actor, actor.orgId, { action: 'swap', entity: 'work_order', entityId: workOrderId, after: { swapId: id, oldTerminalId: old.id, newTerminalId: spare.id } }, now);
      if (w.ticket_id) {
        // The ticket follows the new terminal: its verification reads the new terminal's signals.
        await tx.query(
          `UPDATE tickets SET terminal_id = $2, updated_at = $3,
             dedupe_key = CASE WHEN dedupe_key IS NULL OR cause_code IS NULL THEN dedupe_key ELSE $5 || ':' || cause_code END
           WHERE id = $1 AND org_id = $4`,
          [w.ticket_id, spare.id, now, actor.orgId, spare.id],
        );
        const mlang = await merchantLanguage(tx, str(w.merchant_id));
        await ticketEvent(tx, w.ticket_id as string, actor, now, 'swap', {
          from: old.serial_number,
          to: spare.serial_number,
          body: say(mlang, 'swap.event', { number, old: old.serial_number, new: spare.serial_number }),
        });
      }
      return id;
    });
    const [swap] = await this.ctx.db.rawTransaction((tx) => swapsOf(tx, 's.id = $1', [swapId]));
    return swap!;
  }
}

/** The engineer who takes a terminal: the work order's assignee (a dispatcher may record it for them). */
async function holderOf(tx: RawTx, actor: Actor, w: Row): Promise<{ holderId: string; holderLabel: string }> {
  if (w.assignee_id && w.assignee_id !== actor.userId) {
    const [u] = await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [w.assignee_id]);
    if (u) return { holderId: w.assignee_id as string, holderLabel: u.name };
  }
  return { holderId: actor.userId, holderLabel: actor.name };
}
