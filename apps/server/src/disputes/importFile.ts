/**
 * Disputes opened from a file the acquirer sends (CSV or XLSX), one dispute a row. The file is read like
 * the terminal import (imports/parse.ts: its own thread, streamed, row and size caps, every cell screened
 * for card data where it is read, so a refused row's cells are never stored, echoed or logged). Each good
 * row is opened exactly as `POST /disputes` opens one (matched by RRN, terminal + STAN + day, or amount +
 * time + card token; otherwise unmatched with the reason), each in its own transaction: bad rows are
 * reported row by row in the caller's language and never stop the good ones. A row whose dispute is
 * already here (same network, case number and kind) is reported as such and opened nothing, so the same
 * file imported twice opens each dispute once.
 */
import {
  DISPUTE_IMPORT_COLUMNS,
  DISPUTE_IMPORT_MAX_ROWS,
  DISPUTE_IMPORT_REQUIRED,
  DisputeCreate,
  LANGUAGES,
  type DisputeImportReport,
  type Language,
} from '@poscare/contracts';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/actor.js';
import { AppError, errors } from '../errors/errors.js';
import { localiseIssue } from '../http/errorHandler.js';
import { payloadTooLarge } from '../http/upload.js';
import { translate, type MessageId } from '../i18n/messages.js';
import { detectKind, readSheet, type Sheet } from '../imports/parse.js';
import { MAX_CELL_CHARS } from '../imports/screen.js';
import type { AppContext } from '../platform/context.js';
import { dayStart, localDay, REPORT_OFFSET_MS as OFFSET_MS } from '../reports/range.js';
import * as repo from './repository.js';
import type { DisputeService } from './service.js';

type Column = (typeof DISPUTE_IMPORT_COLUMNS)[number];
type Problem = { row: number; column: string | null; id: MessageId; params?: Record<string, unknown> };

const MAX_REPORTED_PROBLEMS = 1_000;
/** Rows opened at once: each is a few dozen queries (matching, the pack, the notices), so a few in parallel. */
const OPEN_AT_ONCE = 4;
const HOUR_MS = 3_600_000;
/** A deadline given as a day closes at the end of its business day, as deadlines counted in days do (deadlines.ts). */
const CLOSING_HOUR = 18;

/** Header spellings acquirers and people use, Chinese and English, for each column. */
const ALIASES: Record<string, Column> = {
  '卡组织': 'network', '卡品牌': 'network', scheme: 'network', brand: 'network', card_network: 'network',
  '类型': 'kind', '争议类型': 'kind', type: 'kind', dispute_type: 'kind',
  '原因码': 'reason_code', '理由码': 'reason_code', reason: 'reason_code', reason_code: 'reason_code',
  '案件编号': 'case_number', '案件号': 'case_number', '差错编号': 'case_number', case: 'case_number', case_no: 'case_number', case_id: 'case_number',
  '争议金额': 'amount', '金额': 'amount', amount_yuan: 'amount',
  '币种': 'currency',
  '回复期限': 'respond_by', '截止日期': 'respond_by', '截止时间': 'respond_by', deadline: 'respond_by', due: 'respond_by', due_date: 'respond_by',
  '检索参考号': 'rrn', '参考号': 'rrn',
  '终端': 'terminal', '终端号': 'terminal', tid: 'terminal', terminal_id: 'terminal',
  '流水号': 'stan', '凭证号': 'stan', '终端流水号': 'stan', trace: 'stan',
  '交易日期': 'day', date: 'day', payment_day: 'day',
  '交易时间': 'payment_time', time: 'payment_time', at: 'payment_time',
  '卡标识': 'card_token', card: 'card_token', token: 'card_token',
  '交易金额': 'payment_amount',
  '语言': 'language',
  '备注': 'note', '说明': 'note',
};

const NETWORKS: Record<string, string> = { unionpay: 'unionpay', '银联': 'unionpay', cup: 'unionpay', upi: 'unionpay', visa: 'visa', mastercard: 'mastercard', '万事达': 'mastercard', mc: 'mastercard' };
const KINDS: Record<string, string> = {
  retrieval: 'retrieval', retrieval_request: 'retrieval', '调单': 'retrieval',
  first_chargeback: 'first_chargeback', chargeback: 'first_chargeback', '拒付': 'first_chargeback', '首次拒付': 'first_chargeback', '退单': 'first_chargeback',
  pre_arbitration: 'pre_arbitration', second_chargeback: 'pre_arbitration', '预仲裁': 'pre_arbitration', '二次拒付': 'pre_arbitration', '仲裁': 'pre_arbitration',
};

const key = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

export function mapHeader(header: string[]): (Column | null)[] {
  const columns = header.map((h) => {
    const k = key(h);
    return (DISPUTE_IMPORT_COLUMNS as readonly string[]).includes(k) ? (k as Column) : (ALIASES[k] ?? ALIASES[h.trim()] ?? null);
  });
  const missing = DISPUTE_IMPORT_REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) throw errors.importMissingColumns([...missing]);
  return columns;
}

/** Yuan as people write them (`88`, `88.50`, `1,234.5`, `¥88`) to fen; null when it is not an amount. */
export function parseYuan(s: string): number | null {
  const v = s.replace(/[\s,¥￥]/g, '').replace(/^CNY/i, '');
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(v)) return null;
  const [whole, frac = ''] = v.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/**
 * A spreadsheet's date or time: `2026-02-27`, `2026/2/27`, `20260227`, `2026-02-27 14:05[:00]` (wall clock in
 * the report time zone), an ISO instant with its offset, or what an XLSX date cell reads as (a JavaScript
 * date whose UTC fields are the wall clock the sheet shows). Returns the day and the instant, or null.
 */
export function parseWhen(s: string): { day: string; at: Date; hasTime: boolean } | null {
  const v = s.trim();
  const wall = (y: number, mo: number, d: number, h = 0, mi = 0, sec = 0) => {
    const utc = Date.UTC(y, mo - 1, d, h, mi, sec);
    const back = new Date(utc);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return null;
    return { day: back.toISOString().slice(0, 10), at: new Date(utc - OFFSET_MS) };
  };
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})(?: (\d{2}):?(\d{2}):?(\d{2})?)?$/.exec(v);
  if (m) {
    const r = wall(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0);
    return r && { ...r, hasTime: !!m[4] };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const at = new Date(v);
    if (Number.isNaN(at.getTime())) return null;
    return { day: localDay(at), at, hasTime: true };
  }
  m = /^\w{3} \w{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}/.exec(v);
  if (m) {
    const face = new Date(Date.parse(m[0]));
    if (Number.isNaN(face.getTime())) return null;
    const r = wall(face.getUTCFullYear(), face.getUTCMonth() + 1, face.getUTCDate(), face.getUTCHours(), face.getUTCMinutes(), face.getUTCSeconds());
    return r && { ...r, hasTime: face.getUTCHours() + face.getUTCMinutes() + face.getUTCSeconds() > 0 };
  }
  return null;
}

const FLAG_PROBLEM = {
  card_data: { id: 'row.card_data' as MessageId },
  nul: { id: 'row.nul_byte' as MessageId },
  cell_too_long: { id: 'row.cell_too_long' as MessageId, params: { max: MAX_CELL_CHARS } },
};

/** One row read into the body of `POST /disputes`, or its problems. Pure. */
export function rowToCreate(rec: Partial<Record<Column, string>>, rowNo: number): { body: DisputeCreate | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (column: Column | null, id: MessageId, params?: Record<string, unknown>) => problems.push({ row: rowNo, column, id, ...(params ? { params } : {}) });
  for (const c of DISPUTE_IMPORT_REQUIRED) if (!rec[c]) add(c, 'row.required');
  const network = rec.network ? NETWORKS[key(rec.network)] : undefined;
  if (rec.network && !network) add('network', 'dispute_import.bad_value', { value: rec.network, allowed: 'unionpay, visa, mastercard' });
  const kind = rec.kind ? KINDS[key(rec.kind)] : undefined;
  if (rec.kind && !kind) add('kind', 'dispute_import.bad_value', { value: rec.kind, allowed: 'retrieval, first_chargeback, pre_arbitration' });
  const amountMinor = rec.amount ? parseYuan(rec.amount) : null;
  if (rec.amount && !amountMinor) add('amount', 'dispute_import.bad_amount', { value: rec.amount });
  const paymentAmount = rec.payment_amount ? parseYuan(rec.payment_amount) : amountMinor;
  if (rec.payment_amount && !paymentAmount) add('payment_amount', 'dispute_import.bad_amount', { value: rec.payment_amount });
  let respondBy: string | undefined;
  if (rec.respond_by) {
    const w = parseWhen(rec.respond_by);
    if (!w) add('respond_by', 'dispute_import.bad_date', { value: rec.respond_by });
    else respondBy = (w.hasTime ? w.at : new Date(dayStart(w.day).getTime() + CLOSING_HOUR * HOUR_MS)).toISOString();
  }
  let day: string | undefined;
  if (rec.day) {
    const w = parseWhen(rec.day);
    if (!w) add('day', 'dispute_import.bad_date', { value: rec.day });
    else day = w.day;
  }
  let at: string | undefined;
  if (rec.payment_time) {
    const w = parseWhen(rec.payment_time);
    if (!w?.hasTime) add('payment_time', 'dispute_import.bad_date', { value: rec.payment_time });
    else at = w.at.toISOString();
  }
  const language = rec.language ? LANGUAGES.find((l) => l.toLowerCase() === rec.language!.toLowerCase() || l.slice(0, 2) === rec.language!.toLowerCase()) : undefined;
  if (rec.language && !language) add('language', 'dispute_import.bad_value', { value: rec.language, allowed: LANGUAGES.join(', ') });
  const payment = {
    ...(rec.rrn ? { rrn: rec.rrn } : {}),
    ...(rec.terminal ? { terminal: rec.terminal } : {}),
    ...(rec.stan ? { stan: rec.stan } : {}),
    ...(day ? { day } : {}),
    ...(at && paymentAmount ? { amountMinor: paymentAmount, at } : {}),
    ...(rec.card_token ? { cardToken: rec.card_token } : {}),
  };
  const hasKey = !!payment.rrn || (!!payment.terminal && !!payment.stan && !!payment.day) || (!!payment.amountMinor && !!payment.at && !!payment.cardToken);
  if (!hasKey && !problems.some((p) => ['rrn', 'terminal', 'stan', 'day', 'payment_time', 'card_token', 'payment_amount'].includes(p.column ?? ''))) add(null, 'dispute_import.no_payment_key');
  if (problems.length) return { body: null, problems };
  const parsed = DisputeCreate.safeParse({
    network,
    kind,
    reasonCode: rec.reason_code,
    caseNumber: rec.case_number,
    amountMinor,
    ...(rec.currency ? { currency: rec.currency.toUpperCase() } : {}),
    ...(respondBy ? { respondBy } : {}),
    ...(language ? { language } : {}),
    payment,
    ...(rec.note ? { note: rec.note } : {}),
  });
  if (!parsed.success) {
    const columnOf: Record<string, Column> = { reasonCode: 'reason_code', caseNumber: 'case_number', amountMinor: 'amount', currency: 'currency', note: 'note', rrn: 'rrn', terminal: 'terminal', stan: 'stan', cardToken: 'card_token' };
    for (const issue of parsed.error.issues) add(columnOf[String(issue.path.at(-1))] ?? null, 'row.invalid', { issue });
    return { body: null, problems };
  }
  return { body: parsed.data, problems };
}

/** Opens the disputes of one file; the report says what became of each row. */
export async function importDisputes(ctx: AppContext, svc: DisputeService, actor: Actor, input: { filename?: string | undefined; bytes: Buffer; language: Language }): Promise<DisputeImportReport> {
  assertCan(actor, 'disputes:work');
  const maxBytes = ctx.config.MAX_UPLOAD_MB * 1024 * 1024;
  if (input.bytes.length > maxBytes) throw payloadTooLarge(maxBytes);
  const sheet: Sheet = await readSheet(detectKind(input.filename, input.bytes), input.bytes, {
    maxRows: Math.min(DISPUTE_IMPORT_MAX_ROWS, ctx.config.MAX_IMPORT_ROWS),
    maxUnpackedBytes: ctx.config.MAX_IMPORT_UNPACKED_MB * 1024 * 1024,
  });
  const columns = mapHeader(sheet.header);
  const lang = input.language;
  const report: DisputeImportReport = { totalRows: 0, opened: 0, matched: 0, unmatched: 0, existing: 0, invalidRows: 0, rows: [], problems: [], problemsTruncated: false };
  const problems: Problem[] = [];
  const firstSeen = new Map<string, number>();
  const jobs: { rowNo: number; caseNumber: string | null; body: DisputeCreate }[] = [];
  const invalid = (rowNo: number, caseNumber: string | null, found: Problem[]) => {
    report.invalidRows++;
    problems.push(...found);
    report.rows.push({ row: rowNo, caseNumber, outcome: 'invalid', disputeId: null, matchedBy: null, unmatchedReason: null });
  };
  for (let i = 0; i < sheet.rows.length; i++) {
    const cells = sheet.rows[i]!;
    const rowNo = i + 2;
    const flag = sheet.flags?.[i] ?? null;
    if (!flag && !cells.some((c) => c.trim() !== '')) continue;
    report.totalRows++;
    if (flag) {
      // The row's cells were dropped where they were read: nothing of it reaches the report, the database or a log.
      invalid(rowNo, null, [{ row: rowNo, column: null, ...FLAG_PROBLEM[flag] }]);
      continue;
    }
    const rec: Partial<Record<Column, string>> = {};
    columns.forEach((col, ci) => {
      if (col) rec[col] = (cells[ci] ?? '').trim();
    });
    const caseNumber = rec.case_number || null;
    const { body, problems: found } = rowToCreate(rec, rowNo);
    if (!body) {
      invalid(rowNo, caseNumber, found);
      continue;
    }
    const ident = `${body.network}|${body.caseNumber}|${body.kind}`;
    const first = firstSeen.get(ident);
    if (first !== undefined) {
      invalid(rowNo, caseNumber, [{ row: rowNo, column: 'case_number', id: 'dispute_import.duplicate_in_file', params: { value: body.caseNumber, first } }]);
      continue;
    }
    firstSeen.set(ident, rowNo);
    jobs.push({ rowNo, caseNumber, body });
  }

  // Good rows are opened a few at a time (each in its own transaction, independent of the others: their cases
  // differ); the report keeps the file's order.
  const openRow = async ({ rowNo, caseNumber, body }: (typeof jobs)[number]) => {
    const existingRow = (id: string | null) => {
      report.existing++;
      report.rows.push({ row: rowNo, caseNumber, outcome: 'existing', disputeId: id, matchedBy: null, unmatchedReason: null });
    };
    const existing = await ctx.db.rawTransaction((tx) => repo.findByCase(tx, actor.orgId, body.network, body.caseNumber, body.kind));
    if (existing) return existingRow(existing);
    try {
      const d = await svc.open(actor, body);
      report.opened++;
      if (d.status === 'unmatched') report.unmatched++;
      else report.matched++;
      report.rows.push({ row: rowNo, caseNumber, outcome: d.status === 'unmatched' ? 'unmatched' : 'needs_response', disputeId: d.id, matchedBy: d.matchedBy, unmatchedReason: d.unmatchedReason });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      // Opened meanwhile by someone else (another import of the same file): still one dispute.
      if (e.id === 'dispute.exists') return existingRow((await ctx.db.rawTransaction((tx) => repo.findByCase(tx, actor.orgId, body.network, body.caseNumber, body.kind))) ?? null);
      const columnOf: Record<string, Column> = { 'body.reasonCode': 'reason_code', 'body.respondBy': 'respond_by', 'body.note': 'note' };
      const details = e.details?.length ? e.details : [{ path: '', id: e.id, params: e.params }];
      invalid(rowNo, caseNumber, details.map((d) => ({ row: rowNo, column: columnOf[d.path] ?? null, id: d.id as MessageId, ...(d.params ? { params: d.params } : {}) })));
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPEN_AT_ONCE, jobs.length) }, async () => {
      while (next < jobs.length) await openRow(jobs[next++]!);
    }),
  );
  report.rows.sort((x, y) => x.row - y.row);
  problems.sort((x, y) => x.row - y.row);
  report.problemsTruncated = problems.length > MAX_REPORTED_PROBLEMS;
  report.problems = problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => render(lang, p));
  return report;
}

function render(lang: Language, p: Problem) {
  const issue = p.params?.issue as Record<string, unknown> | undefined;
  return {
    row: p.row,
    column: p.column,
    code: p.id,
    message: issue ? translate(lang, 'row.invalid', { detail: localiseIssue(lang, issue) }) : translate(lang, p.id, p.params),
  };
}

/** The template people fill in: the headers in the reader's language and two example rows (no real card data). */
export function templateSheet(lang: Language): { title: string; header: string[]; rows: (string | number | null)[][] } {
  const zh = lang === 'zh-CN';
  const header = zh
    ? ['卡组织', '类型', '原因码', '案件编号', '争议金额', '币种', '回复期限', '检索参考号', '终端号', '流水号', '交易日期', '交易时间', '卡标识', '交易金额', '语言', '备注']
    : [...DISPUTE_IMPORT_COLUMNS];
  return {
    title: zh ? '争议导入模板' : 'Dispute import',
    header,
    rows: [
      ['unionpay', 'first_chargeback', '4514', 'UP-2026-000123', '88.00', 'CNY', '2026-03-16', '601234567890', '', '', '', '', '', '', '', zh ? '收单机构来函' : "From the acquirer's letter"],
      ['visa', 'retrieval', '28', 'VIS-RR-0042', '120.50', 'CNY', '', '', 'T0001234', '000123', '2026-02-27', '', '', '', 'en-US', ''],
    ],
  };
}
