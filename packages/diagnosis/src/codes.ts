/**
 * The engine's view of the payment codes (@poscare/codes): which causes a response code, a TVR bit
 * or a terminal message points at, and how strongly. One seam, so the features never parse codes.
 */
import { decodeTvr, matchTerminalMessage, mergeHints, responseCode, type CauseHint } from '@poscare/codes';

export type Hint = CauseHint;

export function responseCodeHints(rc: string): readonly Hint[] {
  return responseCode(rc).hints;
}

/** Hints of the TVR bits set; a malformed TVR gives none (the case schema already refused it). */
export function tvrHints(tvr: string | undefined): readonly Hint[] {
  if (!tvr) return [];
  try {
    return decodeTvr(tvr).hints;
  } catch {
    return [];
  }
}

/** What a terminal message points at, and which causes it shows resolved (a new paper roll…). */
export function eventMeaning(message: string, code?: string): { hints: Hint[]; clears: string[] } {
  const matches = matchTerminalMessage(message, code);
  if (!matches.length) return { hints: [], clears: [] };
  // The best match speaks for the message; a second one only when it is as specific.
  const best = matches.filter((m) => m.score >= matches[0]!.score);
  return { hints: mergeHints(...best.map((m) => m.hints)), clears: [...new Set(best.flatMap((m) => m.clears))] };
}
