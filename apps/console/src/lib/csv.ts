import { csvLine, IMPORT_COLUMNS } from '@poscare/contracts';

/** A CSV with just the header row the importer expects (through `csvLine`, like every CSV PosCare writes). */
export function importTemplateCsv(): string {
  return `${csvLine(IMPORT_COLUMNS)}\r\n`;
}

/** Hands a file made in the page to the browser's downloads. */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  saveBlob(filename, new Blob([text], { type }));
}
