/**
 * Reading a JSONL stream of transaction records: each line is JSON, holds no card data (the one
 * card-data rule of contracts), and matches poscare.txn-record/v1. A bad line is named by its number
 * and field; card data is named by its field only, never echoed.
 */
import { findCardData, stringHasCardData, TxnRecord } from '@poscare/contracts';

export interface LineError {
  line: number;
  field?: string;
  kind: 'json' | 'card_data' | 'schema';
  message: string;
}

export interface ParsedLines {
  records: TxnRecord[];
  errors: LineError[];
}

export function parseTxnLines(text: string): ParsedLines {
  const records: TxnRecord[] = [];
  const errors: LineError[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push(stringHasCardData(raw) ? { line, kind: 'card_data', message: 'holds card data' } : { line, kind: 'json', message: 'is not valid JSON' });
      continue;
    }
    const card = findCardData(value);
    if (card) {
      errors.push({ line, field: card.path || undefined, kind: 'card_data', message: 'holds card data (a card number is refused, not stored)' });
      continue;
    }
    const r = TxnRecord.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues.slice(0, 3)) errors.push({ line, field: issue.path.join('.') || undefined, kind: 'schema', message: issue.message });
      continue;
    }
    records.push(r.data);
  }
  return { records, errors };
}

export const describeLineError = (e: LineError) => `line ${e.line}${e.field ? `, field ${e.field}` : ''}: ${e.message}`;
