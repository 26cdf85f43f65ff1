/**
 * A finding's summary as a person reads it. The engine words findings with the ids it works on (the
 * merchant's and the terminal's ids, instants in UTC) — exactly what `poscare txn analyze` prints for a
 * file; people on the console, in e-mails and in tickets get the merchant's name, the terminal's serial
 * number and times in the reporting time zone instead. Applied when a stored finding is presented.
 */
import { formatLocal } from '../reports/range.js';

export interface FindingNames {
  merchantId: string | null;
  merchantName?: string | null;
  terminalId: string | null;
  /** The terminal as people know it: its serial number (or TID). */
  terminalLabel?: string | null;
}

/** The names a stored finding row carries (its query joins the merchant and the terminal). */
export interface FindingNameColumns {
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  /** The terminal's serial number, or the label a query chose (TID, else serial). */
  terminal_serial?: string | null;
  terminal_label?: string | null;
}

export const namesOf = (r: FindingNameColumns): FindingNames => ({
  merchantId: r.merchant_id,
  merchantName: r.merchant_name,
  terminalId: r.terminal_id,
  terminalLabel: r.terminal_label ?? r.terminal_serial ?? null,
});

/** An ISO 8601 instant in UTC as the engine writes it (2026-12-07T12:24:04.969Z). */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z\b/g;

export function readableSummary(text: string, f: FindingNames): string {
  let out = text;
  if (f.merchantId && f.merchantName) out = out.split(f.merchantId).join(f.merchantName);
  if (f.terminalId && f.terminalLabel) out = out.split(f.terminalId).join(f.terminalLabel);
  return out.replace(ISO_INSTANT, (iso) => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? iso : formatLocal(new Date(t));
  });
}

/**
 * The note on a fraud finding a re-evaluation under newer thresholds closed (findings/runtime.ts), in both
 * languages: a note is stored once and read by analysts of either.
 */
export function thresholdsChangedNote(newVersion: number | null, raisedUnder: number | null): string {
  const v = (n: number | null) => String(n ?? 0);
  return (
    `按阈值版本 ${v(newVersion)} 重新评估：不再构成此发现（原按版本 ${v(raisedUnder)} 产生），已自动关闭。` +
    `\nRe-evaluated under thresholds version ${v(newVersion)}: no longer a finding (raised under version ${v(raisedUnder)}), closed automatically.`
  );
}
