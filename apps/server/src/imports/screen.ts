/**
 * What every cell of an imported file goes through before anything else looks at it: the card-number
 * check of the contract, NUL characters and cells too long to be a terminal's data. A refused row's
 * cells are dropped where they are read (the import thread), so they are never stored, echoed in an
 * answer or logged.
 */
import { containsCardData } from '@poscare/contracts';

/** Longest cell accepted; the longest terminal field is far shorter. */
export const MAX_CELL_CHARS = 4096;

export type RowFlag = 'card_data' | 'nul' | 'cell_too_long';

const hasCard = (cell: string) => containsCardData(cell) || (cell.includes('\0') && containsCardData(cell.replaceAll('\0', '')));

/** Why a row must be refused whatever its columns mean, or null. Card data comes first: it is the one that matters. */
export function screenRow(cells: readonly string[]): RowFlag | null {
  let long = false;
  let nul = false;
  for (const c of cells) {
    if (c.length > MAX_CELL_CHARS) {
      long = true;
      continue;
    }
    if (hasCard(c)) return 'card_data';
    if (c.includes('\0')) nul = true;
  }
  return long ? 'cell_too_long' : nul ? 'nul' : null;
}
