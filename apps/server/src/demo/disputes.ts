/**
 * The demo's disputes (issue 17): three payments of the demo merchant a few days ago, both sides on
 * record, and the acquirer's disputes against them — a UnionPay chargeback for a duplicate charge
 * (the merchant did charge twice: PosCare proposes to accept), a Visa fraud chargeback on a
 * PIN-verified chip payment (the pack is complete), a Mastercard "goods not received" chargeback
 * (the merchant must add the delivery note) — and one that matches no payment.
 */
import pino from 'pino';
import type { Fleet } from '@poscare/simulator';
import type { Database } from '../db/client.js';
import { systemActor } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { DisputeService } from '../disputes/service.js';
import { localDay } from '../reports/range.js';

const DAY = 86_400_000;

export async function seedDemoDisputes(db: Database, fleet: Fleet, orgId: string, now: Date): Promise<void> {
  const merchant = fleet.merchants[0]!;
  const terminal = fleet.terminals.find((t) => t.merchantId === merchant.id)!;
  const day = new Date(now.getTime() - 3 * DAY);
  const at = (h: number, m: number) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h - 8, m));
  const pays = [
    { msg: 'demo-dispute-1', stan: '900001', rrn: '690000900001', at: at(12, 30), amount: 26_800, card: 'tok_demo_dispute_a' },
    { msg: 'demo-dispute-2', stan: '900002', rrn: '690000900002', at: at(12, 30), amount: 26_800, card: 'tok_demo_dispute_a' },
    { msg: 'demo-dispute-3', stan: '900003', rrn: '690000900003', at: at(15, 12), amount: 158_000, card: 'tok_demo_dispute_b' },
    { msg: 'demo-dispute-4', stan: '900004', rrn: '690000900004', at: at(17, 45), amount: 45_900, card: 'tok_demo_dispute_c' },
  ];
  pays[1]!.at = new Date(pays[1]!.at.getTime() + 40_000);
  await db.rawTransaction(async (tx) => {
    for (const p of pays) {
      await tx.query(
        `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, rrn, amount_minor, currency, entry_mode, outcome, response_code, tvr, tsi, card_token, type, auth_code, merchant_id)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 'CNY', 'chip', 'approved', '00', '0000000000', 'E800', $8, 'sale', $9, $10) ON CONFLICT DO NOTHING`,
        [orgId, terminal.id, p.msg, p.at, p.stan, p.rrn, p.amount, p.card, `A${p.stan.slice(-5)}`, merchant.id],
      );
      await tx.query(
        `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, card_token, stan, rrn, auth_code, outcome, response_code, origin)
         VALUES ($1, $2, $3, $3, $4, $5, 'sale', $6, 'CNY', 'chip', $7, $8, $9, $10, 'approved', '00', 'jsonl') ON CONFLICT DO NOTHING`,
        [orgId, `demo-host-${p.stan}`, new Date(p.at.getTime() + 900), terminal.id, merchant.id, p.amount, p.card, p.stan, p.rrn, `A${p.stan.slice(-5)}`],
      );
    }
    await tx.query(
      `INSERT INTO txn_findings (org_id, key, code, status, merchant_id, terminal_id, card_token, amount_minor, currency, first_at, last_at, txn_ids, summary_zh, summary_en, action)
       VALUES ($1, 'demo-dispute-dup', 'dup.double_submit', 'open', $2, $3, 'tok_demo_dispute_a', 26800, 'CNY', $4, $5, $6,
         '同一张卡40秒内两笔相同金额 ¥268.00 的消费：第二笔是重复扣款', 'Two sales of ¥268.00 on the same card 40 seconds apart: the second is a duplicate charge', 'refund_duplicate')
       ON CONFLICT DO NOTHING`,
      [orgId, merchant.id, terminal.id, pays[0]!.at, pays[1]!.at, JSON.stringify([`${terminal.id}/demo-dispute-1`, `${terminal.id}/demo-dispute-2`])],
    );
  });
  const ctx = { db, clock: { now: () => now }, log: pino({ level: 'silent' }) } as unknown as AppContext;
  const svc = new DisputeService(ctx);
  const actor = systemActor(orgId, 'acquirer');
  const open = (body: Parameters<DisputeService['create']>[1]) => svc.create(actor, body, 'zh-CN');
  await open({ network: 'unionpay', kind: 'first_chargeback', reasonCode: '4512', caseNumber: 'CUP-2026-0311', amountMinor: 26_800, currency: 'CNY', payment: { rrn: pays[1]!.rrn } });
  await open({ network: 'visa', kind: 'first_chargeback', reasonCode: '10.4', caseNumber: 'VIS-88412', amountMinor: 158_000, currency: 'CNY', payment: { terminal: terminal.tid, stan: '900003', day: localDay(pays[2]!.at) } });
  await open({ network: 'mastercard', kind: 'first_chargeback', reasonCode: '4855', caseNumber: 'MC-55120', amountMinor: 45_900, currency: 'CNY', payment: { rrn: pays[3]!.rrn } });
  await open({ network: 'visa', kind: 'retrieval', reasonCode: '33', caseNumber: 'VIS-RR-2093', amountMinor: 12_000, currency: 'CNY', payment: { rrn: '690000999999' } });
}
