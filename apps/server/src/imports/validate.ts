/**
 * Row-by-row validation of a terminal import. Pure: it gets the file's rows and what the database
 * knows (sites, existing serial numbers) and returns the rows to write and the problems found.
 */
import { performance } from 'node:perf_hooks';
import { CONNECTIVITY, containsCardData, IMPORT_COLUMNS, LIFECYCLE_STATES, TerminalFields, type ImportProblem, type LifecycleState } from '@poscare/contracts';
import type { Language } from '@poscare/contracts';
import { localiseIssue } from '../http/errorHandler.js';
import { translate, type MessageId } from '../i18n/messages.js';
import { errors } from '../errors/errors.js';
import type { Sheet } from './parse.js';
import { MAX_CELL_CHARS, screenRow, type RowFlag } from './screen.js';

type Column = (typeof IMPORT_COLUMNS)[number];

/** Header spellings people use, in both languages, for each column. */
const ALIASES: Record<string, Column> = {
  serial: 'serial_number', sn: 'serial_number', '序列号': 'serial_number', '终端序列号': 'serial_number',
  '终端号': 'tid', terminal_id: 'tid',
  '厂商': 'vendor', '品牌': 'vendor', manufacturer: 'vendor',
  '型号': 'model',
  os: 'os_version', '系统版本': 'os_version',
  app: 'app_version', '应用版本': 'app_version',
  firmware: 'firmware_version', '固件版本': 'firmware_version',
  '联网方式': 'connectivity', network: 'connectivity',
  site: 'site_code', '网点编码': 'site_code', '网点': 'site_code',
  state: 'lifecycle_state', status: 'lifecycle_state', '状态': 'lifecycle_state',
};
const REQUIRED: Column[] = ['serial_number', 'vendor', 'model'];
const NEEDS_SITE: LifecycleState[] = ['installed', 'active'];

export interface ValidRow {
  row: number;
  serialNumber: string;
  tid: string | null;
  vendor: string;
  model: string;
  osVersion: string | null;
  appVersion: string | null;
  firmwareVersion: string | null;
  connectivity: string | null;
  siteId: string | null;
  merchantId: string | null;
  lifecycleState: LifecycleState;
}

export interface RawProblem {
  row: number;
  column: string | null;
  id: MessageId;
  params?: Record<string, unknown>;
}

export interface Known {
  sites: Map<string, { id: string; merchantId: string }>;
  existingSerials: Set<string>;
}

export function mapHeader(header: string[]): { columns: (Column | null)[]; unknown: string[] } {
  const unknown: string[] = [];
  const columns = header.map((h) => {
    const key = h.trim().toLowerCase().replace(/[\s-]+/g, '_');
    const col = (IMPORT_COLUMNS as readonly string[]).includes(key) ? (key as Column) : (ALIASES[key] ?? ALIASES[h.trim()] ?? null);
    if (!col && h.trim()) unknown.push(h.trim());
    return col;
  });
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) throw errors.importMissingColumns(missing);
  return { columns, unknown };
}

/** A primary account number must never be stored; the check is the contract's (`containsCardData`). */
export const looksLikeCardNumber = (s: string) => containsCardData(s);

const FLAG_PROBLEM: Record<RowFlag, { id: MessageId; params?: Record<string, unknown> }> = {
  card_data: { id: 'row.card_data' },
  nul: { id: 'row.nul_byte' },
  cell_too_long: { id: 'row.cell_too_long', params: { max: MAX_CELL_CHARS } },
};

const fieldOf: Partial<Record<Column, keyof typeof TerminalFields.shape>> = {
  serial_number: 'serialNumber', tid: 'tid', vendor: 'vendor', model: 'model', os_version: 'osVersion',
  app_version: 'appVersion', firmware_version: 'firmwareVersion',
};

export interface Validation {
  valid: ValidRow[];
  problems: RawProblem[];
  totalRows: number;
  invalidRows: number;
}

export function validateRows(sheet: Sheet, known: Known): Validation {
  const check = rowChecker(sheet, known);
  for (let i = 0; i < sheet.rows.length; i++) check(i);
  return check.result();
}

/**
 * The same validation in slices of at most `sliceMs` of CPU, giving the event loop its turn in between,
 * so a file of 200,000 rows does not hold up health checks, MQTT and other requests while it is checked.
 */
export async function validateRowsInSteps(sheet: Sheet, known: Known, sliceMs = 10): Promise<Validation> {
  const check = rowChecker(sheet, known);
  let sliceStart = performance.now();
  for (let i = 0; i < sheet.rows.length; i++) {
    if ((i & 63) === 0 && performance.now() - sliceStart > sliceMs) {
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    }
    check(i);
  }
  return check.result();
}

function rowChecker(sheet: Sheet, known: Known) {
  const { columns } = mapHeader(sheet.header);
  const valid: ValidRow[] = [];
  const problems: RawProblem[] = [];
  const firstSeen = new Map<string, number>();
  let totalRows = 0;
  let invalidRows = 0;

  const check = (i: number) => {
    const cells = sheet.rows[i]!;
    const rowNo = i + 2;
    // Rows read in the import thread come screened; rows given directly are screened here.
    const flag = sheet.flags ? (sheet.flags[i] ?? null) : screenRow(cells);
    if (!flag && !cells.some((c) => c.trim() !== '')) return;
    totalRows++;
    const rec: Partial<Record<Column, string>> = {};
    columns.forEach((col, ci) => {
      if (col) rec[col] = (cells[ci] ?? '').trim();
    });
    const rowProblems: RawProblem[] = [];
    const add = (column: Column | null, id: MessageId, params?: Record<string, unknown>) => rowProblems.push({ row: rowNo, column, id, ...(params ? { params } : {}) });

    if (flag) {
      // The row's cells are never looked at again, so none of them can reach a message or a log.
      add(null, FLAG_PROBLEM[flag].id, FLAG_PROBLEM[flag].params);
    } else {
      for (const c of REQUIRED) if (!rec[c]) add(c, 'row.required');
      for (const [col, field] of Object.entries(fieldOf) as [Column, keyof typeof TerminalFields.shape][]) {
        const v = rec[col];
        if (!v) continue;
        const r = TerminalFields.shape[field].safeParse(v);
        if (!r.success) add(col, 'row.invalid', { issue: r.error.issues[0] });
      }
      const connectivity = rec.connectivity ? rec.connectivity.toLowerCase() : null;
      if (connectivity && !(CONNECTIVITY as readonly string[]).includes(connectivity)) {
        add('connectivity', 'row.bad_connectivity', { value: rec.connectivity, allowed: CONNECTIVITY.join(', ') });
      }
      const state = (rec.lifecycle_state ? rec.lifecycle_state.toLowerCase() : 'in_stock') as LifecycleState;
      if (!(LIFECYCLE_STATES as readonly string[]).includes(state)) {
        add('lifecycle_state', 'row.bad_state', { value: rec.lifecycle_state, allowed: LIFECYCLE_STATES.join(', ') });
      }
      const site = rec.site_code ? known.sites.get(rec.site_code) : undefined;
      if (rec.site_code && !site) add('site_code', 'row.unknown_site', { value: rec.site_code });
      if (!rec.site_code && NEEDS_SITE.includes(state)) add('site_code', 'row.required');
      const serial = rec.serial_number;
      if (serial) {
        const first = firstSeen.get(serial);
        if (first !== undefined) add('serial_number', 'row.duplicate_in_file', { value: serial, first });
        else firstSeen.set(serial, rowNo);
        if (known.existingSerials.has(serial)) add('serial_number', 'row.already_exists', { value: serial });
      }
      if (rowProblems.length === 0) {
        valid.push({
          row: rowNo,
          serialNumber: serial!,
          tid: rec.tid || null,
          vendor: rec.vendor!,
          model: rec.model!,
          osVersion: rec.os_version || null,
          appVersion: rec.app_version || null,
          firmwareVersion: rec.firmware_version || null,
          connectivity,
          siteId: site?.id ?? null,
          merchantId: site?.merchantId ?? null,
          lifecycleState: state,
        });
      }
    }
    if (rowProblems.length) {
      invalidRows++;
      problems.push(...rowProblems);
    }
  };
  return Object.assign(check, { result: (): Validation => ({ valid, problems, totalRows, invalidRows }) });
}

export function renderProblem(lang: Language, p: RawProblem): ImportProblem {
  const issue = p.params?.issue as Record<string, unknown> | undefined;
  return {
    row: p.row,
    column: p.column,
    code: p.id,
    message: issue ? translate(lang, 'row.invalid', { detail: localiseIssue(lang, issue) }) : translate(lang, p.id, p.params),
  };
}
