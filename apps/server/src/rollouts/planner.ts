/**
 * The rollout planner (issue 18), pure: which wave each terminal is in. Terminals are put in an order
 * that is random across the fleet but fixed for a rollout (SHA-256 of the rollout id and the terminal
 * id), so a canary wave is spread over sites and merchants rather than the first serial numbers, and a
 * re-plan of the same rollout gives the same waves. Waves are cumulative percentages; every wave that
 * has terminals left gets at least one, so a 1% canary of a small fleet is one terminal, not none.
 */
import { createHash } from 'node:crypto';

export function planWaves(seed: string, terminalIds: readonly string[], waves: readonly number[]): Map<string, number> {
  const order = [...new Set(terminalIds)]
    .map((id) => ({ id, key: createHash('sha256').update(`${seed}:${id}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = order.length;
  const out = new Map<string, number>();
  let from = 0;
  waves.forEach((pct, wave) => {
    const last = wave === waves.length - 1;
    let until = last ? n : Math.ceil((n * pct) / 100);
    if (until <= from && from < n) until = from + 1;
    for (let i = from; i < Math.min(until, n); i++) out.set(order[i]!.id, wave);
    from = Math.max(from, Math.min(until, n));
  });
  return out;
}

/** Terminals per wave (not cumulative) of a plan. */
export function waveSizes(plan: ReadonlyMap<string, number>, waves: number): number[] {
  const sizes = new Array<number>(waves).fill(0);
  for (const w of plan.values()) sizes[w] = (sizes[w] ?? 0) + 1;
  return sizes;
}
