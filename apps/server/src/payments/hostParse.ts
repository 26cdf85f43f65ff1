/**
 * Reading a host log: JSON lines (txn-record/v1 with source "host"), CSV (the same columns) or ISO 8583
 * messages (one per line, hex), each record checked on its own. Pure: the text in, per line either a
 * record ready to store (still naming the terminal by the host's TID or serial number) or the reason
 * it is refused. Card data is looked for before anything else, and a reason never repeats a value
 * that holds it.
 *
 * ISO 8583 (spec as data: @poscare/codes ISO8583_1987, ASCII, its presence rules): 0200/0210
 * financial request/reply, 0400/0410 reversal request/reply, 0420/0430 reversal advice/reply, and their
 * repeats. A reply and its request (same TID, STAN and class) make one record, the reply's fields
 * winning; a request with no reply in the file is the host's record of a payment it never answered
 * (outcome timeout); an advice with no reply is a reversal done (approved).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { HOST_CSV_COLUMNS, luhn, stringHasCardData, TXN_RECORD_ENTRY_MODES, TXN_RECORD_OUTCOMES, TXN_RECORD_TYPES, TxnRecord, type HostImportFormat } from '@poscare/contracts';
import { CodesError, decodePosEntryMode, describeMti, isApproved, ISO8583_1987, normaliseResponseCode, parseIso8583, type Iso8583Message } from '@poscare/codes';
import type { MessageId } from '../i18n/messages.js';

/** A host record ready to store, but for its terminal, which the importer resolves. */
export interface HostInput {
  id: string;
  at: string;
  /** The host's name of the terminal: its TID (terminals.tid), or the serial number. */
  terminalRef: string;
  type: (typeof TXN_RECORD_TYPES)[number];
  amountMinor: number;
  currency: string;
  entryMode: (typeof TXN_RECORD_ENTRY_MODES)[number];
  cardToken: string | null;
  stan: string;
  rrn: string | null;
  authCode: string | null;
  outcome: (typeof TXN_RECORD_OUTCOMES)[number];
  responseCode: string | null;
  originalStan: string | null;
  originalRrn: string | null;
  mcc: string | null;
  mti: string | null;
}

export interface LineProblem {
  line: number;
  field: string | null;
  id: MessageId;
  params?: Record<string, unknown>;
  /** An already-localised reason (ISO 8583 reader errors carry both languages). */
  text?: { 'zh-CN': string; 'en-US': string };
}

export interface ParsedHostLog {
  /** Records read (accepted and refused). */
  total: number;
  records: { line: number; input: HostInput }[];
  problems: LineProblem[];
}

/** Largest host log read at once, in records. */
export const MAX_HOST_RECORDS = 100_000;

export function formatOf(filename: string, given?: HostImportFormat): HostImportFormat | null {
  if (given) return given;
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  if (['jsonl', 'ndjson', 'json'].includes(ext)) return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (['hex', 'iso', 'iso8583', 'txt'].includes(ext)) return 'iso8583';
  return null;
}

export function parseHostLog(text: string, format: HostImportFormat, now: Date): ParsedHostLog {
  if (format === 'jsonl') return parseJsonLines(text);
  if (format === 'csv') return parseCsvLog(text);
  return parseIsoLog(text, now);
}

const cardProblem = (line: number, field: string | null): LineProblem => ({ line, field, id: 'payments.card_data' });

// ---- JSON lines and CSV ---------------------------------------------------------------------

function parseJsonLines(text: string): ParsedHostLog {
  const out: ParsedHostLog = { total: 0, records: [], problems: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const line = i + 1;
    if (++out.total > MAX_HOST_RECORDS) return tooMany(out, line);
    // Before parsing: a card number anywhere in the line (also as a JSON number or a key) refuses it.
    if (stringHasCardData(raw)) {
      out.problems.push(cardProblem(line, null));
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      out.problems.push({ line, field: null, id: 'payments.not_json' });
      continue;
    }
    checkRecord(value, line, out);
  }
  return out;
}

function parseCsvLog(text: string): ParsedHostLog {
  const out: ParsedHostLog = { total: 0, records: [], problems: [] };
  let rows: string[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    const line = Number((e as { lines?: number }).lines) || 1;
    out.problems.push({ line, field: null, id: 'payments.csv_unreadable', params: { reason: stringHasCardData(String((e as Error).message)) ? '' : (e as Error).message } });
    return out;
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header) return out;
  const known = new Set<string>(HOST_CSV_COLUMNS);
  const missing = HOST_CSV_COLUMNS.filter((c) => c !== 'source' && TxnRecord.shape[c as keyof typeof TxnRecord.shape] && !TxnRecord.shape[c as keyof typeof TxnRecord.shape].safeParse(undefined).success && !header.includes(c));
  if (missing.length) {
    out.problems.push({ line: 1, field: missing[0]!, id: 'payments.csv_missing_columns', params: { columns: missing.join(', ') } });
    return out;
  }
  for (let r = 1; r < rows.length; r++) {
    const line = r + 1;
    const cells = rows[r]!;
    if (++out.total > MAX_HOST_RECORDS) return tooMany(out, line);
    const hit = cells.findIndex((c) => stringHasCardData(c));
    if (hit >= 0) {
      out.problems.push(cardProblem(line, header[hit] ?? null));
      continue;
    }
    const value: Record<string, unknown> = { source: 'host' };
    header.forEach((h, i) => {
      const c = cells[i];
      if (!known.has(h) || c === undefined || c === '') return;
      value[h] = h === 'amountMinor' && /^-?\d+$/.test(c) ? Number(c) : c;
    });
    checkRecord(value, line, out);
  }
  return out;
}

function tooMany(out: ParsedHostLog, line: number): ParsedHostLog {
  out.total--;
  out.problems.push({ line, field: null, id: 'payments.too_many_records', params: { max: MAX_HOST_RECORDS } });
  return out;
}

/** One txn-record/v1 value (already screened for card data) against the contract. */
function checkRecord(value: unknown, line: number, out: ParsedHostLog): void {
  const r = TxnRecord.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || null;
    out.problems.push({ line, field, id: field ? 'payments.field_invalid' : 'payments.record_invalid', params: { field: field ?? '' } });
    return;
  }
  const v = r.data;
  if (v.source !== 'host') {
    out.problems.push({ line, field: 'source', id: 'payments.not_host' });
    return;
  }
  out.records.push({
    line,
    input: {
      id: v.id,
      at: new Date(v.at).toISOString(),
      terminalRef: v.terminalId,
      type: v.type,
      amountMinor: v.amountMinor,
      currency: v.currency,
      entryMode: v.entryMode,
      cardToken: v.cardToken ?? null,
      stan: v.stan,
      rrn: v.rrn ?? null,
      authCode: v.authCode ?? null,
      outcome: v.outcome,
      responseCode: v.responseCode ?? null,
      originalStan: v.originalStan ?? null,
      originalRrn: v.originalRrn ?? null,
      mcc: v.mcc ?? null,
      mti: null,
    },
  });
}

const isCardNumber = (digits: string) => /^\d{13,19}$/.test(digits) && luhn(digits);

// ---- ISO 8583 -------------------------------------------------------------------------------

/** ISO 4217 numeric codes of the currencies PosCare's acquirers settle in (field 49). */
export const CURRENCY_BY_NUMBER: Readonly<Record<string, string>> = {
  '156': 'CNY', '344': 'HKD', '446': 'MOP', '901': 'TWD', '840': 'USD', '978': 'EUR', '826': 'GBP', '392': 'JPY',
  '410': 'KRW', '702': 'SGD', '764': 'THB', '458': 'MYR', '360': 'IDR', '704': 'VND', '608': 'PHP', '036': 'AUD',
};

const FINANCIAL = new Set(['0200', '0201', '0210']);
const REVERSAL = new Set(['0400', '0401', '0410', '0420', '0421', '0430']);
/** Processing code (field 3) digits 1–2: the transaction type. */
const PROCESSING: Record<string, HostInput['type']> = { '00': 'sale', '20': 'refund', '02': 'void', '22': 'void' };

interface IsoRead {
  line: number;
  msg: Iso8583Message;
}

function isoProblem(line: number, e: CodesError): LineProblem {
  const field = typeof e.params.field === 'number' || typeof e.params.field === 'string' ? `field ${e.params.field}` : null;
  const en = e.messageIn('en-US');
  const zh = e.messageIn('zh-CN');
  // The reader may quote a field's value: never one that holds a card number.
  if (stringHasCardData(en) || stringHasCardData(zh)) return cardProblem(line, field);
  return { line, field, id: 'payments.iso_invalid', text: { 'en-US': en, 'zh-CN': zh } };
}

function parseIsoLog(text: string, now: Date): ParsedHostLog {
  const out: ParsedHostLog = { total: 0, records: [], problems: [] };
  const read: IsoRead[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim().replace(/\s+/g, '');
    if (!raw || raw.startsWith('#')) continue;
    const line = i + 1;
    if (++out.total > MAX_HOST_RECORDS) return tooMany(out, line);
    if (!/^[0-9A-Fa-f]+$/.test(raw) || raw.length % 2) {
      out.problems.push({ line, field: null, id: 'payments.iso_not_hex' });
      continue;
    }
    let msg: Iso8583Message;
    try {
      msg = parseIso8583(new Uint8Array(Buffer.from(raw, 'hex')), ISO8583_1987);
    } catch (e) {
      if (!(e instanceof CodesError)) throw e;
      out.problems.push(isoProblem(line, e));
      continue;
    }
    // Any field, the PAN (2) and track 2 (35) above all: a card number refuses the message.
    const cardField = Object.entries(msg.fields).find(([n, v]) => stringHasCardData(v) || ((n === '2' || n === '35') && isCardNumber(v.split(/[=D]/)[0]!)));
    if (cardField) {
      out.problems.push(cardProblem(line, `field ${cardField[0]}`));
      continue;
    }
    if (!FINANCIAL.has(msg.mti) && !REVERSAL.has(msg.mti)) {
      out.problems.push({ line, field: 'MTI', id: 'payments.iso_not_payment', params: { mti: msg.mti } });
      continue;
    }
    read.push({ line, msg });
  }

  // A reply and its request are one record: keyed by class, TID and STAN.
  const keyOf = (m: Iso8583Message) => `${m.mti.slice(1, 2)}|${(m.fields[41] ?? '').trim()}|${m.fields[11] ?? ''}`;
  const groups = new Map<string, IsoRead[]>();
  for (const r of read) {
    const k = keyOf(r.msg);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  for (const group of groups.values()) {
    const reply = group.find((r) => describeMti(r.msg.mti).function.endsWith('response'));
    const request = group.find((r) => !describeMti(r.msg.mti).function.endsWith('response'));
    const main = reply ?? request!;
    const res = isoRecord(request?.msg ?? null, reply?.msg ?? null, now);
    if ('problem' in res) out.problems.push({ ...res.problem, line: main.line });
    else out.records.push({ line: main.line, input: res.input });
    // Messages beyond the request and its reply (repeats) add nothing: they are the same record.
  }
  out.records.sort((a, b) => a.line - b.line);
  return out;
}

/** Field 7 (MMDDhhmmss, UTC): the year is the one that puts it nearest before `now` (a day of grace for clocks). */
function transmissionTime(f7: string, now: Date): string | null {
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(f7);
  if (!m) return null;
  const [month, dayOfMonth, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number];
  for (const year of [now.getUTCFullYear(), now.getUTCFullYear() - 1]) {
    const t = Date.UTC(year, month - 1, dayOfMonth, h, mi, s);
    const d = new Date(t);
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== dayOfMonth) return null;
    if (t <= now.getTime() + 86_400_000) return d.toISOString();
  }
  return null;
}

type IsoResult = { input: HostInput } | { problem: Omit<LineProblem, 'line'> };

function isoRecord(request: Iso8583Message | null, reply: Iso8583Message | null, now: Date): IsoResult {
  const f = { ...(request?.fields ?? {}), ...(reply?.fields ?? {}) } as Record<number, string | undefined>;
  const mti = (reply ?? request)!.mti;
  const need = (n: number): { problem: Omit<LineProblem, 'line'> } => ({ problem: { field: `field ${n}`, id: 'payments.iso_field_missing', params: { n } } });
  const bad = (n: number): { problem: Omit<LineProblem, 'line'> } => ({ problem: { field: `field ${n}`, id: 'payments.iso_field_value', params: { n } } });

  const reversal = REVERSAL.has(mti);
  let type: HostInput['type'];
  if (reversal) type = 'reversal';
  else {
    const p = f[3];
    if (!p) return need(3);
    const t = PROCESSING[p.slice(0, 2)];
    if (!t) return { problem: { field: 'field 3', id: 'payments.iso_not_payment_code', params: { code: p.slice(0, 2) } } };
    type = t;
  }
  const tid = f[41]?.trim();
  if (!tid) return need(41);
  const stan = f[11];
  if (!stan) return need(11);
  if (!f[7]) return need(7);
  const at = transmissionTime(f[7], now);
  if (!at) return bad(7);
  if (f[4] === undefined) return need(4);
  const amountMinor = Number(f[4]);
  if (!Number.isSafeInteger(amountMinor)) return bad(4);
  const currency = f[49] === undefined ? null : /^[A-Z]{3}$/.test(f[49]) ? f[49] : (CURRENCY_BY_NUMBER[f[49]] ?? null);
  if (!currency) return f[49] === undefined ? need(49) : bad(49);
  if (!f[22]) return need(22);
  let entryMode: HostInput['entryMode'];
  try {
    const mode = decodePosEntryMode(f[22]).pan;
    if (mode === 'unknown') return bad(22);
    entryMode = mode;
  } catch {
    return bad(22);
  }
  const rc = f[39] !== undefined ? normaliseResponseCode(f[39]) : null;
  const advice = mti.startsWith('042');
  // The host's word: its reply's code; a request it never answered timed out; an advice is a reversal done.
  const outcome: HostInput['outcome'] = reply ? (rc && isApproved(rc) ? 'approved' : rc ? 'declined' : 'error') : advice ? 'approved' : 'timeout';
  // Field 90: original MTI (4), STAN (6), transmission time (10), …
  const originalStan = f[90] && f[90].length >= 10 ? f[90].slice(4, 10) : null;
  const day = f[7].slice(0, 4);
  return {
    input: {
      id: `iso:${tid}:${stan}:${type}:${day}`,
      at,
      terminalRef: tid,
      type,
      amountMinor,
      currency,
      entryMode,
      cardToken: null,
      stan,
      rrn: f[37]?.trim() || null,
      authCode: f[38]?.trim() || null,
      outcome,
      responseCode: rc,
      originalStan,
      originalRrn: null,
      mcc: f[18] && /^\d{4}$/.test(f[18]) ? f[18] : null,
      mti,
    },
  };
}
