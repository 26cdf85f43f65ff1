import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import type { FleetStatus } from '../api/fleet';
import { EMPTY } from './format';

dayjs.extend(relativeTime);

/** One color per fleet status, shared by tags, cards and charts. */
export const STATUS_COLORS: Record<FleetStatus, { tag: string; hex: string }> = {
  ok: { tag: 'success', hex: '#389e0d' },
  degraded: { tag: 'warning', hex: '#d48806' },
  critical: { tag: 'error', hex: '#cf1322' },
  offline: { tag: 'default', hex: '#595959' },
  never_seen: { tag: 'default', hex: '#bfbfbf' },
};

/** Reasons the server counts as critical (apps/server/src/fleet/health.ts); the others are warnings. */
const CRITICAL_REASONS = new Set([
  'tamper',
  'keys_missing',
  'network_down',
  'host_unreachable',
  'printer_fault',
  'overheating',
  'chip_reader_failing',
  'contactless_failing',
  'app_crashing',
  'batch_full',
]);
export const reasonSeverity = (r: string): 'critical' | 'warning' => (CRITICAL_REASONS.has(r) ? 'critical' : 'warning');

/** "3 minutes ago", in the current dayjs locale. */
export function fromNow(ts: string | null | undefined): string {
  if (!ts) return EMPTY;
  const d = dayjs(ts);
  return d.isValid() ? d.fromNow() : ts;
}

export function formatClock(ts: string | null | undefined): string {
  if (!ts) return EMPTY;
  const d = dayjs(ts);
  return d.isValid() ? d.format('HH:mm:ss') : ts;
}

export function pct(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined ? EMPTY : `${(v * 100).toFixed(digits)}%`;
}

/** Success rate of a reader interface from the latest sample's counters, or null when it was not used. */
export function successRate(c: { attempts: number; failures: number } | undefined): number | null {
  if (!c || c.attempts <= 0) return null;
  return 1 - c.failures / c.attempts;
}

export function formatAmount(minor: number | null, currency: string | null, lng: string): string {
  if (minor === null) return EMPTY;
  const value = minor / 100;
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(lng, { style: 'currency', currency }).format(value);
    } catch {
      /* unknown currency code: fall through */
    }
  }
  return `${value.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}
