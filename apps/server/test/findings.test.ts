/**
 * Live findings (issue 15): payments that reach the server become findings within seconds, stored once
 * whoever writes them, told to the merchant (duplicate charges, in their language, with what to
 * refund) or to risk analysts (fraud), closed when the refund arrives; and the findings API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FindingNotifications } from '../src/findings/notify.js';
import { FindingsRuntime } from '../src/findings/runtime.js';
import { atOnce } from './concurrent.js';
import { enrol, send, txn } from './device.js';
import { createTestApp, dbKind, type TestApp } from './harness.js';
import { cardTestingBurst, finding, terminalLines } from './riskFactory.js';
import { openDatabase } from '../src/db/client.js';
import { FindingService } from '../src/findings/service.js';
import { shortLinkKey, verifyShortLink } from '../src/notifications/shortLinks.js';
import { TicketService } from '../src/tickets/service.js';
import type { Actor } from '../src/access/actor.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cred: Awaited<ReturnType<typeof enrol>>;
let adminCookie: string;
let merchantCookie: string;
let englishMerchant: { id: string; email: string };
const runtimes: FindingsRuntime[] = [];

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  adminCookie = await t.login(A.admin.email);
  merchantCookie = await t.login(A.merchantUser.email);
  englishMerchant = await t.f.user(A.org.id, 'merchant', { merchantId: A.merchant.id, language: 'en-US' });
  cred = await enrol(t, adminCookie, A.terminal.serialNumber);
}, 120_000);
afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await t?.close();
});

/** A live engine as the worker runs it (catch-up timers off: tests call catchUp themselves). */
async function engine(opts: { feed?: boolean } = {}) {
  const r = new FindingsRuntime(t.ctx, { ...(opts.feed !== false && { feed: t.services.paymentFeed }), notifier: new FindingNotifications(t.ctx), catchUp: false });
  runtimes.push(r);
  await r.start();
  return r;
}
async function stopAll() {
  while (runtimes.length) await runtimes.pop()!.stop();
}
beforeEach(stopAll);

let stanSeq = 100;
const stan = () => String(++stanSeq).padStart(6, '0');
let rrnSeq = 700000000000;
const rrn = () => String(++rrnSeq);

/** An approved chip sale as the terminal sends it. */
const sale = (at: Date, amountMinor: number, card: string, extra: Record<string, unknown> = {}) =>
  txn(at, { type: 'sale', stan: stan(), rrn: rrn(), authCode: 'A1', entryMode: 'chip', outcome: 'approved', responseCode: '00', amountMinor, currency: 'CNY', cardToken: card, ...extra });
const later = (ms: number) => new Date(t.clock.now().getTime() + ms);

const findingRows = (orgId = A.org.id) =>
  t.db.rawTransaction((tx) => tx.query<{ id: string; code: string; status: string; resolved_reason: string | null; amount_minor: string; txn_ids: string[]; notified_at: Date | null; thresholds_version: number | null }>(
    'SELECT id, code, status, resolved_reason, amount_minor, txn_ids, notified_at, thresholds_version FROM txn_findings WHERE org_id = $1 ORDER BY opened_at, id', [orgId],
  ));
const inbox = (userId: string) =>
  t.db.rawTransaction((tx) => tx.query<{ kind: string; title: string; body: string }>('SELECT kind, title, body FROM notifications WHERE user_id = $1 ORDER BY created_at', [userId]));
const mails = (userId: string) =>
  t.db.rawTransaction((tx) => tx.query<{ target: string; payload: { subject: string; text: string } }>("SELECT target, payload FROM deliveries WHERE user_id = $1 AND event = 'finding'", [userId]));

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function clearFindings() {
  await t.db.rawTransaction(async (tx) => {
    await tx.query('DELETE FROM txn_findings');
    await tx.query('DELETE FROM transactions');
    await tx.query('DELETE FROM host_records');
    await tx.query('DELETE FROM notifications');
    await tx.query("DELETE FROM deliveries WHERE event = 'finding'");
  });
}
beforeEach(clearFindings);

describe('the live findings engine', () => {
  it('turns a double submit sent by a terminal into one open finding within 5 s, tells each merchant user once in their language with the amount to refund, and closes it when the refund arrives', async () => {
    const r = await engine();
    const first = sale(later(0), 8_800, 'tok_dup_1');
    const second = sale(later(40_000), 8_800, 'tok_dup_1');
    const sentAt = Date.now();
    expect((await send(t, cred, [first, second])).json()).toMatchObject({ accepted: 2 });
    const [row] = await waitFor(async () => {
      const rows = await findingRows();
      return rows.some((f) => f.status === 'open') ? rows : null;
    }, 5_000);
    const latency = Date.now() - sentAt;
    expect(latency).toBeLessThan(5_000);
    expect(row).toMatchObject({ code: 'dup.double_submit', status: 'open', amount_minor: expect.anything(), txn_ids: [`${A.terminal.id}/${first.msgId}`, `${A.terminal.id}/${second.msgId}`] });
    expect(Number(row!.amount_minor)).toBe(8_800);
    await r.settled();

    // zh-CN for the merchant user who reads Chinese, en-US for the one who reads English; console and e-mail.
    const zh = await inbox(A.merchantUser.id);
    expect(zh).toHaveLength(1);
    expect(zh[0]!.kind).toBe('finding.dup');
    expect(zh[0]!.title).toContain('退还');
    expect(zh[0]!.title).toContain('88.00');
    expect(zh[0]!.body).toContain(`凭证号 ${second.data.stan}`);
    const en = await inbox(englishMerchant.id);
    expect(en[0]!.title).toMatch(/refund .*88\.00/);
    expect(en[0]!.body).toMatch(new RegExp(`Refund this one: .*STAN ${second.data.stan as string}`));
    expect(await mails(englishMerchant.id)).toEqual([{ target: englishMerchant.email, payload: expect.objectContaining({ subject: en[0]!.title }) }]);
    // Staff are not told about a merchant's duplicate charge; the admin's inbox has nothing of it.
    expect(await inbox(A.admin.id)).toEqual([]);

    const refund = txn(later(120_000), { type: 'refund', stan: stan(), rrn: rrn(), originalRrn: second.data.rrn, entryMode: 'chip', outcome: 'approved', amountMinor: 8_800, currency: 'CNY', cardToken: 'tok_dup_1' });
    expect((await send(t, cred, [refund])).json()).toMatchObject({ accepted: 1 });
    await r.settled();
    expect(await findingRows()).toEqual([expect.objectContaining({ id: row!.id, status: 'resolved', resolved_reason: 'explained' })]);
    // The finding now shows the refund against the duplicate, and nothing left to give back.
    const shown = (await t.app.inject({ url: `/api/v1/findings/${row!.id}`, headers: { cookie: merchantCookie } })).json();
    const refunded = shown.payments.find((p: { txnId: string }) => p.txnId === `${A.terminal.id}/${second.msgId}`);
    expect(refunded).toMatchObject({ toRefund: false, undone: [expect.objectContaining({ type: 'refund', amountMinor: 8_800 })] });
    // Closing tells nobody again.
    expect(await inbox(A.merchantUser.id)).toHaveLength(1);
  });

  it("texts the merchant's contact who asked for duplicate charges by SMS, in their language, with the amount and a link to the finding", async () => {
    const asAdmin = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie: adminCookie, 'accept-language': 'en-US' }, ...(payload ? { payload } : {}) });
    const ch = await asAdmin('POST', '/notify-channels', { kind: 'aliyun_sms', name: 'Shop SMS', accessKeyId: 'id', accessKeySecret: 'secret', signName: 'PosCare', endpoint: 'http://127.0.0.1:9/' });
    expect(ch.statusCode).toBe(201);
    const channelId = ch.json().id as string;
    await asAdmin('PUT', `/notify-channels/${channelId}/templates`, [
      { purpose: 'duplicate_charge', language: 'zh-CN', templateCode: 'SMS_DUP_ZH', params: ['amount', 'link', 'phone'] },
      { purpose: 'duplicate_charge', language: 'en-US', templateCode: 'SMS_DUP_EN', params: ['amount', 'link', 'phone'] },
    ]);
    const wants = (await asAdmin('POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Owner', mobile: '13700005555', language: 'en-US', topics: ['duplicate_charge'] })).json();
    const alertsOnly = (await asAdmin('POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Night shift', mobile: '13700006666', language: 'zh-CN', topics: ['alert'] })).json();
    try {
      const r = await engine();
      const card = `tok_sms_${randomUUID().slice(0, 6)}`;
      await send(t, cred, [sale(later(0), 6_600, card), sale(later(20_000), 6_600, card)]);
      await r.settled();
      const [f] = (await findingRows()).filter((x) => x.code === 'dup.double_submit' && x.status === 'open' && Number(x.amount_minor) === 6_600);
      expect(f).toBeDefined();
      const sms = await t.db.rawTransaction((tx) =>
        tx.query<{ target: string; payload: { mobile: string; templateCode: string; params: { name: string; value: string }[] } }>(
          "SELECT target, payload FROM deliveries WHERE channel = 'sms' AND event = 'finding' AND channel_id = $1", [channelId],
        ));
      // The owner (duplicate charges, English) gets one text; the night shift (alerts only) none.
      expect(sms).toHaveLength(1);
      expect(sms[0]!.target).toBe('137****5555');
      expect(sms[0]!.payload.mobile).toBe('13700005555');
      expect(sms[0]!.payload.templateCode).toBe('SMS_DUP_EN');
      const param = Object.fromEntries(sms[0]!.payload.params.map((p) => [p.name, p.value]));
      expect(param.amount).toMatch(/66\.00/);
      // A short link (issue 19) that stands for the finding's page.
      expect(verifyShortLink(shortLinkKey(t.ctx.config)!, param.link!.split('/s/')[1]!)).toEqual({ kind: 'findings', id: f!.id });
    } finally {
      await asAdmin('DELETE', `/merchant-contacts/${wants.id}`);
      await asAdmin('DELETE', `/merchant-contacts/${alertsOnly.id}`);
      await asAdmin('DELETE', `/notify-channels/${channelId}`);
    }
  });

  it('stores one row and tells the merchant once when two workers see the same payments at once, and again after a restart', async () => {
    const [a, b] = await atOnce(2, () => engine());
    const card = `tok_two_${randomUUID().slice(0, 6)}`;
    await send(t, cred, [sale(later(0), 5_000, card), sale(later(30_000), 5_000, card)]);
    await Promise.all([a!.settled(), b!.settled()]);
    await stopAll();
    const restarted = await engine();
    await restarted.settled();
    const rows = await findingRows();
    expect(rows.map((f) => f.code)).toEqual(['dup.double_submit']);
    expect(await inbox(A.merchantUser.id)).toHaveLength(1);
    expect(await inbox(englishMerchant.id)).toHaveLength(1);
  });

  it('finds payments another process ingested, through the catch-up by arrival time, counting each once', async () => {
    const r = await engine({ feed: false });
    const card = `tok_far_${randomUUID().slice(0, 6)}`;
    await send(t, cred, [sale(later(0), 1_200, card), sale(later(20_000), 1_200, card)]);
    expect(await findingRows()).toEqual([]);
    await r.catchUp();
    await r.catchUp(); // the overlap re-reads the same rows: no second finding, no double count
    await r.settled();
    const rows = await findingRows();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.amount_minor)).toBe(1_200);
  });

  it('reads the organization’s newest thresholds, and applies a saved version at once through reloadThresholds', async () => {
    const r = await engine();
    await t.db.rawTransaction((tx) =>
      tx.query(`INSERT INTO txn_threshold_versions (org_id, version, overrides) VALUES ($1, 1, $2)`, [A.org.id, JSON.stringify({ doubleSubmit: { gapMs: 60_000 } })]),
    );
    await r.reloadThresholds(A.org.id);
    const card = `tok_th_${randomUUID().slice(0, 6)}`;
    // Three minutes apart: a double submit by the defaults (10 min), not with a one-minute gap.
    await send(t, cred, [sale(later(0), 3_300, card), sale(later(180_000), 3_300, card)]);
    await r.settled();
    expect(await findingRows()).toEqual([]);
    await send(t, cred, [sale(later(200_000), 3_300, card)]);
    await r.settled();
    expect(await findingRows()).toEqual([expect.objectContaining({ code: 'dup.double_submit', thresholds_version: 1 })]);
    await t.db.rawTransaction((tx) => tx.query('DELETE FROM txn_threshold_versions WHERE org_id = $1', [A.org.id]));
  });

  it('sends fraud findings to the risk analysts’ inbox, not to the merchant', async () => {
    const analyst = await t.f.user(A.org.id, 'risk_analyst', { language: 'en-US' });
    const r = await engine();
    // Card testing: many small attempts with many cards in minutes, most declined.
    const burst = Array.from({ length: 12 }, (_, i) =>
      txn(later(i * 30_000), { type: 'sale', stan: stan(), entryMode: 'manual', outcome: i % 4 === 0 ? 'approved' : 'declined', responseCode: i % 4 === 0 ? '00' : '05', amountMinor: 100, currency: 'CNY', cardToken: `tok_test_${i}_${randomUUID().slice(0, 4)}` }),
    );
    await send(t, cred, burst);
    await r.settled();
    const rows = await findingRows();
    expect(rows.map((f) => f.code)).toContain('risk.card_testing');
    const told = await inbox(analyst.id);
    expect(told.map((n) => n.kind)).toEqual(['finding.risk']);
    expect(told[0]!.title).toContain('Fraud finding');
    expect(await inbox(A.merchantUser.id)).toEqual([]);
    expect(await mails(analyst.id)).toEqual([]);
  });
});

describe('the findings API', () => {
  let dupId: string;
  let riskId: string;
  let dupSale: ReturnType<typeof sale>;
  beforeEach(async () => {
    const r = await engine();
    const card = `tok_api_${randomUUID().slice(0, 6)}`;
    const first = sale(later(0), 6_600, card);
    dupSale = sale(later(60_000), 6_600, card);
    await send(t, cred, [first, dupSale]);
    // The host's line of the duplicate: the other side of the payment.
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, card_token, stan, rrn, auth_code, outcome, response_code, origin)
         VALUES ($1, $2, $3, $3, $4, $5, 'sale', 6600, 'CNY', 'chip', $6, $7, $8, 'A1', 'approved', '00', 'api')`,
        [A.org.id, `H-${randomUUID()}`, later(61_000), A.terminal.id, A.merchant.id, card, dupSale.data.stan, dupSale.data.rrn],
      ),
    );
    await r.settled();
    dupId = (await findingRows()).find((f) => f.code === 'dup.double_submit')!.id;
    riskId = randomUUID();
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO txn_findings (id, org_id, key, code, merchant_id, terminal_id, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
         VALUES ($1, $2, $3, 'risk.off_hours', $4, $5, 90000, $6, $6, '[]', '非营业时段', 'Off hours', 'call_merchant')`,
        [riskId, A.org.id, `risk.off_hours|${riskId}`, A.merchant.id, A.terminal.id, later(0)],
      ),
    );
  });
  const get = (url: string, cookie: string) => t.app.inject({ url: `/api/v1${url}`, headers: { cookie, 'accept-language': 'en-US' } });

  it('lists every kind to staff with filters, and only their own duplicate charges to the merchant', async () => {
    const staff = (await get('/findings?status=all', adminCookie)).json();
    expect(staff.items.map((f: { code: string }) => f.code).sort()).toEqual(['dup.double_submit', 'risk.off_hours']);
    expect((await get('/findings?kind=risk', adminCookie)).json().items.map((f: { id: string }) => f.id)).toEqual([riskId]);
    expect((await get(`/findings?terminalId=${A.terminal.id}&code=dup.double_submit`, adminCookie)).json().total).toBe(1);
    const mine = (await get('/findings', merchantCookie)).json();
    expect(mine.items).toEqual([expect.objectContaining({ id: dupId, refund: { txnIds: [`${A.terminal.id}/${dupSale.msgId}`], amountMinor: 6_600 } })]);
    expect((await get('/findings?kind=risk', merchantCookie)).json()).toEqual({ items: [], total: 0 });
    expect((await get(`/findings/${riskId}`, merchantCookie)).statusCode).toBe(404);
    const other = await t.f.merchant(A.org.id);
    const otherUser = await t.f.user(A.org.id, 'merchant', { merchantId: other.id });
    const otherCookie = await t.login(otherUser.email);
    expect((await get('/findings', otherCookie)).json().total).toBe(0);
    expect((await get(`/findings/${dupId}`, otherCookie)).statusCode).toBe(404);
  });

  it('shows a finding with each payment from both sides and which one to refund', async () => {
    const d = (await get(`/findings/${dupId}`, merchantCookie)).json();
    expect(d.payments).toHaveLength(2);
    const dup = d.payments.find((p: { toRefund: boolean }) => p.toRefund);
    expect(dup.terminal).toMatchObject({ source: 'terminal', stan: dupSale.data.stan, rrn: dupSale.data.rrn, amountMinor: 6_600, outcome: 'approved' });
    expect(dup.host).toMatchObject({ source: 'host', stan: dupSale.data.stan, outcome: 'approved' });
    expect(d.payments.filter((p: { toRefund: boolean }) => !p.toRefund)[0].host).toBeNull();
  });

  it('opens one ticket when the merchant asks for help, however often they ask', async () => {
    const ask = () => t.app.inject({ method: 'POST', url: `/api/v1/findings/${dupId}/ask-for-help`, headers: { cookie: merchantCookie, 'accept-language': 'en-US' }, payload: { message: 'The customer called' } });
    const [a, b] = await atOnce(2, ask);
    expect(a!.statusCode).toBe(200);
    expect(b!.json().ticketId).toBe(a!.json().ticketId);
    const again = (await ask()).json();
    expect(again).toMatchObject({ ticketId: a!.json().ticketId, created: false });
    const ticket = (await get(`/tickets/${again.ticketId}`, adminCookie)).json();
    expect(ticket.merchantId).toBe(A.merchant.id);
    expect(ticket.description).toContain('The customer called');
    // The payments are listed with local times, not UTC instants; the summary names the terminal, not its id.
    expect(ticket.description).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(ticket.description).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} · /);
    expect(ticket.description).not.toContain(A.terminal.id);
    expect((await get(`/findings/${dupId}`, merchantCookie)).json()).toMatchObject({ ticketId: again.ticketId, ticketNumber: ticket.number });
    const staffAsk = await t.app.inject({ method: 'POST', url: `/api/v1/findings/${dupId}/ask-for-help`, headers: { cookie: adminCookie }, payload: {} });
    expect(staffAsk.statusCode).toBe(403);
  });

  it('answers "was this customer charged twice?" by time and amount on the merchant’s own terminals', async () => {
    const at = later(30_000).toISOString();
    const yes = (await get(`/payments/charged-twice?at=${encodeURIComponent(at)}&amountMinor=6600`, merchantCookie)).json();
    expect(yes.verdict).toBe('yes');
    expect(yes.findings.map((f: { id: string }) => f.id)).toEqual([dupId]);
    expect(yes.payments.filter((p: { toRefund: boolean }) => p.toRefund)).toHaveLength(1);
    const no = (await get(`/payments/charged-twice?at=${encodeURIComponent(at)}&amountMinor=6601`, merchantCookie)).json();
    expect(no).toMatchObject({ verdict: 'no', payments: [], findings: [] });
    const other = await t.tenant();
    expect((await get(`/payments/charged-twice?at=${encodeURIComponent(at)}&amountMinor=6600&terminalId=${other.terminal.id}`, merchantCookie)).statusCode).toBe(404);
  });
});

describe.runIf(dbKind === 'postgres')('asking for help from two processes at once', () => {
  it('opens one ticket for a duplicate charge when two app processes ask at the same moment', async () => {
    const at = new Date(t.clock.now().getTime() - 3_600_000);
    const ids = await terminalLines(t, A.org.id, A.terminal, [
      { at, cardToken: 'tok_help_twice', amountMinor: 4_200, entryMode: 'chip' },
      { at: new Date(at.getTime() + 60_000), cardToken: 'tok_help_twice', amountMinor: 4_200, entryMode: 'chip' },
    ]);
    const id = await finding(t, A.org.id, { code: 'dup.double_submit', txnIds: ids, merchantId: A.merchant.id, terminalId: A.terminal.id, cardToken: 'tok_help_twice', at, amountMinor: 4_200 });
    // The other process: its own pool, its own services (and so its own in-process sharing of asks).
    const otherDb = await openDatabase({ dataDir: 'memory://', databaseUrl: t.databaseUrl });
    try {
      const ctx2 = { ...t.ctx, db: otherDb };
      const processes = [t.services.findings, new FindingService(ctx2, new TicketService(ctx2))];
      const merchant: Actor = { userId: A.merchantUser.id, name: 'Merchant', orgId: A.org.id, merchantId: A.merchant.id, role: 'merchant', platformAdmin: false, language: 'en-US', via: 'session' };
      const tickets = () => t.db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE org_id = $1 AND merchant_id = $2`, [A.org.id, A.merchant.id]));
      const before = (await tickets())[0]!.n;
      const answers = await atOnce(4, (i) => processes[i % 2]!.askForHelp(merchant, id, `ask ${i}`, 'en-US'));
      expect(new Set(answers.map((a) => a.ticketId)).size).toBe(1);
      expect(answers.filter((a) => a.created)).toHaveLength(1);
      expect((await tickets())[0]!.n).toBe(before + 1);
      const detail = await t.app.inject({ url: `/api/v1/findings/${id}`, headers: { cookie: merchantCookie } });
      expect(detail.json().ticketId).toBe(answers[0]!.ticketId);
    } finally {
      await otherDb.close();
    }
  });
});

describe('findings raised under older thresholds', () => {
  it('stay open marked with their version; a re-evaluation under a new version closes the fraud findings it no longer finds, with a note', async () => {
    const C = await t.tenant();
    const r = await engine({ feed: false });
    const at = new Date(t.clock.now().getTime() - 2 * 3_600_000);
    await terminalLines(t, C.org.id, C.terminal, cardTestingBurst(at, 'tok_thv'));
    // A double submit three minutes apart, found by the defaults (10 minutes).
    await terminalLines(t, C.org.id, C.terminal, [
      { at: new Date(at.getTime() + 3_600_000), cardToken: 'tok_thv_dup', amountMinor: 3_300, entryMode: 'chip' },
      { at: new Date(at.getTime() + 3_600_000 + 180_000), cardToken: 'tok_thv_dup', amountMinor: 3_300, entryMode: 'chip' },
    ]);
    await r.reloadThresholds(C.org.id);
    await r.settled();
    const byCode = async () => new Map((await findingRows(C.org.id)).map((f) => [f.code, f]));
    expect([...(await byCode()).values()].map((f) => [f.code, f.status, f.thresholds_version])).toEqual(
      expect.arrayContaining([
        ['risk.card_testing', 'open', null],
        ['dup.double_submit', 'open', null],
      ]),
    );
    const version = (v: number, overrides: object) =>
      t.db.rawTransaction((tx) => tx.query(`INSERT INTO txn_threshold_versions (org_id, version, overrides) VALUES ($1, $2, $3)`, [C.org.id, v, JSON.stringify(overrides)]));

    // Version 1 changes something else: both still hold and keep the version they came from.
    await version(1, { fallbackAbuse: { minCards: 4 } });
    await r.reloadThresholds(C.org.id);
    await r.settled();
    let now = await byCode();
    expect(now.get('risk.card_testing')).toMatchObject({ status: 'open', thresholds_version: null });
    expect(now.get('dup.double_submit')).toMatchObject({ status: 'open', thresholds_version: null });

    // Version 2: card testing needs 20 attempts, a double submit a one-minute gap. Neither is found any more.
    await version(2, { cardTesting: { minAttempts: 20 }, doubleSubmit: { gapMs: 60_000 } });
    await r.reloadThresholds(C.org.id);
    await r.settled();
    now = await byCode();
    const ct = now.get('risk.card_testing')!;
    expect(ct).toMatchObject({ status: 'resolved', resolved_reason: 'thresholds_changed', thresholds_version: null });
    // The customer was still charged twice: a duplicate charge waits for its refund whatever the thresholds say.
    expect(now.get('dup.double_submit')).toMatchObject({ status: 'open', thresholds_version: null });
    const notes = await t.db.rawTransaction((tx) => tx.query<{ body: string; author_name: string }>('SELECT body, author_name FROM txn_finding_notes WHERE finding_id = $1', [ct.id]));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('按阈值版本 2 重新评估');
    expect(notes[0]!.body).toContain('Re-evaluated under thresholds version 2: no longer a finding (raised under version 0)');
    // The analyst sees why on the case page.
    const analyst = await t.f.user(C.org.id, 'risk_analyst');
    const c = await t.login(analyst.email);
    const page = (await t.app.inject({ url: `/api/v1/risk/cases/${ct.id}`, headers: { cookie: c, 'accept-language': 'en-US' } })).json();
    expect(page).toMatchObject({ status: 'resolved', resolvedReason: 'thresholds_changed', thresholdsVersion: null });
    expect(page.notes.map((n: { body: string }) => n.body).join()).toContain('closed automatically');
    // Saving again (version 3) does not touch what is closed, nor note it twice.
    await version(3, { cardTesting: { minAttempts: 20 }, doubleSubmit: { gapMs: 60_000 }, fallbackAbuse: { minCards: 5 } });
    await r.reloadThresholds(C.org.id);
    await r.settled();
    expect(await t.db.rawTransaction((tx) => tx.query('SELECT id FROM txn_finding_notes WHERE finding_id = $1', [ct.id]))).toHaveLength(1);
  });
});
