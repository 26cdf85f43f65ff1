/**
 * The dispute report over a period (days in REPORT_TIME_ZONE): of the disputes opened in it, how they
 * ended (win rate = won / (won + lost)), the money charged back (lost, accepted, expired) and kept (won),
 * and the hours from opening to the first answer; by reason group and by merchant. Beside it, duplicate
 * charges, fraud findings and disputes per 1,000 sales by merchant, terminal, model and app version, so
 * a badly configured terminal or a bad app version stands out however busy it is.
 * Staff only (`reports:read` and `disputes:read`): merchants see their disputes, not the league table.
 */
import { DISPUTE_GROUPS, DISPUTE_RATE_DIMENSIONS, type DisputeGroup, type DisputeOutcomes, type DisputeRateDimension, type DisputeRateRow, type DisputeReport, type DisputeReportQuery, type Language } from '@poscare/contracts';
import { assertCan, type Actor } from '../access/actor.js';
import { errors } from '../errors/errors.js';
import type { Sheet } from '../http/spreadsheet.js';
import { translate, type MessageId } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { resolveRange } from '../reports/range.js';
import { groupText } from './reasonCodes.js';
import * as rr from './reportRepository.js';

const RATE_ROWS = 50;
const t = (lang: Language, id: string, params: Record<string, unknown> = {}) => translate(lang, id as MessageId, params);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The figures of a set of disputes. Pure. */
export function outcomes(rows: readonly rr.ReportDisputeRow[]): DisputeOutcomes {
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const sum = (pred: (r: rr.ReportDisputeRow) => boolean) => rows.filter(pred).reduce((a, r) => a + Number(r.amount_minor), 0);
  const won = count('won');
  const lost = count('lost');
  const hours = rows.flatMap((r) => (r.respond_hours === null ? [] : [Number(r.respond_hours)])).sort((a, b) => a - b);
  const median = hours.length ? (hours.length % 2 ? hours[(hours.length - 1) / 2]! : (hours[hours.length / 2 - 1]! + hours[hours.length / 2]!) / 2) : null;
  return {
    opened: rows.length,
    open: rows.filter((r) => ['unmatched', 'needs_response', 'evidence_submitted'].includes(r.status)).length,
    won,
    lost,
    accepted: count('accepted'),
    expired: count('expired'),
    winRate: won + lost ? round(won / (won + lost), 4) : null,
    amountMinor: sum(() => true),
    lostMinor: sum((r) => ['lost', 'accepted', 'expired'].includes(r.status)),
    recoveredMinor: sum((r) => r.status === 'won'),
    responded: hours.length,
    medianRespondHours: median === null ? null : round(median, 1),
    meanRespondHours: hours.length ? round(hours.reduce((a, b) => a + b, 0) / hours.length, 1) : null,
  };
}

const per1000 = (n: number, payments: number) => (payments ? round((n * 1000) / payments, 2) : null);

/** Per terminal counts folded into one dimension, highest findings rate first. Pure. */
export function rates(
  dim: DisputeRateDimension,
  perTerminal: Map<string, { payments: number; duplicates: number; fraud: number; disputes: number }>,
  facts: Map<string, rr.TerminalFacts>,
  unknown: string,
): DisputeRateRow[] {
  const rows = new Map<string, { label: string; payments: number; duplicates: number; fraud: number; disputes: number }>();
  for (const [terminalId, c] of perTerminal) {
    const f = facts.get(terminalId);
    const [key, label] =
      dim === 'terminal' ? [terminalId, f?.label ?? terminalId]
      : dim === 'merchant' ? [f?.merchant_id ?? '', f?.merchant_name ?? unknown]
      : dim === 'model' ? [f?.model ? `${f.vendor ?? ''} ${f.model}`.trim() : '', f?.model ? `${f.vendor ?? ''} ${f.model}`.trim() : unknown]
      : [f?.app_version ?? '', f?.app_version ?? unknown];
    const r = rows.get(key) ?? { label, payments: 0, duplicates: 0, fraud: 0, disputes: 0 };
    r.payments += c.payments;
    r.duplicates += c.duplicates;
    r.fraud += c.fraud;
    r.disputes += c.disputes;
    rows.set(key, r);
  }
  const out = [...rows].map(([key, r]) => ({
    key,
    ...r,
    duplicatesPer1000: per1000(r.duplicates, r.payments),
    fraudPer1000: per1000(r.fraud, r.payments),
    disputesPer1000: per1000(r.disputes, r.payments),
  }));
  const score = (r: DisputeRateRow) => (r.payments ? (r.duplicates + r.fraud) / r.payments : -1);
  out.sort((a, b) => score(b) - score(a) || b.payments - a.payments || a.label.localeCompare(b.label));
  return out.slice(0, RATE_ROWS);
}

export async function disputeReport(ctx: AppContext, actor: Actor, q: DisputeReportQuery, lang: Language): Promise<DisputeReport> {
  assertCan(actor, 'reports:read');
  assertCan(actor, 'disputes:read');
  const { from, to } = resolveRange(q, ctx.clock.now());
  return ctx.db.rawTransaction(async (tx) => {
    if (q.merchantId && !(await rr.merchantInOrg(tx, actor.orgId, q.merchantId))) throw errors.notFound('merchant');
    const period: rr.Period = { orgId: actor.orgId, from, to, merchantId: q.merchantId ?? null };
    const disputes = await rr.disputesOpened(tx, period);
    const sales = await rr.salesByTerminal(tx, period);
    const findings = await rr.findingsByTerminal(tx, period);

    const perTerminal = new Map<string, { payments: number; duplicates: number; fraud: number; disputes: number }>();
    const at = (id: string) => perTerminal.get(id) ?? (perTerminal.set(id, { payments: 0, duplicates: 0, fraud: 0, disputes: 0 }), perTerminal.get(id)!);
    for (const s of sales) at(s.terminal_id).payments += Number(s.n);
    for (const f of findings) {
      at(f.terminal_id).duplicates += Number(f.dup);
      at(f.terminal_id).fraud += Number(f.fraud);
    }
    for (const d of disputes) if (d.terminal_id) at(d.terminal_id).disputes++;
    const facts = new Map((await rr.terminalFacts(tx, actor.orgId, [...perTerminal.keys()])).map((f) => [f.id, f]));
    const unknown = t(lang, 'dispute_report.unknown');

    const groups = [...DISPUTE_GROUPS, null] as (DisputeGroup | null)[];
    const byGroup = groups
      .map((g) => ({ group: g, label: g ? groupText(lang, g) : t(lang, 'dispute_report.no_group'), ...outcomes(disputes.filter((d) => (d.reason_group ?? null) === g)) }))
      .filter((g) => g.group !== null || g.opened > 0);
    const merchants = new Map<string | null, rr.ReportDisputeRow[]>();
    for (const d of disputes) merchants.set(d.merchant_id, [...(merchants.get(d.merchant_id) ?? []), d]);
    const byMerchant = [...merchants]
      .map(([merchantId, rows]) => ({ merchantId, label: merchantId ? (rows[0]!.merchant_name ?? merchantId) : t(lang, 'dispute_report.no_merchant'), ...outcomes(rows) }))
      .sort((a, b) => b.lostMinor - a.lostMinor || b.opened - a.opened || a.label.localeCompare(b.label));

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      totals: outcomes(disputes),
      byGroup,
      byMerchant,
      rates: Object.fromEntries(DISPUTE_RATE_DIMENSIONS.map((dim) => [dim, rates(dim, perTerminal, facts, unknown)])) as DisputeReport['rates'],
    };
  });
}

const yuan = (minor: number) => round(minor / 100, 2);

/** The report as tables for CSV (one) or XLSX (all), headers in the reader's language. */
export function reportSheets(r: DisputeReport, lang: Language): Record<'groups' | 'merchants' | DisputeRateDimension, Sheet> {
  const c = (id: string, params?: Record<string, unknown>) => t(lang, `dispute_report.col.${id}`, params);
  const outcomeHeader = ['opened', 'open', 'won', 'lost', 'accepted', 'expired', 'win_rate', 'amount', 'lost_amount', 'recovered', 'responded', 'median_hours', 'mean_hours'].map((id) => c(id));
  const outcomeCells = (o: DisputeOutcomes) => [
    o.opened, o.open, o.won, o.lost, o.accepted, o.expired, o.winRate === null ? null : round(o.winRate * 100, 1),
    yuan(o.amountMinor), yuan(o.lostMinor), yuan(o.recoveredMinor), o.responded, o.medianRespondHours, o.meanRespondHours,
  ];
  const rateSheet = (dim: DisputeRateDimension): Sheet => {
    const dimName = t(lang, `dispute_report.dim.${dim}`);
    return {
      title: t(lang, 'dispute_report.sheet.rates', { dim: dimName }),
      header: [c('key', { dim: dimName }), ...['payments', 'duplicates', 'fraud', 'disputes', 'duplicates_rate', 'fraud_rate', 'disputes_rate'].map((id) => c(id))],
      rows: r.rates[dim].map((x) => [x.label, x.payments, x.duplicates, x.fraud, x.disputes, x.duplicatesPer1000, x.fraudPer1000, x.disputesPer1000]),
    };
  };
  return {
    groups: { title: t(lang, 'dispute_report.sheet.groups'), header: [c('group'), ...outcomeHeader], rows: r.byGroup.map((g) => [g.label, ...outcomeCells(g)]) },
    merchants: { title: t(lang, 'dispute_report.sheet.merchants'), header: [c('merchant'), ...outcomeHeader], rows: r.byMerchant.map((m) => [m.label, ...outcomeCells(m)]) },
    merchant: rateSheet('merchant'),
    terminal: rateSheet('terminal'),
    model: rateSheet('model'),
    app_version: rateSheet('app_version'),
  };
}
