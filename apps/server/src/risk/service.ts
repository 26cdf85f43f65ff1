/**
 * Risk work: analysts' cases (fraud findings), the block list and the one-payment verdict.
 * Every method checks the permission first and works inside the actor's organization; another
 * organization's case or block is "not found". Decisions are final and guarded: of two analysts
 * deciding at once, one decision is kept and the other is told who decided.
 */
import { randomUUID } from 'node:crypto';
import { namesOf, readableSummary } from '../findings/wording.js';
import {
  RISK_CASE_CODES,
  stringHasCardData,
  type Language,
  type RiskAssign,
  type RiskAssignees,
  type RiskBlock,
  type RiskBlockCreate,
  type RiskBlockPage,
  type RiskBlockQuery,
  type RiskCaseCode,
  type RiskCaseDetail,
  type RiskCasePage,
  type RiskCaseQuery,
  type RiskCaseRow,
  type RiskDecideAnswer,
  type RiskDecideRequest,
  type RiskDecisionCreate,
  type RiskNoteCreate,
  type RiskPayment,
  type RiskStats,
  type Telemetry,
} from '@poscare/contracts';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import { assessHealth } from '../fleet/health.js';
import { translate, type MessageId } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import type { Signals } from '../platform/signals.js';
import { DecideIndex } from './decideIndex.js';
import * as repo from './repository.js';

const HOUR = 3_600_000;
/** The decide index's periodic reload when changes arrive by signal (a lost one is seen within this). */
const SIGNALLED_MAX_AGE_MS = 60_000;
const DAY = 24 * HOUR;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

export interface RiskServiceOptions {
  /** How old the decide index of an organization may get before it is reloaded (other processes' changes). */
  decideMaxAgeMs?: number;
}

export class RiskService {
  readonly index: DecideIndex;
  private readonly maxAgeMs: number;
  /** Tells this instance's own `risk.changed` signals apart from other processes'. */
  private readonly instance = randomUUID();
  private bus: Signals | null = null;
  private unshare: (() => void)[] = [];

  constructor(
    private readonly ctx: AppContext,
    opts: RiskServiceOptions = {},
  ) {
    this.maxAgeMs = opts.decideMaxAgeMs ?? 10_000;
    this.index = new DecideIndex((fn) => ctx.db.rawTransaction(fn), ctx.clock, this.maxAgeMs, (err) => ctx.log.warn({ err }, 'risk decide index reload failed'));
  }

  /**
   * For the findings engine: fraud findings of this organization were opened or resolved, so
   * `risk/decide` should see them now rather than at the next periodic reload.
   */
  findingsChanged(orgId: string): void {
    this.changed(orgId).catch((err) => this.ctx.log.warn({ err, orgId }, 'risk decide index reload failed'));
  }

  /**
   * Signals between processes (platform/signals.ts): a block, a removal, a decision or a fraud finding
   * of the findings engine in any process reloads this process's index of that organization at once
   * (answers meanwhile come from the old one); after the signals connection was lost, every index is
   * reloaded on its next use. The periodic reload (`decideMaxAgeMs`) stays as the fallback.
   */
  shareSignals(signals: Signals | null): void {
    for (const u of this.unshare.splice(0)) u();
    this.bus = signals;
    // Changes arrive by signal: the periodic reload (a whole organization's blocks and cases, which on the
    // embedded store runs on this thread) is only the fallback for a lost one, so it can be rare.
    this.index.maxAgeMs = signals ? Math.max(this.maxAgeMs, SIGNALLED_MAX_AGE_MS) : this.maxAgeMs;
    if (!signals) return;
    this.unshare.push(
      signals.subscribe('risk.changed', ({ orgId, from }) => {
        if (from === this.instance || !this.index.has(orgId)) return;
        this.index.invalidate(orgId).catch((err) => this.ctx.log.warn({ err, orgId }, 'risk decide index reload failed'));
      }),
      signals.onResync(() => this.index.forget()),
    );
  }

  /** This process reloads now; the others are told. */
  private async changed(orgId: string): Promise<void> {
    const reload = this.index.invalidate(orgId);
    await this.bus?.publish('risk.changed', { orgId, from: this.instance }).catch((err: unknown) => this.ctx.log.warn({ err, orgId }, 'risk change not signalled to other processes'));
    await reload;
  }

  // ---- Cases ------------------------------------------------------------------------------------

  async listCases(actor: Actor, q: RiskCaseQuery, lang: Language): Promise<RiskCasePage> {
    assertCan(actor, 'risk:work');
    return this.ctx.db.rawTransaction(async (tx) => {
      const { rows, total } = await repo.listCases(tx, actor.orgId, q, actor.userId);
      return { items: rows.map((r) => caseRow(r, lang)), total };
    });
  }

  async getCase(actor: Actor, id: string, lang: Language): Promise<RiskCaseDetail> {
    assertCan(actor, 'risk:work');
    return this.ctx.db.rawTransaction((tx) => this.detail(tx, actor.orgId, id, lang));
  }

  async assignees(actor: Actor): Promise<RiskAssignees> {
    assertCan(actor, 'risk:work');
    return { items: await this.ctx.db.rawTransaction((tx) => repo.assignees(tx, actor.orgId)) };
  }

  async assign(actor: Actor, id: string, body: RiskAssign, lang: Language): Promise<RiskCaseDetail> {
    assertCan(actor, 'risk:work');
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      if (body.assigneeId) {
        const ok = await repo.isAnalyst(tx, actor.orgId, body.assigneeId);
        if (ok === undefined) throw errors.notFound('user');
        if (!ok) throw new AppError('risk.assignee_not_analyst', 400, {}, [{ path: 'body.assigneeId', id: 'risk.assignee_not_analyst' }]);
      }
      const before = await repo.setAssignee(tx, actor.orgId, id, body.assigneeId, now);
      if (before === undefined) throw errors.notFound('risk_case');
      if (before !== body.assigneeId) {
        await recordAuditTx(tx, actor, actor.orgId, { action: 'assign', entity: 'risk_case', entityId: id, before: { assigneeId: before }, after: { assigneeId: body.assigneeId } }, now);
      }
      return this.detail(tx, actor.orgId, id, lang);
    });
  }

  async addNote(actor: Actor, id: string, body: RiskNoteCreate, lang: Language): Promise<RiskCaseDetail> {
    assertCan(actor, 'risk:work');
    if (stringHasCardData(body.body)) throw errors.validation([{ path: 'body.body', id: 'risk.card_data' }]);
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      if (!(await repo.getCase(tx, actor.orgId, id))) throw errors.notFound('risk_case');
      await repo.addNote(tx, actor.orgId, id, authorId(actor), actor.name, body.body, now);
      return this.detail(tx, actor.orgId, id, lang);
    });
  }

  /** Fraud, not fraud or contact the merchant; with fraud, the case's cards and terminals may be blocked in the same step. */
  async decide(actor: Actor, id: string, body: RiskDecisionCreate, lang: Language): Promise<RiskCaseDetail> {
    assertCan(actor, 'risk:work');
    const now = this.ctx.clock.now();
    const note = body.note?.trim() || null;
    if (note && stringHasCardData(note)) throw errors.validation([{ path: 'body.note', id: 'risk.card_data' }]);
    const block = body.block && (body.block.cardTokens?.length || body.block.terminalIds?.length) ? body.block : null;
    if (block && body.decision !== 'fraud') throw errors.validation([{ path: 'body.block', id: 'risk.block_needs_fraud' }]);
    const expiresAt = block?.expiresAt ? new Date(block.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) throw errors.validation([{ path: 'body.block.expiresAt', id: 'risk.block_expiry_past' }]);

    const result = await this.ctx.db.rawTransaction(async (tx) => {
      const row = await repo.getCase(tx, actor.orgId, id);
      if (!row) throw errors.notFound('risk_case');
      if (row.decision) throw decidedMeanwhile(row, lang);
      const involved = await this.involved(tx, row);
      if (block) {
        for (const c of block.cardTokens ?? []) if (!involved.cardTokens.includes(c)) throw errors.validation([{ path: 'body.block.cardTokens', id: 'risk.block_not_in_case' }]);
        for (const t of block.terminalIds ?? []) if (!involved.terminalIds.includes(t)) throw errors.validation([{ path: 'body.block.terminalIds', id: 'risk.block_not_in_case' }]);
      }
      if (!(await repo.decide(tx, actor.orgId, id, { decision: body.decision, note, by: authorId(actor) }, now))) {
        const now2 = await repo.getCase(tx, actor.orgId, id);
        throw now2 ? decidedMeanwhile(now2, lang) : errors.notFound('risk_case');
      }
      await recordAuditTx(tx, actor, actor.orgId, { action: 'decide', entity: 'risk_case', entityId: id, after: { code: row.code, decision: body.decision, note } }, now);
      const blocked: string[] = [];
      if (block) {
        const reason = translate(lang, 'risk.block_reason_case', { code: kindName(lang, row.code) });
        const want = [...(block.cardTokens ?? []).map((v) => ['card_token', v] as const), ...(block.terminalIds ?? []).map((v) => ['terminal', v] as const)];
        for (const [kind, value] of want) {
          const blockId = await repo.insertBlock(tx, actor.orgId, { kind, value, reason, findingId: id, createdBy: authorId(actor), expiresAt }, now);
          // Already on the list: kept as it is (its own reason and expiry).
          if (blockId) {
            blocked.push(blockId);
            await recordAuditTx(tx, actor, actor.orgId, { action: 'block', entity: 'risk_block', entityId: blockId, after: { kind, value, findingId: id, expiresAt } }, now);
          }
        }
      }
      return this.detail(tx, actor.orgId, id, lang);
    });
    await this.changed(actor.orgId);
    return result;
  }

  private async involved(tx: RawTx, row: repo.CaseRow): Promise<{ cardTokens: string[]; terminalIds: string[] }> {
    const inv = await repo.involvedOf(tx, row.org_id, row.txn_ids);
    const cardTokens = [...new Set([...(row.card_token ? [row.card_token] : []), ...inv.cardTokens])];
    const terminalIds = [...new Set([...(row.terminal_id ? [row.terminal_id] : []), ...inv.terminalIds])];
    return { cardTokens, terminalIds };
  }

  private async detail(tx: RawTx, orgId: string, id: string, lang: Language): Promise<RiskCaseDetail> {
    const row = await repo.getCase(tx, orgId, id);
    if (!row) throw errors.notFound('risk_case');
    const involved = await this.involved(tx, row);
    const ids = new Set(row.txn_ids);
    const first = new Date(row.first_at);
    const last = new Date(row.last_at);
    const payments = await repo.casePayments(tx, orgId, row.txn_ids);
    // One card's history, or the cards a case names (card testing: the tested cards), at most 20.
    const cards = row.card_token ? [row.card_token] : involved.cardTokens.slice(0, 20);
    const terminalId = row.terminal_id ?? involved.terminalIds[0] ?? null;
    const [cardHistory, terminalHistory, notes, blocks, related, labels] = [
      cards.length ? await repo.cardHistory(tx, orgId, cards, new Date(first.getTime() - 7 * DAY), new Date(last.getTime() + DAY)) : [],
      terminalId ? await repo.terminalHistory(tx, orgId, terminalId, new Date(first.getTime() - 2 * HOUR), new Date(last.getTime() + 2 * HOUR)) : [],
      await repo.notesOf(tx, id),
      await repo.activeBlocksFor(tx, orgId, involved.cardTokens, involved.terminalIds, this.ctx.clock.now()),
      await repo.casesOf(tx, orgId, involved.cardTokens.slice(0, 50), involved.terminalIds, id),
      await repo.terminalLabels(tx, orgId, involved.terminalIds),
    ];
    let health: RiskCaseDetail['health'] = null;
    if (terminalId) {
      const sample = await repo.telemetryBefore(tx, terminalId, first, 6 * HOUR);
      if (sample) {
        const h = assessHealth((typeof sample.data === 'string' ? JSON.parse(sample.data) : sample.data) as Telemetry);
        health = { sampleAt: iso(sample.at), health: h.health, reasons: h.reasons };
      }
    }
    const now = this.ctx.clock.now();
    return {
      ...caseRow(row, lang),
      summaryZh: readableSummary(row.summary_zh, namesOf(row)),
      summaryEn: readableSummary(row.summary_en, namesOf(row)),
      action: row.action,
      decisionNote: row.decision_note,
      thresholdsVersion: row.thresholds_version,
      payments: payments.map((p) => payment(p, true)),
      cardHistory: cardHistory.map((p) => payment(p, ids.has(p.id))),
      terminalHistory: terminalHistory.map((p) => payment(p, ids.has(p.id))),
      related: related.map((r) => caseRow(r, lang)),
      health,
      notes: notes.map((n) => ({ id: n.id, authorName: n.author_name, body: n.body, at: iso(n.at) })),
      cardTokens: involved.cardTokens,
      terminals: involved.terminalIds.map((t) => ({ id: t, label: labels.get(t) ?? null })),
      blocks: blocks.map((b) => blockOf(b, now)),
    };
  }

  // ---- Block list -------------------------------------------------------------------------------

  async listBlocks(actor: Actor, q: RiskBlockQuery): Promise<RiskBlockPage> {
    assertCan(actor, 'risk:work');
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const { rows, total } = await repo.listBlocks(tx, actor.orgId, q, now);
      return { items: rows.map((b) => blockOf(b, now)), total };
    });
  }

  async createBlock(actor: Actor, body: RiskBlockCreate): Promise<RiskBlock> {
    assertCan(actor, 'risk:work');
    const now = this.ctx.clock.now();
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) throw errors.validation([{ path: 'body.expiresAt', id: 'risk.block_expiry_past' }]);
    // Card tokens only: a card number (or track data) is refused and never stored, not even here.
    if (stringHasCardData(body.value) || (body.reason && stringHasCardData(body.reason))) throw errors.validation([{ path: 'body.value', id: 'risk.block_card_data' }]);
    if (body.kind === 'card_token' && !/^[\x21-\x7e]{4,128}$/.test(body.value)) throw errors.validation([{ path: 'body.value', id: 'risk.block_bad_token' }]);
    const block = await this.ctx.db.rawTransaction(async (tx) => {
      let value = body.value;
      if (body.kind === 'terminal') {
        const [t] = await tx.query<{ id: string }>(
          UUID.test(value) ? `SELECT id FROM terminals WHERE org_id = $1 AND id = $2::uuid` : `SELECT id FROM terminals WHERE org_id = $1 AND (tid = $2 OR serial_number = $2) LIMIT 1`,
          [actor.orgId, value],
        );
        if (!t) throw errors.notFound('terminal');
        value = t.id;
      }
      if (body.findingId && !(await repo.getCase(tx, actor.orgId, body.findingId))) throw errors.notFound('risk_case');
      const id = await repo.insertBlock(tx, actor.orgId, { kind: body.kind, value, reason: body.reason?.trim() || null, findingId: body.findingId ?? null, createdBy: authorId(actor), expiresAt }, now);
      if (!id) throw new AppError('risk.block_exists', 409, {}, [{ path: 'body.value', id: 'risk.block_exists' }]);
      await recordAuditTx(tx, actor, actor.orgId, { action: 'block', entity: 'risk_block', entityId: id, after: { kind: body.kind, value, reason: body.reason ?? null, expiresAt } }, now);
      return blockOf((await repo.getBlock(tx, actor.orgId, id))!, now);
    });
    await this.changed(actor.orgId);
    return block;
  }

  async removeBlock(actor: Actor, id: string): Promise<RiskBlock> {
    assertCan(actor, 'risk:work');
    const now = this.ctx.clock.now();
    const block = await this.ctx.db.rawTransaction(async (tx) => {
      const before = await repo.getBlock(tx, actor.orgId, id);
      if (!before) throw errors.notFound('risk_block');
      if (!(await repo.removeBlock(tx, actor.orgId, id, authorId(actor), now))) throw new AppError('risk.block_already_removed', 409);
      await recordAuditTx(tx, actor, actor.orgId, { action: 'unblock', entity: 'risk_block', entityId: id, before: { kind: before.kind, value: before.value } }, now);
      return blockOf((await repo.getBlock(tx, actor.orgId, id))!, now);
    });
    await this.changed(actor.orgId);
    return block;
  }

  // ---- risk/decide --------------------------------------------------------------------------------

  /**
   * One payment → allow, review or block, from memory: block when its card token or terminal is
   * on the active block list, review when an open fraud case covers either, otherwise allow.
   */
  async decidePayment(actor: Actor, req: RiskDecideRequest, lang: Language): Promise<RiskDecideAnswer> {
    assertCan(actor, 'risk:decide');
    let idx = this.index.peek(actor.orgId) ?? (await this.index.get(actor.orgId));
    const find = () => req.terminalId ?? (req.tid ? idx.terminalsByTid.get(req.tid) : undefined);
    let terminalId = find();
    // Terminals added since the index was loaded are not signalled: an unknown one reloads it, at most every 10 s.
    if ((!terminalId || !idx.terminals.has(terminalId)) && this.index.ageOf(actor.orgId) > this.maxAgeMs) {
      await this.index.invalidate(actor.orgId);
      idx = await this.index.get(actor.orgId);
      terminalId = find();
    }
    if (!terminalId || !idx.terminals.has(terminalId)) throw errors.notFound('terminal');
    const now = this.ctx.clock.now().getTime();
    const live = (b: { expiresAt: number | null } | undefined) => !!b && (b.expiresAt === null || b.expiresAt > now);
    const reasons: RiskDecideAnswer['reasons'] = [];
    const card = req.cardToken;
    const cardBlock = card ? idx.cardBlocks.get(card) : undefined;
    if (cardBlock && live(cardBlock)) reasons.push({ code: 'card_blocked', blockId: cardBlock.id, text: reasonText(lang, 'card_blocked') });
    const termBlock = idx.terminalBlocks.get(terminalId);
    if (termBlock && live(termBlock)) reasons.push({ code: 'terminal_blocked', blockId: termBlock.id, text: reasonText(lang, 'terminal_blocked') });
    for (const c of (card && idx.cardCases.get(card)) || []) {
      reasons.push({ code: 'card_open_case', caseId: c.id, caseCode: c.code as RiskCaseCode, text: reasonText(lang, 'card_open_case', c.code) });
    }
    for (const c of idx.terminalCases.get(terminalId) ?? []) {
      reasons.push({ code: 'terminal_open_case', caseId: c.id, caseCode: c.code as RiskCaseCode, text: reasonText(lang, 'terminal_open_case', c.code) });
    }
    const verdict = reasons.some((r) => r.code === 'card_blocked' || r.code === 'terminal_blocked') ? 'block' : reasons.length ? 'review' : 'allow';
    return { verdict, terminalId, reasons };
  }

  // ---- Statistics -------------------------------------------------------------------------------

  async stats(actor: Actor): Promise<RiskStats> {
    assertCan(actor, 'risk:work');
    const rows = await this.ctx.db.rawTransaction((tx) => repo.kindStats(tx, actor.orgId));
    const by = new Map(rows.map((r) => [r.code, r]));
    return {
      kinds: RISK_CASE_CODES.map((code) => {
        const r = by.get(code);
        const fraud = Number(r?.fraud ?? 0);
        const notFraud = Number(r?.not_fraud ?? 0);
        const contactMerchant = Number(r?.contact_merchant ?? 0);
        const decided = fraud + notFraud + contactMerchant;
        return {
          code,
          cases: Number(r?.cases ?? 0),
          open: Number(r?.open ?? 0),
          decided,
          fraud,
          notFraud,
          contactMerchant,
          rightShare: decided ? Math.round((fraud / decided) * 10_000) / 10_000 : null,
        };
      }),
    };
  }
}

function decidedMeanwhile(row: repo.CaseRow, lang: Language): AppError {
  return new AppError('risk.decided_meanwhile', 409, {
    name: row.decided_by_name ?? translate(lang, 'risk.someone'),
    decision: row.decision ? translate(lang, `risk.decision.${row.decision}` as MessageId) : '',
  });
}

const kindName = (lang: Language, code: string) => translate(lang, `risk.kind.${code}` as MessageId);

/**
 * A decide reason's text, translated once per language, reason and case kind (a handful of each):
 * risk/decide answers thousands of times a second and the wording does not change while running.
 */
const textsByLang = new Map<Language, Map<string, Map<string, string>>>();
function reasonText(lang: Language, code: RiskDecideAnswer['reasons'][number]['code'], caseCode = ''): string {
  // Nested look-ups, no key built per call: language → reason → case kind.
  let byCode = textsByLang.get(lang);
  if (!byCode) textsByLang.set(lang, (byCode = new Map()));
  let byKind = byCode.get(code);
  if (!byKind) byCode.set(code, (byKind = new Map()));
  let text = byKind.get(caseCode);
  if (text === undefined) {
    text = translate(lang, `risk.decide.${code}`, caseCode ? { kind: kindName(lang, caseCode) } : {});
    byKind.set(caseCode, text);
  }
  return text;
}

function caseRow(r: repo.CaseRow, lang: Language): RiskCaseRow {
  return {
    id: r.id,
    code: r.code as RiskCaseCode,
    status: r.status === 'open' ? 'open' : 'resolved',
    resolvedReason: r.resolved_reason,
    merchantId: r.merchant_id,
    merchantName: r.merchant_name,
    terminalId: r.terminal_id,
    terminalLabel: r.terminal_label,
    cardToken: r.card_token,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    firstAt: iso(r.first_at),
    lastAt: iso(r.last_at),
    openedAt: iso(r.opened_at),
    paymentCount: Array.isArray(r.txn_ids) ? r.txn_ids.length : 0,
    summary: readableSummary(lang === 'zh-CN' ? r.summary_zh : r.summary_en, namesOf(r)),
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    decision: r.decision,
    decidedAt: isoOrNull(r.decided_at),
    decidedByName: r.decided_by_name,
  };
}

function payment(p: repo.PaymentRow, involved: boolean): RiskPayment {
  return {
    id: p.id,
    source: p.source,
    at: iso(p.at),
    terminalId: p.terminal_id,
    terminalLabel: p.terminal_label,
    merchantId: p.merchant_id,
    merchantName: p.merchant_name,
    type: p.type,
    amountMinor: Number(p.amount_minor ?? 0),
    currency: p.currency,
    entryMode: p.entry_mode,
    outcome: p.outcome,
    responseCode: p.response_code,
    cardToken: p.card_token,
    stan: p.stan,
    rrn: p.rrn,
    involved,
  };
}

export function blockOf(b: repo.BlockRow, now: Date): RiskBlock {
  const expiresAt = b.expires_at ? new Date(b.expires_at) : null;
  return {
    id: b.id,
    kind: b.kind,
    value: b.value,
    label: b.label,
    reason: b.reason,
    findingId: b.finding_id,
    createdByName: b.created_by_name,
    createdAt: iso(b.created_at),
    expiresAt: expiresAt ? expiresAt.toISOString() : null,
    removedAt: isoOrNull(b.removed_at),
    removedByName: b.removed_by_name,
    active: !b.removed_at && (!expiresAt || expiresAt.getTime() > now.getTime()),
  };
}
