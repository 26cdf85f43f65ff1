/**
 * What a parsed ISO 8583 message says for diagnosis: message class, entry mode, response code,
 * EMV TVR/TSI from field 55, and the cause hints they add up to. Card data (PAN, tracks, PIN block,
 * expiry, and the matching EMV tags) is never copied into a summary.
 */
import { CodesError } from '../errors.js';
import { decodeTsi, decodeTvr, emvTag, findTlv, parseTlv, type EmvBitsDecode, type Tlv } from '../emv.js';
import { isHex } from '../hex.js';
import { mergeHints, type CauseHint } from '../hints.js';
import { decodePosEntryMode, type PosEntryMode } from '../posEntryMode.js';
import { responseCode, type ResponseCodeInfo } from '../responseCodes.js';

export type MtiClass =
  | 'authorization'
  | 'financial'
  | 'file_action'
  | 'reversal'
  | 'reconciliation'
  | 'administrative'
  | 'fee_collection'
  | 'network_management'
  | 'reserved';

export type MtiFunction = 'request' | 'response' | 'advice' | 'advice_response' | 'notification' | 'notification_ack' | 'instruction' | 'instruction_ack' | 'reserved';

export interface MtiInfo {
  mti: string;
  version: '1987' | '1993' | '2003' | 'national' | 'private' | 'reserved';
  class: MtiClass;
  function: MtiFunction;
  origin: 'acquirer' | 'issuer' | 'other' | 'reserved';
  repeat: boolean;
  zh: string;
  en: string;
}

const VERSIONS: MtiInfo['version'][] = ['1987', '1993', '2003', 'reserved', 'reserved', 'reserved', 'reserved', 'reserved', 'national', 'private'];
const CLASSES: [MtiClass, string, string][] = [
  ['reserved', '保留', 'reserved'],
  ['authorization', '授权', 'authorization'],
  ['financial', '金融交易', 'financial'],
  ['file_action', '文件操作', 'file action'],
  ['reversal', '冲正', 'reversal'],
  ['reconciliation', '对账', 'reconciliation'],
  ['administrative', '管理', 'administrative'],
  ['fee_collection', '费用收取', 'fee collection'],
  ['network_management', '网络管理', 'network management'],
  ['reserved', '保留', 'reserved'],
];
const FUNCTIONS: [MtiFunction, string, string][] = [
  ['request', '请求', 'request'],
  ['response', '应答', 'response'],
  ['advice', '通知', 'advice'],
  ['advice_response', '通知应答', 'advice response'],
  ['notification', '告知', 'notification'],
  ['notification_ack', '告知确认', 'notification acknowledgement'],
  ['instruction', '指令', 'instruction'],
  ['instruction_ack', '指令确认', 'instruction acknowledgement'],
  ['reserved', '保留', 'reserved'],
  ['reserved', '保留', 'reserved'],
];
const ORIGINS: [MtiInfo['origin'], boolean][] = [
  ['acquirer', false],
  ['acquirer', true],
  ['issuer', false],
  ['issuer', true],
  ['other', false],
  ['other', true],
  ['reserved', false],
  ['reserved', false],
  ['reserved', false],
  ['reserved', false],
];

/** Decodes a 4-digit MTI: version, class, function, origin, and whether it is a repeat. */
export function describeMti(mti: string): MtiInfo {
  if (!/^\d{4}$/.test(mti)) throw new CodesError('iso8583.bad_mti', { value: mti });
  const d = [...mti].map(Number) as [number, number, number, number];
  const [cls, clsZh, clsEn] = CLASSES[d[1]] as [MtiClass, string, string];
  const [fn, fnZh, fnEn] = FUNCTIONS[d[2]] as [MtiFunction, string, string];
  const [origin, repeat] = ORIGINS[d[3]] as [MtiInfo['origin'], boolean];
  return {
    mti,
    version: VERSIONS[d[0]] as MtiInfo['version'],
    class: cls,
    function: fn,
    origin,
    repeat,
    zh: `${clsZh}${fnZh}${repeat ? '（重发）' : ''}`,
    en: `${clsEn} ${fnEn}${repeat ? ' (repeat)' : ''}`,
  };
}

export interface IccTag {
  tag: string;
  zh?: string;
  en?: string;
  /** Hex value; absent for card data (PAN, track, name), which is never repeated. */
  value?: string;
  length: number;
}

export interface IccSummary {
  tags: IccTag[];
  tvr?: EmvBitsDecode;
  tsi?: EmvBitsDecode;
  /** Set when field 55 could not be read; the rest of the summary still stands. */
  error?: { id: string; message: string; zh: string };
}

export interface Iso8583Summary {
  mti?: MtiInfo;
  entryMode?: PosEntryMode;
  responseCode?: ResponseCodeInfo;
  icc?: IccSummary;
  /** Field 4 in minor units, field 49 currency. */
  amount?: { minor: number; currency?: string };
  stan?: string;
  rrn?: string;
  terminalId?: string;
  merchantId?: string;
  /** Problems met while summarising (bad field 22, unreadable field 55); never thrown. */
  problems: { field: number; id: string; message: string; zh: string }[];
  /** All hints, strongest weight per cause, each with the fields it came from. */
  hints: (CauseHint & { from: string[] })[];
}

type FieldsInput = Readonly<Record<number, string | undefined>>;

function flattenTags(tlvs: readonly Tlv[], out: IccTag[]): void {
  for (const t of tlvs) {
    const info = emvTag(t.tag);
    const tag: IccTag = { tag: t.tag, length: t.length };
    if (info) {
      tag.zh = info.zh;
      tag.en = info.en;
    }
    if (!info?.sensitive && !t.children) tag.value = t.value;
    out.push(tag);
    if (t.children) flattenTags(t.children, out);
  }
}

const problem = (field: number, e: unknown) => {
  if (e instanceof CodesError) return { field, id: e.id, message: e.message, zh: e.messageIn('zh-CN') };
  throw e;
};

/**
 * Summarises a parsed message (or a bare field map; the MTI may then sit in field 0). Never throws
 * on bad content: unreadable parts are listed under `problems`.
 */
export function summariseIso8583(input: { mti?: string; fields: FieldsInput } | FieldsInput): Iso8583Summary {
  const hasFields = 'fields' in input && typeof (input as { fields?: unknown }).fields === 'object';
  const fields: FieldsInput = hasFields ? (input as { fields: FieldsInput }).fields : (input as FieldsInput);
  const mtiText = hasFields ? ((input as { mti?: string }).mti ?? fields[0]) : fields[0];
  const summary: Iso8583Summary = { problems: [], hints: [] };
  const sources: { from: string; hints: readonly CauseHint[] }[] = [];

  if (mtiText !== undefined) {
    try {
      summary.mti = describeMti(mtiText);
    } catch (e) {
      summary.problems.push(problem(0, e));
    }
  }
  const f22 = fields[22];
  if (f22 !== undefined) {
    try {
      summary.entryMode = decodePosEntryMode(f22);
      sources.push({ from: '22', hints: summary.entryMode.hints });
    } catch (e) {
      summary.problems.push(problem(22, e));
    }
  }
  const f39 = fields[39];
  if (f39 !== undefined) {
    summary.responseCode = responseCode(f39);
    sources.push({ from: '39', hints: summary.responseCode.hints });
  }
  const f55 = fields[55];
  if (f55 !== undefined) {
    const icc: IccSummary = { tags: [] };
    try {
      if (!isHex(f55)) throw new CodesError('emv.not_hex', { what: 'icc', value: f55.slice(0, 40) });
      const tlvs = parseTlv(f55);
      flattenTags(tlvs, icc.tags);
      const tvr = findTlv(tlvs, '95');
      if (tvr) {
        icc.tvr = decodeTvr(tvr.value);
        sources.push({ from: '55/95', hints: icc.tvr.hints });
      }
      const tsi = findTlv(tlvs, '9B');
      if (tsi) icc.tsi = decodeTsi(tsi.value);
    } catch (e) {
      if (!(e instanceof CodesError)) throw e;
      icc.error = { id: e.id, message: e.message, zh: e.messageIn('zh-CN') };
      summary.problems.push(problem(55, e));
    }
    summary.icc = icc;
  }
  const f4 = fields[4];
  if (f4 !== undefined && /^\d+$/.test(f4)) {
    summary.amount = { minor: Number(f4) };
    if (fields[49] !== undefined) summary.amount.currency = fields[49];
  }
  if (fields[11] !== undefined) summary.stan = fields[11];
  if (fields[37] !== undefined) summary.rrn = fields[37].trim();
  if (fields[41] !== undefined) summary.terminalId = fields[41].trim();
  if (fields[42] !== undefined) summary.merchantId = fields[42].trim();

  const merged = mergeHints(...sources.map((s) => s.hints));
  summary.hints = merged.map((h) => ({
    ...h,
    from: sources.filter((s) => s.hints.some((x) => x.code === h.code)).map((s) => s.from),
  }));
  return summary;
}
