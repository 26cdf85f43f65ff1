/** The reconciliation as a sheet (CSV/XLSX), headers in the caller's language; amounts in major units. */
import type { Language, Reconciliation } from '@poscare/contracts';
import type { Sheet } from '../http/spreadsheet.js';

const HEADERS: Record<Language, string[]> = {
  'zh-CN': ['日期', '终端序列号', '终端号', '商户', '终端笔数', '终端金额', '主机笔数', '主机金额', '差额', '一致', '仅终端', '仅主机', '金额不符', '结果不符', '已平账'],
  'en-US': ['Day', 'Serial number', 'TID', 'Merchant', 'Terminal count', 'Terminal total', 'Host count', 'Host total', 'Difference', 'Matched', 'Terminal only', 'Host only', 'Amount differs', 'Outcome differs', 'Balanced'],
};
const TITLE: Record<Language, string> = { 'zh-CN': '对账', 'en-US': 'Reconciliation' };
const YES: Record<Language, [string, string]> = { 'zh-CN': ['是', '否'], 'en-US': ['yes', 'no'] };

const major = (minor: number) => Math.round(minor) / 100;

export function reconciliationSheet(r: Reconciliation, lang: Language): Sheet {
  return {
    title: `${TITLE[lang]} ${r.day}`,
    header: HEADERS[lang],
    rows: r.rows.map((x) => [
      x.day,
      x.serialNumber,
      x.tid,
      x.merchantName,
      x.terminalCount,
      major(x.terminalTotalMinor),
      x.hostCount,
      major(x.hostTotalMinor),
      major(x.terminalTotalMinor - x.hostTotalMinor),
      x.matched,
      x.terminalOnly,
      x.hostOnly,
      x.amountDiffers,
      x.outcomeDiffers,
      YES[lang][x.balanced ? 0 : 1],
    ]),
  };
}
