/**
 * Disputes: opened by the acquirer's side (API, file, an agent) against a payment found by RRN, by
 * terminal + STAN + day, or by amount + time + card token; otherwise they wait as `unmatched` with the
 * reason. Every method checks the permission first and works inside the actor's organization;
 * merchant users see and answer only their own merchant's disputes (another's is "not found").
 * Status moves are guarded: of two people moving a dispute at once, one wins and the other is told.
 */
import {
  OPEN_DISPUTE_STATUSES,
  stringHasCardData,
  type DisputeCreate,
  type DisputeDetail,
  type DisputeGroup,
  type DisputeMatch,
  type DisputeKind,
  type DisputeNetwork,
  type DisputePage,
  type DisputePaymentCandidates,
  type DisputePaymentSearch,
  type DisputeQuery,
  type DisputeImportReport,
  type DisputeReport,
  type DisputeReportQuery,
  type DisputeReasonCodes,
  type DisputeRow,
  type DisputeStatus,
  type DisputeTransition,
  type EvidenceItem,
  type EvidencePack,
  type Language,
} from '@poscare/contracts';
import { assertCan, authorId, can, type Actor } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import { translate, type MessageId } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { businessDaysLeft, dueAfterBusinessDays } from './deadlines.js';
import { checklist, localTime, money, assemblePack } from './pack.js';
import { DEADLINE_DAYS, REASON_CODES, evidenceInfo, reasonOf, reasonText } from './reasonCodes.js';
import * as repo from './repository.js';
import { nextWake } from './steps.js';
import { importDisputes } from './importFile.js';
import { disputeReport } from './report.js';
import { queueContactSms, queueGroupMessages } from '../notifications/outbound.js';

const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));
const CARD_WINDOW_MS = 10 * 60_000;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png']);
const t = (lang: Language, id: string, params: Record<string, unknown> = {}) => translate(lang, id as MessageId, params);

export interface Match {
  matchedBy: 'rrn' | 'terminal_stan_date' | 'amount_time_card' | null;
  unmatchedReason: 'no_payment' | 'ambiguous' | 'unknown_terminal' | null;
  payment: { terminalId: string; merchantId: string | null; stan: string; day: string; at: Date; rrn: string | null; cardToken: string | null; recordIds: string[] } | null;
}

/** Finds the payment a dispute names: RRN first, then terminal + STAN + day, then amount + time + card. */
export async function matchPayment(tx: RawTx, orgId: string, p: DisputeCreate['payment']): Promise<Match> {
  let reason: Match['unmatchedReason'] = null;
  const tries = lookups(tx, orgId, p, () => {
    reason ??= 'unknown_terminal';
  });
  for (const [key, find] of tries) {
    const lines = await find();
    if (!lines) continue;
    const payments = byPayment(lines);
    if (payments.size === 1) {
      const group = [...payments.values()][0]!;
      const term = group.find((l) => !l.record_id.startsWith('host:'));
      const first = term ?? group[0]!;
      return {
        matchedBy: key,
        unmatchedReason: null,
        payment: {
          terminalId: first.terminal_id,
          merchantId: group.find((l) => l.merchant_id)?.merchant_id ?? null,
          stan: first.stan!,
          day: first.day,
          at: new Date(first.at),
          rrn: group.find((l) => l.rrn)?.rrn ?? null,
          cardToken: group.find((l) => l.card_token)?.card_token ?? null,
          recordIds: group.map((l) => l.record_id),
        },
      };
    }
    if (payments.size > 1) reason = 'ambiguous';
  }
  return { matchedBy: null, unmatchedReason: reason ?? 'no_payment', payment: null };
}

/** The references' lookups in order, each giving its candidate lines (null when the references do not give that key). */
function lookups(tx: RawTx, orgId: string, p: DisputePaymentSearch, unknownTerminal: () => void): [NonNullable<Match['matchedBy']>, () => Promise<repo.CandidateLine[] | null>][] {
  return [
    ['rrn', async () => (p.rrn ? repo.candidatesByRrn(tx, orgId, p.rrn) : null)],
    [
      'terminal_stan_date',
      async () => {
        if (!p.terminal || !p.stan || !p.day) return null;
        const terminalId = await repo.resolveTerminal(tx, orgId, p.terminal);
        if (!terminalId) {
          unknownTerminal();
          return null;
        }
        return repo.candidatesByStan(tx, orgId, terminalId, p.stan, p.day);
      },
    ],
    ['amount_time_card', async () => (p.amountMinor && p.at && p.cardToken ? repo.candidatesByCard(tx, orgId, p.cardToken, p.amountMinor, new Date(p.at), CARD_WINDOW_MS) : null)],
  ];
}

/** One payment is one terminal, STAN and day; its terminal line and host record are the same payment. */
function byPayment(lines: repo.CandidateLine[]): Map<string, repo.CandidateLine[]> {
  const payments = new Map<string, repo.CandidateLine[]>();
  for (const l of lines) {
    const k = `${l.terminal_id}|${l.stan}|${l.day}`;
    payments.set(k, [...(payments.get(k) ?? []), l]);
  }
  return payments;
}

export class DisputeService {
  constructor(private readonly ctx: AppContext) {}

  /** The largest file the import accepts (MAX_UPLOAD_MB). */
  get maxUploadBytes(): number {
    return this.ctx.config.MAX_UPLOAD_MB * 1024 * 1024;
  }

  /** Disputes opened from a CSV or XLSX file, with what became of each row (importFile.ts). */
  importFile(actor: Actor, input: { filename?: string | undefined; bytes: Buffer; language: Language }): Promise<DisputeImportReport> {
    return importDisputes(this.ctx, this, actor, input);
  }

  /** Win rate, money, time to answer, and findings per 1,000 payments over a period (report.ts). */
  report(actor: Actor, q: DisputeReportQuery, lang: Language): Promise<DisputeReport> {
    return disputeReport(this.ctx, actor, q, lang);
  }

  reasonCodes(actor: Actor): DisputeReasonCodes {
    assertCan(actor, 'disputes:read');
    return REASON_CODES;
  }

  async create(actor: Actor, body: DisputeCreate, lang: Language): Promise<DisputeDetail> {
    const { id } = await this.open(actor, body);
    return this.get(actor, id, lang);
  }

  /** Opens one dispute (the API, each row of a file, the console's form); the outcome of the matching. */
  async open(actor: Actor, body: DisputeCreate): Promise<{ id: string; status: DisputeStatus; matchedBy: Match['matchedBy']; unmatchedReason: Match['unmatchedReason'] }> {
    assertCan(actor, 'disputes:work');
    if (body.note && stringHasCardData(body.note)) throw errors.validation([{ path: 'body.note', id: 'dispute.card_data' }]);
    const reason = reasonOf(body.network, body.reasonCode);
    if (!reason) throw errors.validation([{ path: 'body.reasonCode', id: 'dispute.unknown_reason', params: { code: body.reasonCode } }]);
    const now = this.ctx.clock.now();
    const dueAt = body.respondBy ? new Date(body.respondBy) : dueAfterBusinessDays(now, DEADLINE_DAYS[body.kind]);
    if (dueAt.getTime() <= now.getTime()) throw errors.validation([{ path: 'body.respondBy', id: 'dispute.deadline_past' }]);
    return this.ctx.db.rawTransaction(async (tx) => {
      const m = await matchPayment(tx, actor.orgId, body.payment);
      const p = m.payment;
      const dup = p ? await repo.duplicateFindingFor(tx, actor.orgId, p.recordIds) : undefined;
      const language = body.language ?? (p?.merchantId ? await merchantLanguage(tx, actor.orgId, p.merchantId) : 'zh-CN');
      const status: DisputeStatus = p ? 'needs_response' : 'unmatched';
      const id = await repo.insertDispute(tx, {
        orgId: actor.orgId,
        network: body.network,
        kind: body.kind,
        reasonCode: body.reasonCode,
        reasonGroup: reason.group,
        caseNumber: body.caseNumber,
        status,
        unmatchedReason: m.unmatchedReason,
        matchedBy: m.matchedBy,
        lookup: body.payment,
        amountMinor: body.amountMinor,
        currency: body.currency,
        merchantId: p?.merchantId ?? null,
        terminalId: p?.terminalId ?? null,
        stan: p?.stan ?? null,
        rrn: p?.rrn ?? body.payment.rrn ?? null,
        cardToken: p?.cardToken ?? body.payment.cardToken ?? null,
        paymentAt: p?.at ?? null,
        paymentDay: p?.day ?? null,
        language,
        note: body.note ?? null,
        openedAt: now,
        dueAt,
        wakeAt: nextWake(now, dueAt, [], false) ?? dueAt,
        duplicateFindingId: dup?.id ?? null,
        createdBy: authorId(actor),
      });
      if (!id) throw new AppError('dispute.exists', 409, { caseNumber: body.caseNumber }, [{ path: 'body.caseNumber', id: 'dispute.exists', params: { caseNumber: body.caseNumber } }]);
      await repo.addEvent(tx, { orgId: actor.orgId, disputeId: id, at: now, type: 'opened', toValue: status, body: m.matchedBy ?? m.unmatchedReason, actorId: authorId(actor), actorName: actor.name });
      const row = (await repo.getDispute(tx, actor.orgId, id, null))!;
      if (p) await repo.setPack(tx, id, await assemblePack(tx, row, language as Language, now));
      await recordAuditTx(tx, actor, actor.orgId, { action: 'create', entity: 'dispute', entityId: id, after: { network: body.network, kind: body.kind, reasonCode: body.reasonCode, caseNumber: body.caseNumber, status } }, now);
      // The merchant hears at once: a deadline is running.
      if (p?.merchantId) await this.tell(tx, (await repo.getDispute(tx, actor.orgId, id, null))!, 'opened', [], now);
      return { id, status, matchedBy: m.matchedBy, unmatchedReason: m.unmatchedReason };
    });
  }

  async list(actor: Actor, q: DisputeQuery, lang: Language): Promise<DisputePage> {
    assertCan(actor, 'disputes:read');
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      if (q.merchantId && !(await merchantInOrg(tx, actor, q.merchantId))) throw errors.notFound('merchant');
      const { rows, total } = await repo.listDisputes(tx, actor.orgId, actor.merchantId, q, now);
      const added = await repo.evidenceItemsOf(tx, rows.filter((r) => r.status === 'needs_response').map((r) => r.id));
      return { items: rows.map((r) => this.row(r, lang, now, this.missing(r, lang, added.get(r.id) ?? []))), total };
    });
  }

  async get(actor: Actor, id: string, lang: Language): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:read');
    return this.ctx.db.rawTransaction((tx) => this.detail(tx, actor, id, lang));
  }

  private async detail(tx: RawTx, actor: Actor, id: string, lang: Language): Promise<DisputeDetail> {
    const now = this.ctx.clock.now();
    const d = await repo.getDispute(tx, actor.orgId, id, actor.merchantId);
    if (!d) throw errors.notFound('dispute');
    const evidence = await repo.evidenceOf(tx, id);
    const events = await repo.eventsOf(tx, id);
    const stored = (d.pack as EvidencePack | null) ?? null;
    // The stored pack (and the PDF) is in the dispute's language; a reader of the other language sees the same records in theirs.
    const pack = stored && stored.language !== lang ? await assemblePack(tx, d, lang, new Date(stored.assembledAt)) : stored;
    const checks = checklist(lang, d.reason_group as DisputeGroup | null, pack, evidence);
    const row = this.row(d, lang, now, this.missing(d, lang, evidence));
    const actions: DisputeDetail['actions'] = [];
    if (d.status === 'needs_response' && can(actor, 'disputes:respond')) actions.push('evidence', 'submit', 'accept');
    if (d.status === 'evidence_submitted' && can(actor, 'disputes:respond')) actions.push('evidence');
    if (d.status === 'evidence_submitted' && can(actor, 'disputes:work')) actions.push('won', 'lost');
    return {
      ...row,
      note: d.note,
      lookup: d.lookup as DisputeDetail['lookup'],
      pack,
      checklist: checks,
      evidence: evidence.map((e) => ({ id: e.id, item: (e.item as EvidenceItem | null) ?? null, kind: e.kind, body: e.body, contentType: e.content_type, bytes: e.bytes, byName: e.created_by_name, at: iso(e.created_at) })),
      timeline: events.map((e) => ({ at: iso(e.at), type: e.type, text: eventText(lang, e), byName: e.actor_name })),
      actions,
    };
  }

  /** Free text from the merchant (or an agent), optionally for one required item. */
  async addText(actor: Actor, id: string, body: { item?: EvidenceItem | undefined; body: string }, lang: Language): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:respond');
    if (stringHasCardData(body.body)) throw errors.validation([{ path: 'body.body', id: 'dispute.card_data' }]);
    return this.addEvidence(actor, id, { item: body.item ?? null, kind: 'text', body: body.body, contentType: null, data: null }, lang);
  }

  async addPhoto(actor: Actor, id: string, file: { bytes: Buffer; mimetype: string; item: string | null; caption: string | null }, lang: Language): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:respond');
    const type = sniffImage(file.bytes);
    if (!type || !PHOTO_TYPES.has(type)) throw new AppError('dispute.photo_type', 400);
    if (file.caption && stringHasCardData(file.caption)) throw errors.validation([{ path: 'body.caption', id: 'dispute.card_data' }]);
    const item = file.item && (evidenceItems as readonly string[]).includes(file.item) ? (file.item as EvidenceItem) : null;
    return this.addEvidence(actor, id, { item, kind: 'photo', body: file.caption, contentType: type, data: file.bytes }, lang);
  }

  /** Refuses early (before reading a large upload) when the dispute is not the caller's or is closed. */
  async assertEvidenceTarget(actor: Actor, id: string): Promise<void> {
    assertCan(actor, 'disputes:respond');
    await this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, actor.merchantId);
      if (!d) throw errors.notFound('dispute');
      if (d.status !== 'needs_response' && d.status !== 'evidence_submitted') throw new AppError('dispute.closed', 409, { status: t(actor.language, `dispute.status.${d.status}`) });
    });
  }

  private async addEvidence(actor: Actor, id: string, e: { item: EvidenceItem | null; kind: 'text' | 'photo'; body: string | null; contentType: string | null; data: Buffer | null }, lang: Language): Promise<DisputeDetail> {
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, actor.merchantId, true);
      if (!d) throw errors.notFound('dispute');
      if (d.status !== 'needs_response' && d.status !== 'evidence_submitted') throw new AppError('dispute.closed', 409, { status: t(lang, `dispute.status.${d.status}`) });
      const evId = await repo.addEvidence(tx, { orgId: actor.orgId, disputeId: id, ...e, by: authorId(actor), byName: actor.name, at: now });
      await repo.markActed(tx, id, now);
      await repo.addEvent(tx, { orgId: actor.orgId, disputeId: id, at: now, type: 'evidence', toValue: e.item, body: e.kind, actorId: authorId(actor), actorName: actor.name });
      await recordAuditTx(tx, actor, actor.orgId, { action: 'add_evidence', entity: 'dispute', entityId: id, after: { evidenceId: evId, kind: e.kind, item: e.item } }, now);
      return this.detail(tx, actor, id, lang);
    });
  }

  async photo(actor: Actor, evidenceId: string): Promise<{ contentType: string; data: Buffer }> {
    assertCan(actor, 'disputes:read');
    const p = await this.ctx.db.rawTransaction((tx) => repo.evidencePhoto(tx, actor.orgId, evidenceId, actor.merchantId));
    if (!p) throw errors.notFound('dispute_evidence');
    return { contentType: p.content_type, data: p.data };
  }

  /** submit / accept (the merchant or an agent), won / lost (an agent, with the acquirer's answer). */
  async transition(actor: Actor, id: string, body: DisputeTransition, lang: Language): Promise<DisputeDetail> {
    const from: DisputeStatus[] = body.to === 'won' || body.to === 'lost' ? ['evidence_submitted'] : ['needs_response'];
    assertCan(actor, body.to === 'won' || body.to === 'lost' ? 'disputes:work' : 'disputes:respond');
    if (body.note && stringHasCardData(body.note)) throw errors.validation([{ path: 'body.note', id: 'dispute.card_data' }]);
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, actor.merchantId);
      if (!d) throw errors.notFound('dispute');
      const closes = body.to !== 'evidence_submitted';
      if (!from.includes(d.status) || !(await repo.moveStatus(tx, actor.orgId, id, from, body.to, now, closes, true))) {
        const current = (await repo.getDispute(tx, actor.orgId, id, null))?.status ?? d.status;
        throw new AppError('dispute.changed_meanwhile', 409, { status: t(lang, `dispute.status.${current}`), to: t(lang, `dispute.status.${body.to}`) });
      }
      await repo.addEvent(tx, { orgId: actor.orgId, disputeId: id, at: now, type: 'status', fromValue: d.status, toValue: body.to, body: body.note ?? null, actorId: authorId(actor), actorName: actor.name });
      await recordAuditTx(tx, actor, actor.orgId, { action: 'transition', entity: 'dispute', entityId: id, before: { status: d.status }, after: { status: body.to, note: body.note ?? null } }, now);
      return this.detail(tx, actor, id, lang);
    });
  }

  /** Matches an unmatched dispute with references an agent checked; the pack is assembled and the merchant told. */
  async match(actor: Actor, id: string, body: DisputeMatch, lang: Language): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:work');
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, null);
      if (!d) throw errors.notFound('dispute');
      if (d.status !== 'unmatched') throw new AppError('dispute.changed_meanwhile', 409, { status: t(lang, `dispute.status.${d.status}`), to: t(lang, 'dispute.status.needs_response') });
      const m = await matchPayment(tx, actor.orgId, body.payment);
      if (!m.payment) throw new AppError('dispute.still_unmatched', 400, { reason: t(lang, `dispute.unmatched.${m.unmatchedReason}`) });
      const p = m.payment;
      const dup = await repo.duplicateFindingFor(tx, actor.orgId, p.recordIds);
      const ok = await repo.attachPayment(tx, actor.orgId, id, { ...p, matchedBy: 'manual', duplicateFindingId: dup?.id ?? null }, now);
      if (!ok) throw new AppError('dispute.changed_meanwhile', 409, { status: t(lang, 'dispute.status.needs_response'), to: t(lang, 'dispute.status.needs_response') });
      await repo.addEvent(tx, { orgId: actor.orgId, disputeId: id, at: now, type: 'matched', toValue: 'needs_response', body: m.matchedBy, actorId: authorId(actor), actorName: actor.name });
      await recordAuditTx(tx, actor, actor.orgId, { action: 'match', entity: 'dispute', entityId: id, after: { terminalId: p.terminalId, stan: p.stan, day: p.day, by: m.matchedBy } }, now);
      const row = (await repo.getDispute(tx, actor.orgId, id, null))!;
      await repo.setPack(tx, id, await assemblePack(tx, row, row.language as Language, now));
      if (row.merchant_id) await this.tell(tx, row, 'opened', [], now);
    });
    return this.get(actor, id, lang);
  }

  /**
   * The payments some references name, for an agent to choose from (matching by hand): every lookup the
   * references give, each payment once (its terminal line and host record together), the caller's own
   * organization's only. Confirming one is `match` with its terminal, STAN and day.
   */
  async searchPayments(actor: Actor, q: DisputePaymentSearch): Promise<DisputePaymentCandidates> {
    assertCan(actor, 'disputes:work');
    return this.ctx.db.rawTransaction(async (tx) => {
      let unknownTerminal = false;
      const found = new Map<string, { by: NonNullable<Match['matchedBy']>; lines: repo.CandidateLine[] }>();
      for (const [key, find] of lookups(tx, actor.orgId, q, () => (unknownTerminal = true))) {
        const lines = await find();
        if (!lines) continue;
        for (const [k, group] of byPayment(lines)) if (!found.has(k)) found.set(k, { by: key, lines: group });
      }
      const all = [...found.values()].flatMap((f) => f.lines);
      const labels = await repo.candidateLabels(tx, actor.orgId, [...new Set(all.map((l) => l.terminal_id))], [...new Set(all.flatMap((l) => (l.merchant_id ? [l.merchant_id] : [])))]);
      const items = [...found.values()].slice(0, 50).map(({ by, lines }) => {
        const first = lines.find((l) => !l.record_id.startsWith('host:')) ?? lines[0]!;
        const merchantId = lines.find((l) => l.merchant_id)?.merchant_id ?? null;
        const token = lines.find((l) => l.card_token)?.card_token ?? null;
        const amount = first.amount_minor ?? lines.find((l) => l.amount_minor !== null)?.amount_minor ?? null;
        return {
          terminalId: first.terminal_id,
          terminalLabel: labels.terminals.get(first.terminal_id) ?? null,
          merchantId,
          merchantName: merchantId ? (labels.merchants.get(merchantId) ?? null) : null,
          stan: first.stan!,
          day: first.day,
          at: iso(first.at),
          amountMinor: amount === null ? null : Number(amount),
          currency: first.currency ?? lines.find((l) => l.currency)?.currency ?? null,
          rrn: lines.find((l) => l.rrn)?.rrn ?? null,
          cardTail: token ? token.slice(-4) : null,
          sides: [...new Set(lines.map((l) => (l.record_id.startsWith('host:') ? 'host' : 'terminal') as 'host' | 'terminal'))].sort().reverse(),
          matchedBy: by,
        };
      });
      items.sort((a, b) => a.at.localeCompare(b.at));
      return { items, reason: items.length ? (items.length > 1 ? 'ambiguous' : null) : unknownTerminal ? 'unknown_terminal' : 'no_payment' };
    });
  }

  /** The pack assembled again from the records as they are now (e.g. host records imported later). */
  async refreshPack(actor: Actor, id: string, lang: Language): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:work');
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, null);
      if (!d) throw errors.notFound('dispute');
      await repo.setPack(tx, id, await assemblePack(tx, d, d.language as Language, now));
      return this.detail(tx, actor, id, lang);
    });
  }

  /** For the PDF: the detail in the dispute's own language. */
  async forPdf(actor: Actor, id: string): Promise<DisputeDetail> {
    assertCan(actor, 'disputes:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const d = await repo.getDispute(tx, actor.orgId, id, actor.merchantId);
      if (!d) throw errors.notFound('dispute');
      return this.detail(tx, actor, id, d.language as Language);
    });
  }

  /** What the merchant still has to add: the names of the group's missing merchant items. */
  private missing(d: repo.DisputeDbRow, lang: Language, added: { item: string | null }[]): string[] {
    return checklist(lang, d.reason_group as DisputeGroup | null, (d.pack as EvidencePack | null) ?? null, added)
      .filter((c) => !c.present && c.source === 'merchant')
      .map((c) => c.text);
  }

  row(d: repo.DisputeDbRow, lang: Language, now: Date, missing?: string[]): DisputeRow {
    const due = new Date(d.due_at);
    const left = businessDaysLeft(now, due);
    return {
      id: d.id,
      network: d.network as DisputeNetwork,
      kind: d.kind as DisputeKind,
      reasonCode: d.reason_code,
      reasonText: reasonText(lang, d.network as DisputeNetwork, d.reason_code),
      group: (d.reason_group as DisputeGroup | null) ?? null,
      caseNumber: d.case_number,
      status: d.status,
      unmatchedReason: (d.unmatched_reason as DisputeRow['unmatchedReason']) ?? null,
      matchedBy: (d.matched_by as DisputeRow['matchedBy']) ?? null,
      amountMinor: Number(d.amount_minor),
      currency: d.currency,
      merchantId: d.merchant_id,
      merchantName: d.merchant_name,
      terminalId: d.terminal_id,
      terminalLabel: d.terminal_label,
      stan: d.stan,
      rrn: d.rrn,
      paymentAt: isoOrNull(d.payment_at),
      paymentDay: d.payment_day,
      language: d.language as Language,
      openedAt: iso(d.opened_at),
      dueAt: due.toISOString(),
      businessDaysLeft: left,
      escalatedAt: isoOrNull(d.escalated_at),
      closedAt: isoOrNull(d.closed_at),
      duplicateFindingId: d.duplicate_finding_id,
      todo: todo(lang, d, due, missing),
    };
  }

  /** Console inbox (and e-mail for merchants) of one dispute event; returns how many were told. */
  async tell(tx: RawTx, d: repo.DisputeDbRow, what: 'opened' | 'reminder' | 'escalated' | 'expired', roles: readonly string[], now: Date, days = 0): Promise<number> {
    // Escalation is the staff's business; everything else the merchant hears too.
    const people = await repo.recipients(tx, d.org_id, what === 'escalated' ? null : d.merchant_id, roles);
    for (const u of people) {
      const lang = u.language;
      const p = {
        kind: t(lang, `dispute.kind.${d.kind}`),
        case: d.case_number,
        amount: money(lang, Number(d.amount_minor), d.currency),
        merchant: d.merchant_name ?? '—',
        due: localTime(lang, d.due_at),
        days,
        reason: reasonText(lang, d.network as DisputeNetwork, d.reason_code),
      };
      await repo.notify(tx, d.org_id, u.user_id, `dispute.${what}`, t(lang, `dispute.notify.${what}.title`, p), t(lang, `dispute.notify.${what}.body`, p), what === 'opened' ? 'warning' : 'critical', now);
      if (u.role === 'merchant' && what !== 'escalated') {
        await tx.query(
          `INSERT INTO deliveries (org_id, channel, target, user_id, event, payload, created_at, next_attempt_at) VALUES ($1, 'email', $2, $3, 'dispute', $4, $5, $5)`,
          [d.org_id, u.email, u.user_id, JSON.stringify({ language: lang, subject: t(lang, `dispute.notify.${what}.title`, p), text: t(lang, `dispute.notify.${what}.body`, p) }), now],
        );
      }
    }
    return people.length;
  }
}

/**
 * Beyond the inbox and e-mail (issue 19): a reminder texts the merchant's contacts who asked for dispute
 * deadlines (SMS, their language, a link, the support phone); an escalation goes to the organization's
 * group robots naming the on-call person. Called after the pass's transaction commits (once per step:
 * only the pass that fired the step calls it).
 */
export async function tellOutward(ctx: AppContext, d: repo.DisputeDbRow, what: 'reminder' | 'escalated', now: Date, days = 0): Promise<{ sms: number; groups: number }> {
  const words = (lang: Language) => {
    const p = {
      kind: t(lang, `dispute.kind.${d.kind}`), case: d.case_number, amount: money(lang, Number(d.amount_minor), d.currency), merchant: d.merchant_name ?? '—',
      due: localTime(lang, d.due_at), days, reason: reasonText(lang, d.network as DisputeNetwork, d.reason_code),
    };
    return { p, title: t(lang, `dispute.notify.${what}.title`, p), body: t(lang, `dispute.notify.${what}.body`, p) };
  };
  const path = `/disputes/${d.id}`;
  const sms =
    what === 'reminder' && d.merchant_id
      ? await queueContactSms(ctx.db.orm, { orgId: d.org_id, merchantId: d.merchant_id, topic: 'dispute_deadline', event: 'dispute', path, values: (lang) => { const w = words(lang); return { title: w.title, case: d.case_number, due: w.p.due, days: String(days), amount: w.p.amount }; } }, now, ctx.config)
      : 0;
  const groups =
    what === 'escalated'
      ? await queueGroupMessages(ctx.db.orm, { orgId: d.org_id, event: 'dispute.escalated', severity: 'critical', path, text: (lang) => { const w = words(lang); return { title: w.title, lines: w.body.split('\n').filter(Boolean) }; } }, now, ctx.config.PUBLIC_URL)
      : 0;
  return { sms, groups };
}

const evidenceItems = ['receipt', 'both_sides', 'auth_code', 'chip_read', 'cardholder_verified', 'terminal_health', 'fraud_findings', 'signed_receipt', 'separate_purchases', 'refund_proof', 'delivery_proof', 'merchant_statement'] as const;

function sniffImage(b: Buffer): string | null {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

async function merchantLanguage(tx: RawTx, orgId: string, merchantId: string): Promise<Language> {
  const [u] = await tx.query<{ language: Language }>(`SELECT language FROM users WHERE org_id = $1 AND merchant_id = $2 AND role = 'merchant' AND NOT disabled ORDER BY created_at LIMIT 1`, [orgId, merchantId]);
  return u?.language ?? 'zh-CN';
}

async function merchantInOrg(tx: RawTx, actor: Actor, merchantId: string): Promise<boolean> {
  if (actor.merchantId && actor.merchantId !== merchantId) return false;
  const [m] = await tx.query(`SELECT 1 FROM merchants WHERE id = $1 AND org_id = $2`, [merchantId, actor.orgId]);
  return !!m;
}

/** What to do now, in one sentence. */
function todo(lang: Language, d: repo.DisputeDbRow, due: Date, missing?: string[]): string {
  const p = { due: localTime(lang, due), reason: d.unmatched_reason ? t(lang, `dispute.unmatched.${d.unmatched_reason}`) : '' };
  if (d.status === 'needs_response') {
    if (d.duplicate_finding_id) return t(lang, 'dispute.todo.accept_duplicate', p);
    if (missing?.length) return t(lang, 'dispute.todo.add_missing', { ...p, items: missing.join(lang === 'zh-CN' ? '、' : ', ') });
    return t(lang, 'dispute.todo.respond', p);
  }
  return t(lang, `dispute.todo.${d.status}`, p);
}

function eventText(lang: Language, e: repo.EventRow): string {
  switch (e.type) {
    case 'opened':
      return e.to_value === 'unmatched' ? t(lang, 'dispute.event.opened_unmatched', { reason: t(lang, `dispute.unmatched.${e.body}`) }) : t(lang, 'dispute.event.opened', { by: t(lang, `dispute.match.${e.body}`) });
    case 'matched':
      return t(lang, 'dispute.event.matched', { by: t(lang, `dispute.match.${e.body}`) });
    case 'evidence':
      return t(lang, e.body === 'photo' ? 'dispute.event.photo' : 'dispute.event.text', { item: e.to_value ? evidenceInfo(e.to_value as EvidenceItem, lang).text : '—' });
    case 'status':
      return t(lang, 'dispute.event.status', { to: t(lang, `dispute.status.${e.to_value}`) }) + (e.body ? ` — ${e.body}` : '');
    case 'reminder':
      return t(lang, 'dispute.event.reminder', { days: e.to_value });
    case 'escalated':
      return t(lang, 'dispute.event.escalated');
    case 'expired':
      return t(lang, 'dispute.event.expired');
    default:
      return e.type;
  }
}

export { OPEN_DISPUTE_STATUSES };
