/**
 * Chain of custody of terminals: who or where held a terminal from when (a depot, an engineer, a
 * merchant's site), with the lifecycle move that went with each hand-over. Lifecycle moves follow the
 * terminal lifecycle rules (LIFECYCLE_TRANSITIONS through terminals/service.ts `canTransition`) and write
 * the same state history and audit entries as the terminal service, inside the caller's transaction so
 * that a swap is all-or-nothing.
 */
import type { z } from 'zod';
import type { CustodyChain, CustodyEntry, CustodyReturn, Language, LifecycleState, TerminalSwap } from '@poscare/contracts';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { canTransition } from '../terminals/service.js';
import { ticketEvent } from '../tickets/service.js';
import { depotRow } from './parts.js';
import { audit, iso, num, refuseCardData, type Row, say, str } from './shared.js';

/** States in which a terminal stands at a merchant's site and so must have one (as in the terminal service). */
const NEEDS_SITE: readonly LifecycleState[] = ['installed', 'active'];

export interface CustodyInput {
  terminalId: string;
  holderKind: CustodyEntry['holderKind'];
  holderId: string | null;
  holderLabel: string | null;
  lifecycleFrom?: LifecycleState | null;
  lifecycleTo?: LifecycleState | null;
  workOrderId?: string | null;
  swapId?: string | null;
  note?: string | null;
}

export async function recordCustody(tx: RawTx, actor: Actor, c: CustodyInput, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO terminal_custody (org_id, terminal_id, at, holder_kind, holder_id, holder_label, lifecycle_from, lifecycle_to, work_order_id, swap_id, actor, actor_id, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [actor.orgId, c.terminalId, at, c.holderKind, c.holderId, c.holderLabel, c.lifecycleFrom ?? null, c.lifecycleTo ?? null, c.workOrderId ?? null, c.swapId ?? null, actor.name, authorId(actor), c.note ?? null],
  );
}

export interface TerminalState {
  id: string;
  org_id: string;
  serial_number: string;
  lifecycle_state: LifecycleState;
  site_id: string | null;
  merchant_id: string | null;
}

/** Locks a terminal of the actor's organization for the rest of the transaction. */
export async function lockTerminal(tx: RawTx, orgId: string, id: string): Promise<TerminalState> {
  const [t] = await tx.query<TerminalState>('SELECT id, org_id, serial_number, lifecycle_state, site_id, merchant_id FROM terminals WHERE id = $1 AND org_id = $2 FOR UPDATE', [id, orgId]);
  if (!t) throw errors.notFound('terminal');
  return t;
}

/** One lifecycle move: the rules, the guarded update, the state history row and the audit entry. */
export async function moveLifecycle(tx: RawTx, actor: Actor, t: TerminalState, to: LifecycleState, reason: string, at: Date): Promise<TerminalState> {
  const from = t.lifecycle_state;
  if (!canTransition(from, to)) throw errors.illegalTransition(from, to);
  if (NEEDS_SITE.includes(to) && !t.site_id) throw errors.siteRequired(to);
  const [row] = await tx.query<TerminalState>(
    'UPDATE terminals SET lifecycle_state = $3, updated_at = $4 WHERE id = $1 AND lifecycle_state = $2 RETURNING id, org_id, serial_number, lifecycle_state, site_id, merchant_id',
    [t.id, from, to, at],
  );
  if (!row) throw errors.illegalTransition(from, to);
  await tx.query('INSERT INTO terminal_state_history (org_id, terminal_id, from_state, to_state, reason, actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    t.org_id,
    t.id,
    from,
    to,
    reason,
    authorId(actor),
    actor.name,
    at,
  ]);
  await audit(tx, actor, t.org_id, { action: 'lifecycle', entity: 'terminal', entityId: t.id, before: { lifecycleState: from }, after: { lifecycleState: to, reason } }, at);
  return row;
}

export async function swapsOf(tx: RawTx, where: string, params: unknown[]): Promise<TerminalSwap[]> {
  const rows = await tx.query<Row>(
    `SELECT s.*, o.serial_number AS old_serial, n.serial_number AS new_serial FROM terminal_swaps s
       JOIN terminals o ON o.id = s.old_terminal_id JOIN terminals n ON n.id = s.new_terminal_id WHERE ${where} ORDER BY s.at`,
    params,
  );
  return rows.map(presentSwap);
}

export function presentSwap(r: Row): TerminalSwap {
  return {
    id: r.id as string,
    workOrderId: str(r.work_order_id),
    ticketId: str(r.ticket_id),
    oldTerminalId: r.old_terminal_id as string,
    oldSerialNumber: r.old_serial as string,
    newTerminalId: r.new_terminal_id as string,
    newSerialNumber: r.new_serial as string,
    depotId: str(r.depot_id),
    status: r.status as TerminalSwap['status'],
    actor: str(r.actor),
    at: iso(r.at)!,
  };
}

export class CustodyService {
  constructor(private readonly ctx: AppContext) {}

  /** The chain of custody of one terminal, oldest first, with the swaps it took part in. */
  async chain(actor: Actor, terminalId: string): Promise<z.infer<typeof CustodyChain>> {
    assertCan(actor, 'workorders:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const [t] = await tx.query<Row>('SELECT id, serial_number, lifecycle_state FROM terminals WHERE id = $1 AND org_id = $2', [terminalId, actor.orgId]);
      if (!t) throw errors.notFound('terminal');
      const rows = await tx.query<Row>(
        `SELECT c.*, w.number AS work_order_number FROM terminal_custody c LEFT JOIN work_orders w ON w.id = c.work_order_id
          WHERE c.terminal_id = $1 AND c.org_id = $2 ORDER BY c.at, c.id`,
        [terminalId, actor.orgId],
      );
      return {
        terminalId,
        serialNumber: t.serial_number as string,
        lifecycleState: t.lifecycle_state as LifecycleState,
        items: rows.map(presentCustody),
        swaps: await swapsOf(tx, 's.org_id = $1 AND (s.old_terminal_id = $2 OR s.new_terminal_id = $2)', [actor.orgId, terminalId]),
      };
    });
  }

  /**
   * A swapped-out terminal handed in at a depot for repair: swapped_out → in_repair, custody to the depot,
   * the swap marked returned, and an internal line on the ticket it was swapped for.
   */
  async returnToDepot(actor: Actor, terminalId: string, body: z.infer<typeof CustodyReturn>, lang: Language): Promise<z.infer<typeof CustodyChain>> {
    assertCan(actor, 'workorders:work');
    assertCan(actor, 'terminal:lifecycle');
    refuseCardData({ note: body.note });
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const t = await lockTerminal(tx, actor.orgId, terminalId);
      const depot = await depotRow(tx, actor.orgId, body.depotId);
      if (t.lifecycle_state !== 'swapped_out') throw new AppError('swap.not_swapped_out', 409, { serial: t.serial_number, state: say(lang, `swap.state.${t.lifecycle_state}`) });
      const [swap] = await tx.query<Row>("SELECT * FROM terminal_swaps WHERE old_terminal_id = $1 AND org_id = $2 AND status = 'installed' ORDER BY at DESC LIMIT 1", [terminalId, actor.orgId]);
      await moveLifecycle(tx, actor, t, 'in_repair', `returned to depot ${depot.code as string}`, now);
      await recordCustody(
        tx,
        actor,
        {
          terminalId,
          holderKind: 'depot',
          holderId: depot.id as string,
          holderLabel: `${depot.code as string} ${depot.name as string}`,
          lifecycleFrom: 'swapped_out',
          lifecycleTo: 'in_repair',
          workOrderId: str(swap?.work_order_id),
          swapId: str(swap?.id),
          note: body.note ?? null,
        },
        now,
      );
      if (swap) {
        await tx.query("UPDATE terminal_swaps SET status = 'returned' WHERE id = $1", [swap.id]);
        if (swap.ticket_id) {
          await ticketEvent(tx, swap.ticket_id as string, actor, now, 'swap', {
            from: t.serial_number,
            to: depot.code as string,
            body: say(actor.language, 'swap.event_returned', { serial: t.serial_number, depot: `${depot.code as string} ${depot.name as string}` }),
            internal: true,
          });
        }
      }
    });
    return this.chain(actor, terminalId);
  }
}

function presentCustody(r: Row): CustodyEntry {
  return {
    id: num(r.id),
    at: iso(r.at)!,
    holderKind: r.holder_kind as CustodyEntry['holderKind'],
    holderId: str(r.holder_id),
    holderLabel: str(r.holder_label),
    lifecycleFrom: (r.lifecycle_from as LifecycleState | null) ?? null,
    lifecycleTo: (r.lifecycle_to as LifecycleState | null) ?? null,
    workOrderId: str(r.work_order_id),
    workOrderNumber: str(r.work_order_number),
    swapId: str(r.swap_id),
    actor: str(r.actor),
    note: str(r.note),
  };
}
