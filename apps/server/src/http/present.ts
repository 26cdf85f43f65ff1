/** Shapes rows for the API: timestamps become ISO strings, as the contracts say. */
export type Presented<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export function present<T extends object>(row: T): Presented<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out as Presented<T>;
}

export const presentAll = <T extends object>(rows: T[]) => rows.map(present);
