/**
 * Verification before a ticket is resolved: PosCare checks the terminal's own signals since the fix
 * (since the ticket entered `verifying`) against what the cause needs — a replaced reader reads again
 * (≥ 98% of the next 20 attempts), paper prints (an approved payment, printer ok), the network is back,
 * payments reach the host — and for any cause, that the terminal reports and is healthy. The checks
 * are data here (cause prefix → checks), not scattered through the flow.
 */
import type { Language } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { translate, type MessageId } from '../i18n/messages.js';

type Row = Record<string, unknown>;

export interface Check {
  id: string;
  passed: boolean | null;
  text: string;
}

export interface Verification {
  status: 'passed' | 'failed' | 'pending';
  since: string | null;
  checks: Check[];
}

const READERS: Record<string, { attempts: string; failures: string }> = {
  'hw.reader.chip': { attempts: 'chip_attempts', failures: 'chip_failures' },
  'hw.reader.contactless': { attempts: 'ctls_attempts', failures: 'ctls_failures' },
  'hw.reader.magstripe': { attempts: 'mag_attempts', failures: 'mag_failures' },
};

/** What "fixed" means per cause: the checks run for causes starting with the prefix. */
const CHECKS: { prefix: string; check: 'reader' | 'printer' | 'network' | 'host' }[] = [
  { prefix: 'hw.reader.', check: 'reader' },
  { prefix: 'hw.printer.', check: 'printer' },
  { prefix: 'net.', check: 'network' },
  { prefix: 'ext.host', check: 'host' },
];

export async function verifyTicket(tx: RawTx, ticket: Row, lang: Language): Promise<Verification> {
  const terminalId = ticket.terminal_id as string | null;
  const cause = (ticket.cause_code as string | null) ?? '';
  const [since] = await tx.query<{ at: string }>(`SELECT max(at) AS at FROM ticket_events WHERE ticket_id = $1 AND type = 'status' AND to_value = 'verifying'`, [ticket.id]);
  const from = since?.at ? new Date(since.at) : null;
  const text = (id: MessageId, params: Record<string, unknown> = {}) => translate(lang, id, params);
  if (!terminalId || !from) return { status: 'pending', since: from?.toISOString() ?? null, checks: [] };

  const checks: Check[] = [];
  // Any cause: the terminal reported since the fix and its latest state is healthy.
  const [live] = await tx.query<Row>('SELECT last_seen_at, health FROM terminal_live WHERE terminal_id = $1', [terminalId]);
  const reported = !!live && new Date(live.last_seen_at as string) >= from;
  checks.push({ id: 'reporting', passed: reported ? live!.health !== 'critical' : null, text: text(reported ? (live!.health !== 'critical' ? 'ticket.check.healthy' : 'ticket.check.unhealthy') : 'ticket.check.waiting_report') });

  for (const c of CHECKS.filter((x) => cause.startsWith(x.prefix))) {
    if (c.check === 'reader') {
      const cols = READERS[cause] ?? READERS['hw.reader.chip']!;
      const rows = await tx.query<{ a: number | null; f: number | null }>(
        `SELECT ${cols.attempts} AS a, ${cols.failures} AS f FROM telemetry_raw WHERE terminal_id = $1 AND at >= $2 AND ${cols.attempts} > 0 ORDER BY at LIMIT 200`,
        [terminalId, from],
      );
      // The first 20 attempts after the fix.
      let a = 0;
      let f = 0;
      for (const r of rows) {
        if (a >= 20) break;
        a += Number(r.a ?? 0);
        f += Number(r.f ?? 0);
      }
      const rate = a ? (a - f) / a : 0;
      checks.push({
        id: 'reader',
        passed: a >= 20 ? rate >= 0.98 : null,
        text: text(a >= 20 ? 'ticket.check.reader' : 'ticket.check.reader_waiting', { rate: Math.round(rate * 1000) / 10, attempts: a }),
      });
    } else if (c.check === 'printer') {
      const [p] = await tx.query<{ status: string | null }>(`SELECT data->'printer'->>'status' AS status FROM telemetry_raw WHERE terminal_id = $1 AND at >= $2 ORDER BY at DESC LIMIT 1`, [terminalId, from]);
      const [paid] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM transactions WHERE terminal_id = $1 AND at >= $2 AND outcome = 'approved'`, [terminalId, from]);
      const printed = p?.status === 'ok' || p?.status === 'paper_low';
      checks.push({ id: 'printer', passed: p ? printed && Number(paid?.n ?? 0) > 0 : null, text: text('ticket.check.printer', { status: p?.status ?? '—', receipts: Number(paid?.n ?? 0) }) });
    } else if (c.check === 'network' || c.check === 'host') {
      const [n] = await tx.query<{ total: number; ok: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE outcome = 'approved')::int AS ok FROM transactions WHERE terminal_id = $1 AND at >= $2`,
        [terminalId, from],
      );
      const total = Number(n?.total ?? 0);
      checks.push({ id: c.check, passed: total >= 3 ? Number(n!.ok) / total >= 0.9 : null, text: text('ticket.check.payments', { ok: Number(n?.ok ?? 0), total }) });
    }
  }
  const status = checks.some((c) => c.passed === false) ? 'failed' : checks.every((c) => c.passed === true) ? 'passed' : 'pending';
  return { status, since: from.toISOString(), checks };
}
