/** Small pieces the field-service files share: row helpers, the card-data guard, audit rows, timeline wording. */
import { containsCardData, type Language } from '@poscare/contracts';
import { type Actor, authorId, can } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import { translate, type MessageId } from '../i18n/messages.js';

export type Row = Record<string, unknown>;

export const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number => Number(v ?? 0);

/** A card number or track data typed into a work order is refused, naming the field, and never stored. */
export function refuseCardData(fields: Record<string, unknown>): void {
  const bad = Object.entries(fields).filter(([, v]) => containsCardData(v));
  if (bad.length) throw errors.validation(bad.map(([k]) => ({ path: `body.${k}`, id: 'workorder.card_data' as const })));
}

/** Not-found answers of this area (also what another tenant gets: existence is never revealed). */
export const notFound = (id: 'workorder.not_found' | 'workorder.ticket_not_found' | 'workorder.photo_not_found' | 'parts.part_not_found' | 'parts.depot_not_found') =>
  new AppError(id, 404);

/** Audit entries in the caller's transaction: the one writer of the audit module (secrets scrubbed). */
export { recordAuditTx as audit } from '../audit/service.js';

/** The language the merchant of a ticket reads: timeline entries they see are written in it. */
export async function merchantLanguage(tx: RawTx, merchantId: string | null): Promise<Language> {
  if (!merchantId) return 'zh-CN';
  const [m] = await tx.query<{ language: Language }>('SELECT language FROM merchants WHERE id = $1', [merchantId]);
  return m?.language ?? 'zh-CN';
}

const TIME: Intl.DateTimeFormatOptions = { timeZone: 'Asia/Shanghai', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
export const formatTime = (d: Date, lang: Language) => new Intl.DateTimeFormat(lang, TIME).format(d);

export const say = (lang: Language, id: MessageId, params: Record<string, unknown> = {}) => translate(lang, id, params);

/** Locks a work order of the actor's organization for the rest of the transaction. */
export async function lockWorkOrder(tx: RawTx, actor: Actor, id: string): Promise<Row> {
  const [w] = await tx.query<Row>('SELECT * FROM work_orders WHERE id = $1 AND org_id = $2 FOR UPDATE', [id, actor.orgId]);
  if (!w) throw notFound('workorder.not_found');
  return w;
}

/** The assigned engineer works a work order; a dispatcher (workorders:assign) may step in. */
export function mayWork(actor: Actor, w: Row): boolean {
  return w.assignee_id === actor.userId || can(actor, 'workorders:assign');
}

export function assertMayWork(actor: Actor, w: Row): void {
  if (!mayWork(actor, w)) throw new AppError('workorder.not_assignee', 403);
}

/** Changes are only made while the work order is open. */
export function assertOpen(w: Row, lang: Language, what: 'on_site' | 'open' = 'open'): void {
  const status = w.status as string;
  if (status === 'completed' || status === 'cancelled') throw new AppError('workorder.closed', 409, { number: w.number, status: say(lang, `workorder.status.${status as 'completed'}`) });
  if (what === 'on_site' && status !== 'on_site') throw new AppError('workorder.not_on_site', 409, { number: w.number });
}
