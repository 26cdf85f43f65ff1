import { csvLine, IMPORT_COLUMNS } from '@poscare/contracts';

/** A CSV with just the header row the importer expects (through `csvLine`, like every CSV PosCare writes). */
export function importTemplateCsv(): string {
  return `${csvLine(IMPORT_COLUMNS)}\r\n`;
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
