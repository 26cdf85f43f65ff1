/**
 * The demo fleet's payments: typed lines with STANs from the terminals, the host's side written for
 * the same payments with a few gaps and mismatches, and the staged patterns of txn-findings.json that
 * the findings engine finds in them; after the demo's history no card number is anywhere in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringHasCardData, type PaymentList, type Reconciliation } from '@poscare/contracts';
import { analyze } from '@poscare/txn';
import { ALL_TABLES } from '../src/db/schema.js';
import { demoFleet, startLiveDemo, type LiveDemo } from '../src/demo/live.js';
import { seedDemo } from '../src/demo/seed.js';
import { loadRecords } from '../src/payments/records.js';
import { todayIn } from '../src/payments/service.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let live: LiveDemo;
let orgId: string;
let admin: string;
const fleet = () => demoFleet(t.clock.now(), 40);

beforeAll(async () => {
  t = await createTestApp();
  const org = await t.f.org();
  orgId = org.id;
  const user = await t.f.user(org.id, 'admin');
  admin = await t.login(user.email);
  const f = fleet();
  await seedDemo(t.db, f, t.clock.now());
  live = await startLiveDemo({ fleet: f, orgId, pipeline: t.services.pipeline, clock: t.clock, log: t.ctx.log, tickMs: 3_600_000, payments: { db: t.db, feed: t.services.paymentFeed } });
  await t.services.pipeline.flush();
  // The host side is written a moment after the terminals' lines.
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await t.services.pipeline.flush();
    const [n] = await t.db.rawTransaction((tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM host_records WHERE id LIKE 'demo:%demo-pay-%'`));
    if (Number(n!.n) >= 10) break;
  }
  await new Promise((r) => setTimeout(r, 2_500));
}, 300_000);
afterAll(async () => {
  live?.stop();
  await t?.close();
});

const get = async <T>(url: string) => {
  const r = await t.app.inject({ url: `/api/v1${url}`, headers: { cookie: admin, 'accept-language': 'en-US' } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
};

describe('payments in the demo fleet', () => {
  it('sends typed payment lines with STANs, and the host side follows with a few gaps and mismatches', async () => {
    const [typed] = await t.db.rawTransaction((tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE org_id = $1 AND type = 'sale' AND stan IS NOT NULL`, [orgId]));
    expect(Number(typed!.n)).toBeGreaterThan(100);
    const list = await get<PaymentList>('/payments?pageSize=1');
    const statuses = await get<{ byStatus: { status: string; count: number }[] }>('/payments/stats');
    const count = Object.fromEntries(statuses.byStatus.map((s) => [s.status, s.count]));
    expect(list.total).toBeGreaterThan(100);
    expect(count.matched).toBeGreaterThan(count.terminal_only ?? 0);
    expect((count.outcome_differs ?? 0) + (count.amount_differs ?? 0) + (count.host_only ?? 0)).toBeGreaterThan(0);
    // A sale that timed out on the terminal while the host approved it is staged at once (not left to chance).
    expect(count.outcome_differs ?? 0).toBeGreaterThan(0);
    const recon = await get<Reconciliation>(`/reconciliation?day=${todayIn(t.clock.now())}`);
    expect(recon.rows.length).toBeGreaterThan(5);
    expect(recon.rows.some((r) => !r.balanced)).toBe(true);
  });

  it('stages a double submit at the demo merchant and a card-testing burst that the findings engine finds, but not their look-alikes', async () => {
    const now = t.clock.now();
    const records = await t.db.rawTransaction((tx) => loadRecords(tx, orgId, new Date(now.getTime() - 3 * 3_600_000), new Date(now.getTime() + 60_000)));
    const found = analyze(records);
    const demoMerchant = fleet().merchants[0]!.id;
    const dup = found.filter((f) => f.code === 'dup.double_submit' && f.cardToken?.startsWith('tok_demo_dup'));
    expect(dup).toHaveLength(1);
    expect(dup[0]!.merchantId).toBe(demoMerchant);
    expect(found.filter((f) => f.code === 'risk.card_testing' && f.merchantId === fleet().merchants[1]!.id)).toHaveLength(1);
    expect(found.filter((f) => f.code === 'dup.timeout_retry' && f.cardToken?.startsWith('tok_demo_retry'))).toHaveLength(1);
    // The look-alikes: a regular customer 40 minutes apart, a café's busy minute.
    expect(found.some((f) => f.cardToken?.includes('_regular'))).toBe(false);
    expect(found.some((f) => f.code === 'risk.card_testing' && f.merchantId === fleet().merchants[2]!.id)).toBe(false);
  });

  it('stages an off-hours sale behind a week of daytime trading, and a hotel night sale that is not one', async () => {
    const now = t.clock.now();
    const records = await t.db.rawTransaction((tx) => loadRecords(tx, orgId, new Date(now.getTime() - 10 * 86_400_000), new Date(now.getTime() + 60_000)));
    const offHours = analyze(records).filter((f) => f.code === 'risk.off_hours');
    const staged = offHours.filter((f) => f.cardToken?.startsWith('tok_demo_off'));
    expect(staged).toHaveLength(1);
    expect(staged[0]!.amountMinor).toBe(38_800);
    // 03:20 in the reporting time zone (UTC+8).
    expect(new Date(Date.parse(staged[0]!.firstAt) + 8 * 3_600_000).toISOString().slice(11, 16)).toBe('03:20');
    expect(offHours.some((f) => f.cardToken?.startsWith('tok_demo_hotel'))).toBe(false);
  });

  it('leaves no card number anywhere in the database', async () => {
    for (const table of Object.keys(ALL_TABLES)) {
      const rows = await t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>(`SELECT * FROM ${table}`));
      for (const row of rows) for (const v of Object.values(row)) if (typeof v === 'string' || (v && typeof v === 'object')) expect(stringHasCardData(typeof v === 'string' ? v : JSON.stringify(v)), table).toBe(false);
    }
  });
});
