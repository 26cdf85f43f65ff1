/**
 * A cause hint: "this evidence points at taxonomy cause `code` with strength `weight`" (0..1).
 * Weights are evidence strengths, not probabilities: the diagnosis engine combines them with
 * everything else it knows. Every code is a taxonomy code (checked by the data tests).
 */
export interface CauseHint {
  code: string;
  weight: number;
}

/** Merges hint lists, keeping the strongest weight per cause, strongest first. */
export function mergeHints(...lists: readonly (readonly CauseHint[])[]): CauseHint[] {
  const best = new Map<string, number>();
  for (const list of lists) {
    for (const h of list) {
      const w = best.get(h.code);
      if (w === undefined || h.weight > w) best.set(h.code, h.weight);
    }
  }
  return [...best].map(([code, weight]) => ({ code, weight })).sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
}
