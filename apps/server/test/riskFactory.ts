/**
 * Test data for risk work: terminal payment lines, host lines and fraud findings written straight
 * into the tables (the findings engine's own tests cover how findings arise).
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './harness.js';

export interface Sale {
  at: Date;
  cardToken: string;
  amountMinor?: number;
  outcome?: string;
  entryMode?: string;
  type?: string;
}

let stanSeq = 100_000;

/** Terminal lines (one per sale); returns their record ids (`terminalId/msgId`). */
export async function terminalLines(t: TestApp, orgId: string, terminal: { id: string; merchantId: string | null }, sales: Sale[]): Promise<string[]> {
  const ids: string[] = [];
  await t.db.rawTransaction(async (tx) => {
    for (const s of sales) {
      const msgId = randomUUID();
      const stan = String(++stanSeq);
      await tx.query(
        `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, rrn, amount_minor, currency, entry_mode, outcome, response_code, card_token, type, merchant_id)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 'CNY', $8, $9, $10, $11, $12, $13)`,
        [orgId, terminal.id, msgId, s.at, stan, `R${stan}`, s.amountMinor ?? 500, s.entryMode ?? 'contactless', s.outcome ?? 'approved', s.outcome === 'declined' ? '05' : '00', s.cardToken, s.type ?? 'sale', terminal.merchantId],
      );
      ids.push(`${terminal.id}/${msgId}`);
    }
  });
  return ids;
}

/** The host's line of a terminal sale (same terminal, STAN and day). */
export async function hostLine(t: TestApp, orgId: string, terminal: { id: string; merchantId: string | null }, recordId: string): Promise<void> {
  await t.db.rawTransaction(async (tx) => {
    const [row] = await tx.query<Record<string, unknown>>(`SELECT * FROM transactions WHERE terminal_id = $1 AND msg_id = $2`, [terminal.id, recordId.slice(37)]);
    await tx.query(
      `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, card_token, stan, rrn, outcome, response_code, origin)
       VALUES ($1, $2, $3, $3, $4, $5, 'sale', $6, 'CNY', $7, $8, $9, $10, $11, $12, 'file')`,
      [orgId, `H-${row!.stan}`, row!.at, terminal.id, terminal.merchantId, row!.amount_minor, row!.entry_mode, row!.card_token, row!.stan, row!.rrn, row!.outcome, row!.response_code],
    );
  });
}

/** Twelve small attempts by ten cards at one terminal in ten minutes, eight declined: a card-testing burst. */
export function cardTestingBurst(start: Date, prefix = 'tok_ct'): Sale[] {
  return Array.from({ length: 12 }, (_, i) => ({
    at: new Date(start.getTime() + i * 50_000),
    cardToken: `${prefix}_${i % 10}`,
    amountMinor: 100 + i,
    outcome: i % 3 === 0 ? 'approved' : 'declined',
  }));
}

export async function finding(
  t: TestApp,
  orgId: string,
  f: { code: string; txnIds: string[]; merchantId?: string | null; terminalId?: string | null; cardToken?: string | null; at: Date; status?: string; amountMinor?: number },
): Promise<string> {
  const [row] = await t.db.rawTransaction((tx) =>
    tx.query<{ id: string }>(
      `INSERT INTO txn_findings (org_id, key, code, status, merchant_id, terminal_id, card_token, amount_minor, currency, first_at, last_at, txn_ids, summary_zh, summary_en, action, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'CNY', $9, $10, $11::jsonb, $12, $13, 'review', $10) RETURNING id`,
      [
        orgId,
        `${f.code}|${f.txnIds.join(",")}`,
        f.code,
        f.status ?? 'open',
        f.merchantId ?? null,
        f.terminalId ?? null,
        f.cardToken ?? null,
        f.amountMinor ?? 1200,
        f.at,
        new Date(f.at.getTime() + 600_000),
        JSON.stringify(f.txnIds),
        `${f.code} 测试摘要`,
        `${f.code} test summary`,
      ],
    ),
  );
  return row!.id;
}

/** A telemetry sample of a terminal (the case page reads the terminal's health from it). */
export async function telemetrySample(t: TestApp, orgId: string, terminalId: string, at: Date, data: Record<string, unknown>): Promise<void> {
  await t.db.rawTransaction((tx) =>
    tx.query(`INSERT INTO telemetry_raw (org_id, terminal_id, msg_id, at, received_at, data) VALUES ($1, $2, $3, $4, $4, $5)`, [orgId, terminalId, randomUUID(), at, JSON.stringify(data)]),
  );
}
