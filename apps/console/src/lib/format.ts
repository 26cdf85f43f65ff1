import dayjs from 'dayjs';
import type { LifecycleState } from '../api/types';

export const EMPTY = '—';

export function formatTime(ts: string | null | undefined): string {
  if (!ts) return EMPTY;
  const d = dayjs(ts);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : ts;
}

export function formatTimeFull(ts: string | null | undefined): string {
  if (!ts) return EMPTY;
  const d = dayjs(ts);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : ts;
}

export function orDash(v: string | null | undefined): string {
  return v === null || v === undefined || v === '' ? EMPTY : v;
}

/** One color per lifecycle state, shared by tags, cards and charts. */
export const STATE_COLORS: Record<LifecycleState, { tag: string; hex: string }> = {
  in_stock: { tag: 'geekblue', hex: '#2f54eb' },
  installed: { tag: 'cyan', hex: '#13a8a8' },
  active: { tag: 'green', hex: '#389e0d' },
  in_repair: { tag: 'orange', hex: '#d46b08' },
  swapped_out: { tag: 'purple', hex: '#722ed1' },
  retired: { tag: 'default', hex: '#8c8c8c' },
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
