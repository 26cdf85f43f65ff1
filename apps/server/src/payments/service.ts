/**
 * Payments from both sides: the host's records imported (row report, COPY, stored once per host id,
 * published to the payment feed after commit), the explorer, one payment's two sides, the per terminal
 * and day reconciliation and the success-rate figures. Access first: `payments:import` to import,
 * `payments:read` to read; merchant users see their own merchant's payments only.
 */
import {
  MAX_PAYMENT_RANGE_DAYS,
  REPORT_TIME_ZONE,
  type HostImportFormat,
  type HostImportProblem,
  type HostImportReport,
  type Language,
  type PaymentDetail,
  type PaymentLine,
  type PaymentList,
  type PaymentQuery,
  type PaymentRow,
  type PaymentStats,
  type Reconciliation,
  type ReconciliationRow,
  type TxnRecord,
} from '@poscare/contracts';
import { responseCode } from '@poscare/codes';
import { assertCan, type Actor } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import { AppError, errors } from '../errors/errors.js';
import { isMessageId, translate } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import type { PaymentFeed } from './feed.js';
import { formatOf, parseHostLog, type LineProblem } from './hostParse.js';
import { hostPartitions, insertHostRecords } from './hostStore.js';
import { hostRecordId, hostTxnRecord, terminalRecordId, type HostRecordRow } from './records.js';
import * as repo from './repository.js';

/** Problems listed in one report; the counts stay exact. */
export const MAX_REPORTED_PROBLEMS = 1_000;

const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
const dayText = (d: string | Date) => (d instanceof Date ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : String(d).slice(0, 10));
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString());

/** Today in REPORT_TIME_ZONE. */
export function todayIn(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: REPORT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
/** A REPORT_TIME_ZONE day as the instants [start, end). Asia/Shanghai keeps no daylight saving time. */
export function dayBounds(day: string): { from: Date; to: Date } {
  const from = new Date(`${day}T00:00:00+08:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

export class PaymentService {
  private readonly partitions;

  constructor(
    private ctx: AppContext,
    private feed: PaymentFeed,
  ) {
    this.partitions = hostPartitions(ctx.db, () => ctx.config.ROLLUP_RETENTION_DAYS);
  }

  // ---- host records ----

  async importHost(actor: Actor, input: { filename: string; bytes: Buffer; format?: HostImportFormat | undefined; language: Language }): Promise<HostImportReport> {
    assertCan(actor, 'payments:import');
    const format = formatOf(input.filename, input.format);
    if (!format) throw new AppError('payments.format_unknown', 400);
    const orgId = actor.orgId;
    const now = this.ctx.clock.now();
    const parsed = parseHostLog(input.bytes.toString('utf8'), format, now);
    const problems: LineProblem[] = [...parsed.problems];

    const refs = [...new Set(parsed.records.map((r) => r.input.terminalRef))];
    if (parsed.records.length) await this.partitions.ensure(parsed.records.map((r) => Date.parse(r.input.at)), now.getTime());
    const stored = await this.ctx.db.rawTransaction(async (tx) => {
      const terminals = refs.length
        ? await tx.query<{ id: string; tid: string | null; serial_number: string; merchant_id: string | null }>(
            'SELECT id, tid, serial_number, merchant_id FROM terminals WHERE org_id = $1 AND (tid = ANY($2::text[]) OR serial_number = ANY($2::text[]))',
            [orgId, refs],
          )
        : [];
      // The host names a terminal by its TID; a serial number is accepted where the TID is unknown.
      const byTid = new Map(terminals.filter((t) => t.tid).map((t) => [t.tid!, t]));
      const bySerial = new Map(terminals.map((t) => [t.serial_number, t]));
      const rows: unknown[][] = [];
      for (const { line, input: r } of parsed.records) {
        const term = byTid.get(r.terminalRef) ?? bySerial.get(r.terminalRef);
        if (!term) {
          problems.push({ line, field: 'terminalId', id: 'payments.unknown_terminal', params: { terminal: r.terminalRef } });
          continue;
        }
        rows.push([orgId, r.id, r.at, now, term.id, term.merchant_id, r.type, r.amountMinor, r.currency, r.entryMode, r.cardToken, r.stan, r.rrn, r.authCode, r.outcome, r.responseCode, r.originalStan, r.originalRrn, r.mcc, format, r.mti]);
      }
      if (!rows.length) return { rows: [] as HostRecordRow[], accepted: 0 };
      const inserted = await insertHostRecords(tx, rows);
      if (inserted.length) {
        await recordAuditTx(tx, actor, orgId, { action: 'import', entity: 'host_records', after: { file: input.filename, format, stored: inserted.length } }, now);
      }
      return { rows: inserted, accepted: rows.length };
    });

    const records: TxnRecord[] = [];
    for (const r of stored.rows) {
      const rec = hostTxnRecord(r);
      if (rec) records.push(rec);
    }
    this.feed.publish(orgId, records, (err) => this.ctx.log.error({ err }, 'a payment feed listener failed'));

    problems.sort((a, b) => a.line - b.line);
    const lang = input.language;
    const shown: HostImportProblem[] = problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => ({
      line: p.line,
      field: p.field,
      code: p.id,
      message: p.text ? p.text[lang] : translate(lang, p.id, p.params ?? {}),
    }));
    const refusedLines = new Set(problems.map((p) => p.line)).size;
    return {
      format,
      totalRows: parsed.total,
      accepted: stored.accepted,
      stored: stored.rows.length,
      duplicates: stored.accepted - stored.rows.length,
      refused: Math.min(refusedLines, parsed.total),
      problems: shown,
      problemsTruncated: problems.length > shown.length,
    };
  }

  // ---- reading ----

  /**
   * The actor's scope: their organization, their merchant when they are a merchant user. A terminal or
   * merchant named in the query that is not theirs is "not found", as if it did not exist.
   */
  private async scope(actor: Actor, q: { from?: string | undefined; to?: string | undefined; terminalId?: string | undefined; merchantId?: string | undefined }): Promise<repo.Scope> {
    assertCan(actor, 'payments:read');
    const to = q.to ? new Date(q.to) : this.ctx.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
    if (from.getTime() >= to.getTime()) throw new AppError('payments.range_reversed', 400);
    if (to.getTime() - from.getTime() > MAX_PAYMENT_RANGE_DAYS * 86_400_000) throw new AppError('payments.range_too_long', 400, { days: MAX_PAYMENT_RANGE_DAYS });
    if (actor.merchantId && q.merchantId && q.merchantId !== actor.merchantId) throw errors.notFound('merchant');
    const merchantId = actor.merchantId ?? q.merchantId;
    if (q.terminalId || q.merchantId) {
      const ok = await this.ctx.db.rawTransaction(async (tx) => {
        if (q.merchantId && !(await tx.query('SELECT 1 FROM merchants WHERE id = $1 AND org_id = $2', [q.merchantId, actor.orgId])).length) return 'merchant';
        if (q.terminalId) {
          const [term] = await tx.query<{ merchant_id: string | null }>('SELECT merchant_id FROM terminals WHERE id = $1 AND org_id = $2', [q.terminalId, actor.orgId]);
          if (!term || (actor.merchantId && term.merchant_id !== actor.merchantId)) return 'terminal';
        }
        return null;
      });
      if (ok) throw errors.notFound(ok);
    }
    return { orgId: actor.orgId, merchantId: merchantId ?? undefined, terminalId: q.terminalId, from, to };
  }

  private row(r: repo.PaymentDbRow): PaymentRow {
    return {
      terminalId: r.terminal_id,
      serialNumber: r.serial_number,
      tid: r.tid,
      merchantId: r.merchant_id,
      merchantName: r.merchant_name,
      day: dayText(r.day),
      stan: r.stan,
      at: iso(r.at),
      type: r.type,
      amountMinor: num(r.amount_minor),
      currency: r.currency,
      entryMode: r.entry_mode,
      cardToken: r.card_token,
      terminalOutcome: r.terminal_outcome,
      hostOutcome: r.host_outcome,
      terminalAmountMinor: num(r.terminal_amount_minor),
      hostAmountMinor: num(r.host_amount_minor),
      responseCode: r.response_code,
      rrn: r.rrn,
      terminalLines: Number(r.terminal_lines),
      hostLines: Number(r.host_lines),
      status: r.status,
    };
  }

  async list(actor: Actor, q: PaymentQuery): Promise<PaymentList> {
    const s = await this.scope(actor, q);
    const { rows, total } = await this.ctx.db.rawTransaction((tx) => repo.listPayments(tx, s, q, q.page, q.pageSize));
    return { items: rows.map((r) => this.row(r)), total, page: q.page, pageSize: q.pageSize, from: s.from.toISOString(), to: s.to.toISOString() };
  }

  async detail(actor: Actor, terminalId: string, stan: string, day: string, lang: Language): Promise<PaymentDetail> {
    const { from, to } = dayBounds(day);
    const s = await this.scope(actor, { from: from.toISOString(), to: to.toISOString(), terminalId });
    const key = stan.slice(-6).padStart(6, '0');
    const result = await this.ctx.db.rawTransaction(async (tx) => {
      const payment = /^\d{1,12}$/.test(stan) ? await repo.onePayment(tx, s, key) : null;
      if (!payment) return null;
      const lines = await repo.paymentLines(tx, s.orgId, s.merchantId, terminalId, key, day);
      return { payment, lines };
    });
    if (!result) throw errors.notFound('payment');
    return {
      payment: this.row(result.payment),
      terminal: result.lines.terminal.map((l) => line(l, 'terminal', lang)),
      host: result.lines.host.map((l) => line(l, 'host', lang)),
    };
  }

  async reconciliation(actor: Actor, q: { day?: string | undefined; terminalId?: string | undefined; merchantId?: string | undefined }): Promise<Reconciliation> {
    const day = q.day ?? todayIn(this.ctx.clock.now());
    const { from, to } = dayBounds(day);
    const s = await this.scope(actor, { from: from.toISOString(), to: to.toISOString(), terminalId: q.terminalId, merchantId: q.merchantId });
    const rows = await this.ctx.db.rawTransaction((tx) => repo.reconciliation(tx, s));
    const out: ReconciliationRow[] = rows.map((r) => {
      const x = {
        terminalId: r.terminal_id,
        serialNumber: r.serial_number,
        tid: r.tid,
        merchantId: r.merchant_id,
        merchantName: r.merchant_name,
        day: dayText(r.day),
        terminalCount: Number(r.terminal_count),
        terminalTotalMinor: Number(r.terminal_total),
        hostCount: Number(r.host_count),
        hostTotalMinor: Number(r.host_total),
        matched: Number(r.matched),
        terminalOnly: Number(r.terminal_only),
        hostOnly: Number(r.host_only),
        amountDiffers: Number(r.amount_differs),
        outcomeDiffers: Number(r.outcome_differs),
      };
      // A line only the terminal has that it did not approve (a timeout the host never saw) moves no money: not a gap in the batch.
      const balanced = x.terminalCount === x.hostCount && x.terminalTotalMinor === x.hostTotalMinor && x.hostOnly + x.amountDiffers + x.outcomeDiffers === 0;
      return { ...x, balanced };
    });
    return {
      day,
      timeZone: REPORT_TIME_ZONE,
      rows: out,
      totals: {
        terminals: out.length,
        balanced: out.filter((r) => r.balanced).length,
        terminalTotalMinor: out.reduce((n, r) => n + r.terminalTotalMinor, 0),
        hostTotalMinor: out.reduce((n, r) => n + r.hostTotalMinor, 0),
      },
    };
  }

  async stats(actor: Actor, q: Omit<PaymentQuery, 'page' | 'pageSize'>, lang: Language): Promise<PaymentStats> {
    const s = await this.scope(actor, q);
    const r = await this.ctx.db.rawTransaction((tx) => repo.stats(tx, s, q));
    const modes = new Map<string, { total: number; approved: number }>();
    const codes = new Map<string, number>();
    let total = 0;
    let approved = 0;
    for (const l of r.lines) {
      const n = Number(l.n);
      const ok = l.outcome === 'approved' || l.outcome === 'reversed';
      total += n;
      if (ok) approved += n;
      const m = modes.get(l.entry_mode) ?? { total: 0, approved: 0 };
      m.total += n;
      if (ok) m.approved += n;
      modes.set(l.entry_mode, m);
      // A line the host never answered has no code: it is shown under its outcome.
      const code = l.response_code ?? `(${l.outcome})`;
      codes.set(code, (codes.get(code) ?? 0) + n);
    }
    return {
      from: s.from.toISOString(),
      to: s.to.toISOString(),
      total,
      approved,
      byEntryMode: [...modes].map(([entryMode, m]) => ({ entryMode, total: m.total, approved: m.approved, rate: m.total ? m.approved / m.total : 0 })).sort((a, b) => b.total - a.total),
      byResponseCode: [...codes]
        .map(([code, n]) => ({ responseCode: code, text: code.startsWith('(') ? noCodeText(code.slice(1, -1), lang) : responseText(code, lang), total: n, share: total ? n / total : 0 }))
        .sort((a, b) => b.total - a.total),
      byStatus: r.byStatus.map((x) => ({ status: x.status, count: Number(x.n) })),
    };
  }
}

/** A line the host never answered (or answered without a code), in words: its outcome. */
function noCodeText(outcome: string, lang: Language): string {
  const id = `payments.no_code.${outcome}`;
  return isMessageId(id) ? translate(lang, id) : outcome;
}

function responseText(code: string, lang: Language): string {
  const info = responseCode(code);
  return lang === 'zh-CN' ? info.zh : info.en;
}

function line(r: Record<string, unknown>, source: 'terminal' | 'host', lang: Language): PaymentLine {
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  const rc = s('response_code');
  return {
    id: source === 'terminal' ? terminalRecordId(String(r.terminal_id), String(r.msg_id)) : hostRecordId(String(r.id)),
    source,
    at: iso(r.at),
    type: s('type') ?? 'sale',
    amountMinor: num(r.amount_minor as string | null),
    currency: s('currency'),
    entryMode: String(r.entry_mode),
    outcome: String(r.outcome),
    responseCode: rc,
    responseText: rc ? responseText(rc, lang) : null,
    stan: s('stan'),
    rrn: s('rrn'),
    authCode: s('auth_code'),
    originalStan: s('original_stan'),
    originalRrn: s('original_rrn'),
    cardToken: s('card_token'),
    origin: source === 'host' ? s('origin') : null,
    mti: source === 'host' ? s('mti') : null,
    durationMs: source === 'terminal' ? num(r.duration_ms as number | null) : null,
  };
}

