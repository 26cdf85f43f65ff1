/**
 * Findings over HTTP: the list (staff: all kinds; merchant users: their own duplicate charges only),
 * one finding with its payments from both sides, the merchant's "ask for help" (a ticket for the
 * service desk, linked once), and "was this customer charged twice?" by time and amount.
 */
import { formatLocal } from '../reports/range.js';
import { namesOf, readableSummary } from './wording.js';
import {
  findingKind,
  refundTxnIds,
  type ChargedTwiceAnswer,
  type ChargedTwiceQuery,
  type FindingDetail,
  type FindingHelpAnswer,
  type FindingLine,
  type FindingPage,
  type FindingPayment,
  type FindingQuery,
  type FindingRow,
  type Language,
  type TxnFindingCode,
} from '@poscare/contracts';
import { type Actor, assertCan } from '../access/actor.js';
import { AppError, errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { stan6 } from '../payments/records.js';
import type { TicketService } from '../tickets/service.js';
import { findingLines, money } from './notify.js';
import {
  findingById,
  findingsNaming,
  linkTicket,
  listFindings,
  paymentLines,
  salesNear,
  txnIdsOf,
  type LineRow,
  type StoredFinding,
} from './repository.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentFinding(f: StoredFinding): FindingRow {
  const code = f.code as TxnFindingCode;
  const ids = txnIdsOf(f);
  const kind = findingKind(code);
  const refund = kind === 'dup' ? refundTxnIds(code, ids) : [];
  return {
    id: f.id,
    code,
    kind,
    status: f.status as FindingRow['status'],
    merchantId: f.merchant_id,
    merchantName: f.merchant_name,
    terminalId: f.terminal_id,
    terminalSerial: f.terminal_serial,
    cardToken: f.card_token,
    amountMinor: Number(f.amount_minor),
    currency: f.currency,
    firstAt: iso(f.first_at)!,
    lastAt: iso(f.last_at)!,
    txnIds: ids,
    summary: { 'zh-CN': readableSummary(f.summary_zh, namesOf(f)), 'en-US': readableSummary(f.summary_en, namesOf(f)) },
    action: f.action,
    refund: kind === 'dup' ? { txnIds: refund, amountMinor: Number(f.amount_minor) } : null,
    openedAt: iso(f.opened_at)!,
    resolvedAt: iso(f.resolved_at),
    resolvedReason: f.resolved_reason,
    ticketId: f.ticket_id,
    ticketNumber: f.ticket_number,
    notifiedAt: iso(f.notified_at),
  };
}

function presentLine(l: LineRow): FindingLine {
  return {
    id: l.id,
    source: l.source,
    at: iso(l.at)!,
    type: l.type as FindingLine['type'],
    amountMinor: Number(l.amount_minor ?? 0),
    currency: l.currency ?? 'CNY',
    entryMode: l.entry_mode as FindingLine['entryMode'],
    outcome: (l.outcome === 'reversed' ? 'approved' : l.outcome) as FindingLine['outcome'],
    responseCode: l.response_code,
    stan: stan6(l.stan) ?? '',
    rrn: l.rrn,
    authCode: l.auth_code,
    cardToken: l.card_token,
    terminalId: l.terminal_id,
  };
}

/** Each payment of `ids`: the terminal's line, the host's line with the same terminal and stan, and what undid it. */
function assemble(ids: readonly string[], own: Map<string, LineRow>, related: LineRow[], toRefund: Set<string>): FindingPayment[] {
  return ids.map((txnId) => {
    const line = own.get(txnId) ?? null;
    if (!line) return { txnId, terminal: null, host: null, undone: [], toRefund: toRefund.has(txnId) };
    const stan = stan6(line.stan);
    const sameSide = (l: LineRow, source: 'terminal' | 'host') => l.source === source && l.terminal_id === line.terminal_id && stan6(l.stan) === stan && l.type === line.type;
    const terminal = line.source === 'terminal' ? line : (related.find((l) => sameSide(l, 'terminal')) ?? null);
    const host = line.source === 'host' ? line : (related.find((l) => sameSide(l, 'host')) ?? null);
    const rrn = line.rrn ?? host?.rrn ?? null;
    const undone = related.filter(
      (l) =>
        (l.outcome === 'approved' || l.outcome === 'reversed') &&
        (((l.type === 'void' || l.type === 'reversal') && l.terminal_id === line.terminal_id && stan6(l.original_stan) === stan) || (l.type === 'refund' && rrn !== null && l.original_rrn === rrn)),
    );
    // Once refunded (or undone), nothing is left to give back for it.
    return { txnId, terminal: terminal && presentLine(terminal), host: host && presentLine(host), undone: undone.map(presentLine), toRefund: toRefund.has(txnId) && !undone.length };
  });
}

export class FindingService {
  /** Asks for help in flight, per finding: a double click opens one ticket. */
  private asking = new Map<string, Promise<FindingHelpAnswer>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly tickets: TicketService,
  ) {}

  async list(actor: Actor, q: FindingQuery): Promise<FindingPage> {
    assertCan(actor, 'payments:read');
    const merchant = actor.merchantId;
    // Merchant users see their own duplicate charges; fraud findings are for the risk team.
    if (merchant && (q.kind === 'risk' || q.code?.startsWith('risk.'))) return { items: [], total: 0 };
    const { rows, total } = await this.ctx.db.rawTransaction((tx) =>
      listFindings(
        tx,
        {
          orgId: actor.orgId,
          merchantScope: merchant,
          ...(q.status !== 'all' && { status: q.status }),
          ...(q.code && { code: q.code }),
          ...(merchant ? { codePrefix: 'dup.' as const } : q.kind ? { codePrefix: `${q.kind}.` as 'dup.' | 'risk.' } : {}),
          ...(q.merchantId && { merchantId: q.merchantId }),
          ...(q.terminalId && { terminalId: q.terminalId }),
          ...(q.cardToken && { cardToken: q.cardToken }),
          ...(q.from && { from: q.from }),
          ...(q.to && { to: q.to }),
        },
        q.limit,
        q.offset,
      ),
    );
    return { items: rows.map(presentFinding), total };
  }

  async get(actor: Actor, id: string): Promise<FindingDetail> {
    assertCan(actor, 'payments:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const f = await this.visible(actor, await findingById(tx, id));
      const ids = txnIdsOf(f);
      const own = await findingLines(tx, f);
      const payments = [...own.values()].map((l) => ({ terminalId: l.terminal_id, stan: stan6(l.stan) ?? '' }));
      const rrns = [...own.values()].map((l) => l.rrn).filter((r): r is string => !!r);
      const related = await paymentLines(tx, f.org_id, payments, rrns);
      // The host's rrn of a payment the terminal saw without one (a timeout): its refunds name that.
      const hostRrns = related.filter((l) => l.source === 'host' && l.rrn && !rrns.includes(l.rrn)).map((l) => l.rrn!);
      const more = hostRrns.length ? await paymentLines(tx, f.org_id, payments, hostRrns) : [];
      const code = f.code as TxnFindingCode;
      const toRefund = new Set(findingKind(code) === 'dup' ? refundTxnIds(code, ids) : []);
      return { ...presentFinding(f), payments: assemble(ids, own, [...related, ...more], toRefund) };
    });
  }

  /**
   * The merchant asks the service desk about a duplicate charge: one ticket per finding (asking again
   * answers with the same ticket), written in the merchant's language with the payments to refund.
   * Idempotent across processes: in one process the asks of a finding share one run; on PostgreSQL the
   * run holds a transaction-level advisory lock on the finding while it looks for a ticket, opens one and
   * links it, so a second process asking at the same moment waits, then finds that ticket. (The embedded
   * store serves one process; the in-process sharing is enough there.)
   */
  askForHelp(actor: Actor, id: string, message: string | undefined, lang: Language): Promise<FindingHelpAnswer> {
    assertCan(actor, 'payments:read');
    assertCan(actor, 'tickets:create');
    if (!actor.merchantId) throw new AppError('findings.help.merchant_only', 403);
    const key = `${actor.orgId}:${id}`;
    const inFlight = this.asking.get(key);
    if (inFlight) return inFlight.then((a) => ({ ...a, created: false }));
    const run = this.oneAskerAtATime(id, () => this.openHelpTicket(actor, id, message, lang)).finally(() => this.asking.delete(key));
    this.asking.set(key, run);
    return run;
  }

  /** On PostgreSQL, one process at a time per finding (the lock ends with its transaction, also if the process dies). */
  private oneAskerAtATime<T>(findingId: string, fn: () => Promise<T>): Promise<T> {
    if (this.ctx.db.kind !== 'postgres') return fn();
    return this.ctx.db.rawTransaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '30s'`);
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('poscare.finding.help'), hashtext($1))`, [findingId]);
      return fn();
    });
  }

  private async openHelpTicket(actor: Actor, id: string, message: string | undefined, lang: Language): Promise<FindingHelpAnswer> {
    const detail = await this.get(actor, id);
    if (detail.kind !== 'dup') throw new AppError('findings.help.only_duplicates', 409);
    if (detail.ticketId) return { ticketId: detail.ticketId, ticketNumber: detail.ticketNumber ?? '', created: false };
    const amount = money(lang, detail.amountMinor, detail.currency);
    const lines = [translate(lang, 'findings.help.body'), '', detail.summary[lang]];
    for (const p of detail.payments) {
      const l = p.terminal ?? p.host;
      if (l) lines.push(`${p.toRefund ? '→' : '·'} ${formatLocal(new Date(l.at))} · ${money(lang, l.amountMinor, l.currency)} · STAN ${l.stan} · RRN ${l.rrn ?? p.host?.rrn ?? '—'}`);
    }
    if (message) lines.push('', translate(lang, 'findings.help.message', { message }));
    const { ticket } = await this.tickets.create(
      actor,
      { title: translate(lang, 'findings.help.title', { amount, terminal: detail.terminalSerial ?? '—' }), description: lines.join('\n').slice(0, 5000), source: 'merchant' },
      lang,
    );
    const linked = await this.ctx.db.rawTransaction((tx) => linkTicket(tx, id, ticket.id, this.ctx.clock.now()));
    if (linked !== ticket.id) {
      const again = await this.get(actor, id);
      return { ticketId: linked, ticketNumber: again.ticketNumber ?? '', created: false };
    }
    return { ticketId: ticket.id, ticketNumber: ticket.number, created: true };
  }

  /** Sales of that amount near that time on the caller's terminals, and whether a duplicate-charge finding covers them. */
  async chargedTwice(actor: Actor, q: ChargedTwiceQuery): Promise<ChargedTwiceAnswer> {
    assertCan(actor, 'payments:read');
    const at = new Date(q.at).getTime();
    const span = q.withinMinutes * 60_000;
    return this.ctx.db.rawTransaction(async (tx) => {
      if (q.terminalId) {
        const [t] = await tx.query<{ id: string }>(
          `SELECT id FROM terminals WHERE id = $1 AND org_id = $2 ${actor.merchantId ? 'AND merchant_id = $3' : ''}`,
          actor.merchantId ? [q.terminalId, actor.orgId, actor.merchantId] : [q.terminalId, actor.orgId],
        );
        if (!t) throw errors.notFound('terminal');
      }
      const sales = await salesNear(tx, actor.orgId, actor.merchantId, q.terminalId ?? null, q.amountMinor, new Date(at - span), new Date(at + span));
      const ids = sales.map((s) => s.id);
      const findings = (await findingsNaming(tx, actor.orgId, actor.merchantId, ids, 'dup.')).map(presentFinding);
      const own = new Map(sales.map((s) => [s.id, s]));
      const payments = sales.map((s) => ({ terminalId: s.terminal_id, stan: stan6(s.stan) ?? '' }));
      const related = await paymentLines(tx, actor.orgId, payments, sales.map((s) => s.rrn).filter((r): r is string => !!r));
      const toRefund = new Set(findings.filter((f) => f.status === 'open').flatMap((f) => f.refund?.txnIds ?? []));
      const verdict = findings.some((f) => f.status === 'open') ? 'yes' : findings.length ? 'refunded' : 'no';
      return { verdict, payments: assemble(ids, own, related, toRefund), findings };
    });
  }

  /** Another organization's finding, another merchant's, or (for merchants) a fraud finding: not found. */
  private async visible(actor: Actor, f: StoredFinding | null): Promise<StoredFinding> {
    if (!f || f.org_id !== actor.orgId) throw errors.notFound('finding');
    if (actor.merchantId && (f.merchant_id !== actor.merchantId || findingKind(f.code) !== 'dup')) throw errors.notFound('finding');
    return f;
  }
}

