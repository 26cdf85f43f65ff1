/**
 * The queries of the dispute report: the disputes opened in a period with when they were first answered,
 * and per terminal the period's sales, duplicate-charge and fraud findings, and what the terminal is
 * (merchant, model, app version). Typed rows in and out; the figures are computed in report.ts.
 */
import type { RawTx } from '../db/client.js';

export interface Period {
  orgId: string;
  from: Date;
  to: Date;
  merchantId: string | null;
}

export interface ReportDisputeRow {
  reason_group: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  status: string;
  amount_minor: number | string;
  /** Hours from opening to the first answer (evidence submitted or accepted); null when not answered. */
  respond_hours: number | string | null;
}

export async function disputesOpened(tx: RawTx, p: Period): Promise<ReportDisputeRow[]> {
  return tx.query<ReportDisputeRow>(
    `SELECT d.reason_group, d.merchant_id, m.name AS merchant_name, d.terminal_id, d.status, d.amount_minor,
        extract(epoch FROM (r.first_at - d.opened_at)) / 3600.0 AS respond_hours
       FROM disputes d
       LEFT JOIN merchants m ON m.id = d.merchant_id
       LEFT JOIN LATERAL (
         SELECT min(e.at) AS first_at FROM dispute_events e
          WHERE e.dispute_id = d.id AND e.type = 'status' AND e.to_value IN ('evidence_submitted', 'accepted')
       ) r ON true
      WHERE d.org_id = $1 AND d.opened_at >= $2 AND d.opened_at < $3${p.merchantId ? ' AND d.merchant_id = $4' : ''}`,
    p.merchantId ? [p.orgId, p.from, p.to, p.merchantId] : [p.orgId, p.from, p.to],
  );
}

/** Sales of the period per terminal (the terminal's side: every payment the terminal made is there). */
export async function salesByTerminal(tx: RawTx, p: Period): Promise<{ terminal_id: string; n: number }[]> {
  return tx.query(
    `SELECT terminal_id, count(*)::int AS n FROM transactions
      WHERE org_id = $1 AND at >= $2 AND at < $3 AND type = 'sale'${p.merchantId ? ' AND merchant_id = $4' : ''} GROUP BY terminal_id`,
    p.merchantId ? [p.orgId, p.from, p.to, p.merchantId] : [p.orgId, p.from, p.to],
  );
}

/** Duplicate-charge (`dup.*`) and fraud (`risk.*`) findings first seen in the period, per terminal. */
export async function findingsByTerminal(tx: RawTx, p: Period): Promise<{ terminal_id: string; dup: number; fraud: number }[]> {
  return tx.query(
    `SELECT terminal_id, count(*) FILTER (WHERE code LIKE 'dup.%')::int AS dup, count(*) FILTER (WHERE code LIKE 'risk.%')::int AS fraud
       FROM txn_findings
      WHERE org_id = $1 AND first_at >= $2 AND first_at < $3 AND terminal_id IS NOT NULL${p.merchantId ? ' AND merchant_id = $4' : ''}
      GROUP BY terminal_id`,
    p.merchantId ? [p.orgId, p.from, p.to, p.merchantId] : [p.orgId, p.from, p.to],
  );
}

export interface TerminalFacts {
  id: string;
  label: string;
  vendor: string | null;
  model: string | null;
  app_version: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
}

/** What each terminal is now: its merchant, model and the app version it runs. */
export async function terminalFacts(tx: RawTx, orgId: string, ids: string[]): Promise<TerminalFacts[]> {
  if (!ids.length) return [];
  return tx.query<TerminalFacts>(
    `SELECT t.id, coalesce(t.tid, t.serial_number) AS label, t.vendor, t.model, t.app_version, t.merchant_id, m.name AS merchant_name
       FROM terminals t LEFT JOIN merchants m ON m.id = t.merchant_id WHERE t.org_id = $1 AND t.id = ANY($2::uuid[])`,
    [orgId, ids],
  );
}

export async function merchantInOrg(tx: RawTx, orgId: string, merchantId: string): Promise<boolean> {
  const [m] = await tx.query(`SELECT 1 FROM merchants WHERE id = $1 AND org_id = $2`, [merchantId, orgId]);
  return !!m;
}
