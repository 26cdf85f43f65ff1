/**
 * CSV cells that a spreadsheet program cannot run. A cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is read by Excel, WPS and LibreOffice as a formula (`=HYPERLINK(...)`, DDE), so every
 * CSV PosCare writes for people passes each text cell through `csvSafe`, which prefixes such a cell
 * with a single quote (OWASP's advice for CSV injection): it shows as the text it was. Numbers are
 * written as numbers, so a negative figure stays a number. CSV for machines (COPY, backups) is not
 * for spreadsheets and does not use this.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as a spreadsheet will show it, never as a formula. Non-strings are returned unchanged. */
export function csvSafe<T>(value: T): T | string {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV line (RFC 4180 quoting, no line ending) of cells made safe with `csvSafe`. */
export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells
    .map((c) => {
      const v = csvSafe(c);
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
