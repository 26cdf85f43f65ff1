/**
 * Disputes (issue 17): opened against a payment found by RRN, terminal + STAN + day, or amount + time
 * + card token; the evidence pack and its checklist; the merchant's answers; reminders, escalation
 * and expiry on the injected clock; guarded moves; the PDF in the dispute's language.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortLinkKey, verifyShortLink } from '../src/notifications/shortLinks.js';
import { PHOTO_LIMIT, checkPhoto } from '../src/disputes/pdf.js';
import { runDisputePass } from '../src/disputes/schedule.js';
import { atOnce } from './concurrent.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let agent: string;
let agent2: string;
let merchant: string;
let otherMerchant: string;
let tid: string;
let seq = 0;

const OPENED = new Date('2026-03-02T09:00:00+08:00');
const as = (cookie: string, lang = 'en-US') => ({ cookie, 'accept-language': lang });
const post = (url: string, cookie: string, payload: object, lang = 'en-US') => t.app.inject({ method: 'POST', url, headers: as(cookie, lang), payload });
const get = (url: string, cookie: string, lang = 'en-US') => t.app.inject({ url, headers: as(cookie, lang) });

/** A chip sale, PIN verified, approved by the host with an auth code: the terminal's line and the host's record. */
async function payment(opts: { amountMinor?: number; card?: string; at?: Date; terminalId?: string; merchantId?: string; hostToo?: boolean } = {}) {
  const n = ++seq;
  const at = opts.at ?? new Date('2026-02-27T14:05:00+08:00');
  const stan = String(100 + n).padStart(6, '0');
  const rrn = `60${String(n).padStart(10, '0')}`;
  const card = opts.card ?? `tok_card_${n}`;
  const terminalId = opts.terminalId ?? A.terminal.id;
  const merchantId = opts.merchantId ?? A.merchant.id;
  await t.db.rawTransaction(async (tx) => {
    await tx.query(
      `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, rrn, amount_minor, currency, entry_mode, outcome, response_code, tvr, tsi, card_token, type, auth_code, merchant_id)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 'CNY', 'chip', 'approved', '00', '0000000000', 'E800', $8, 'sale', 'A1B2C3', $9)`,
      [A.org.id, terminalId, `pay-${n}`, at, stan, rrn, opts.amountMinor ?? 8800, card, merchantId],
    );
    if (opts.hostToo !== false) {
      await tx.query(
        `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, card_token, stan, rrn, auth_code, outcome, response_code, origin)
         VALUES ($1, $2, $3, $3, $4, $5, 'sale', $6, 'CNY', 'chip', $7, $8, $9, 'A1B2C3', 'approved', '00', 'jsonl')`,
        [A.org.id, `host-${n}`, new Date(at.getTime() + 800), terminalId, merchantId, opts.amountMinor ?? 8800, card, stan, rrn],
      );
    }
    await tx.query(`INSERT INTO telemetry_raw (org_id, terminal_id, msg_id, at, received_at, data) VALUES ($1, $2, $3, $4, $4, $5)`, [
      A.org.id, terminalId, `tel-${n}`, new Date(at.getTime() - 5 * 60_000),
      JSON.stringify({ battery: { pct: 80 }, network: { type: 'wifi', connected: true }, reader: { chip: { attempts: 20, failures: 0 } }, printer: { status: 'ok' } }),
    ]);
  });
  return { stan, rrn, card, at, terminalId, recordId: `${terminalId}/pay-${n}` };
}

const chargeback = (over: Record<string, unknown> = {}) => ({
  network: 'visa',
  kind: 'first_chargeback',
  reasonCode: '10.4',
  caseNumber: `CB-${++seq}`,
  amountMinor: 8800,
  language: 'en-US',
  ...over,
});

/** Signs everybody in again: sessions expire while the test clock jumps days ahead. */
async function signIn() {
  agent = await t.login(agentUser.email);
  agent2 = await t.login(agent2User.email);
  merchant = await t.login(A.merchantUser.email);
}
let agentUser: { email: string };
let agent2User: { email: string };

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(OPENED);
  A = await t.tenant();
  tid = `T${Date.now().toString(36).slice(-6)}`;
  await t.db.rawTransaction((tx) => tx.query(`UPDATE terminals SET tid = $2 WHERE id = $1`, [A.terminal.id, tid]));
  agentUser = await t.f.user(A.org.id, 'agent');
  agent2User = await t.f.user(A.org.id, 'agent');
  await signIn();
  const m2 = await t.f.merchant(A.org.id);
  otherMerchant = await t.login((await t.f.user(A.org.id, 'merchant', { merchantId: m2.id })).email);
});
afterAll(() => t?.close());

describe('opening a dispute finds its payment', () => {
  it('by RRN: needs a response, deadline 10 business days later, and the evidence pack holds both sides, the card read in words and the receipt', async () => {
    const p = await payment();
    const res = await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }));
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json();
    expect(d).toMatchObject({ status: 'needs_response', matchedBy: 'rrn', stan: p.stan, terminalId: A.terminal.id, merchantId: A.merchant.id, group: 'fraud' });
    expect(d.reasonText).toBe('10.4 Other fraud – card-absent environment');
    expect(d.dueAt).toBe(new Date('2026-03-16T18:00:00+08:00').toISOString());
    expect(d.businessDaysLeft).toBe(10);
    expect(d.pack.lines.map((l: { source: string }) => l.source).sort()).toEqual(['host', 'terminal']);
    expect(d.pack.entryMode).toBe('Chip inserted');
    expect(d.pack.tsi).toContain('Cardholder verification was performed');
    expect(d.pack.tvr).toEqual(['No exceptions: every terminal check passed']);
    expect(d.pack.receipt).toContain('Auth code: A1B2C3');
    expect(d.pack.receipt.join('\n')).toContain(tid);
    expect(d.pack.health).toHaveLength(1);
    // A PIN-verified chip payment with both sides on record: nothing for the merchant to add.
    expect(d.checklist.filter((c: { present: boolean }) => !c.present)).toEqual([]);
    expect(d.timeline[0].text).toBe('Dispute opened, payment found by RRN; evidence pack assembled');
    // A reader of the other language sees the pack in theirs; the stored pack (and the PDF) stays in the dispute's.
    const zh = (await get(`/api/v1/disputes/${d.id}`, agent, 'zh-CN')).json();
    expect(zh.pack.entryMode).toBe('插卡（芯片）');
    expect(zh.pack.assembledAt).toBe(d.pack.assembledAt);
  });

  it('by terminal (its TID), STAN and day, and by amount, time and card token', async () => {
    const p1 = await payment();
    const byStan = await post('/api/v1/disputes', agent, chargeback({ payment: { terminal: tid, stan: p1.stan, day: '2026-02-27' } }));
    expect(byStan.json()).toMatchObject({ status: 'needs_response', matchedBy: 'terminal_stan_date', rrn: p1.rrn });
    const p2 = await payment({ amountMinor: 12_345, card: 'tok_cardholder_x' });
    const byCard = await post('/api/v1/disputes', agent, chargeback({ amountMinor: 12_345, payment: { amountMinor: 12_345, at: new Date(p2.at.getTime() + 4 * 60_000).toISOString(), cardToken: 'tok_cardholder_x' } }));
    expect(byCard.json()).toMatchObject({ status: 'needs_response', matchedBy: 'amount_time_card', stan: p2.stan });
  });

  it('unmatched disputes wait in a list with the reason, and merchants do not see them', async () => {
    const none = await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: '999999999999' } }));
    expect(none.json()).toMatchObject({ status: 'unmatched', unmatchedReason: 'no_payment', merchantId: null, pack: null });
    expect(none.json().todo).toBe('No payment found (no payment has these references): check the references with the acquirer.');
    const unknown = await post('/api/v1/disputes', agent, chargeback({ payment: { terminal: 'NO-SUCH-TID', stan: '1', day: '2026-02-27' } }));
    expect(unknown.json()).toMatchObject({ status: 'unmatched', unmatchedReason: 'unknown_terminal' });
    // Two payments of the same card and amount within the window: not guessed.
    const at = new Date('2026-02-26T12:00:00+08:00');
    await payment({ card: 'tok_twice', amountMinor: 500, at });
    await payment({ card: 'tok_twice', amountMinor: 500, at: new Date(at.getTime() + 60_000) });
    const ambiguous = await post('/api/v1/disputes', agent, chargeback({ amountMinor: 500, payment: { amountMinor: 500, at: at.toISOString(), cardToken: 'tok_twice' } }));
    expect(ambiguous.json()).toMatchObject({ status: 'unmatched', unmatchedReason: 'ambiguous' });

    const list = (await get('/api/v1/disputes?status=unmatched', agent)).json();
    expect(list.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([none.json().id, unknown.json().id, ambiguous.json().id]));
    const mine = (await get('/api/v1/disputes?status=all', merchant)).json();
    expect(mine.items.every((r: { merchantId: string }) => r.merchantId === A.merchant.id)).toBe(true);
    expect((await get(`/api/v1/disputes/${none.json().id}`, merchant)).statusCode).toBe(404);
  });

  it('an agent matches an unmatched dispute by hand once the acquirer corrects the references', async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: '123123123123' } }))).json();
    const still = await post(`/api/v1/disputes/${d.id}/match`, agent, { payment: { rrn: '321321321321' } });
    expect(still.statusCode).toBe(400);
    expect(still.json().error.message).toBe('These references still name no single payment: no payment has these references.');
    expect((await post(`/api/v1/disputes/${d.id}/match`, merchant, { payment: { rrn: p.rrn } })).statusCode).toBe(403);
    const matched = (await post(`/api/v1/disputes/${d.id}/match`, agent, { payment: { terminal: tid, stan: p.stan, day: '2026-02-27' } })).json();
    expect(matched).toMatchObject({ status: 'needs_response', matchedBy: 'manual', merchantId: A.merchant.id, stan: p.stan });
    expect(matched.pack.lines).toHaveLength(2);
    expect(matched.timeline.map((e: { text: string }) => e.text)).toContain('Payment matched by hand (found by terminal, STAN and day); evidence pack assembled');
    expect((await get(`/api/v1/disputes/${d.id}`, merchant)).statusCode).toBe(200);
    expect((await post(`/api/v1/disputes/${d.id}/match`, agent, { payment: { rrn: p.rrn } })).statusCode).toBe(409);
  });

  it("never matches another organization's payment", async () => {
    const B = await t.tenant();
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, stan, rrn, outcome, origin)
         VALUES ($1, 'b-1', $2, $2, $3, $4, 'sale', 8800, 'CNY', 'chip', '000001', '555000000555', 'approved', 'jsonl')`,
        [B.org.id, new Date('2026-02-27T10:00:00+08:00'), B.terminal.id, B.merchant.id],
      ),
    );
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: '555000000555' } }))).json();
    expect(d).toMatchObject({ status: 'unmatched', unmatchedReason: 'no_payment', terminalId: null });
    const byTerminal = (await post('/api/v1/disputes', agent, chargeback({ payment: { terminal: B.terminal.id, stan: '1', day: '2026-02-27' } }))).json();
    expect(byTerminal).toMatchObject({ status: 'unmatched', unmatchedReason: 'unknown_terminal' });
  });

  it('refuses a case already here, an unknown reason code, and references that name no payment', async () => {
    const p = await payment();
    const body = chargeback({ payment: { rrn: p.rrn } });
    expect((await post('/api/v1/disputes', agent, body)).statusCode).toBe(201);
    const again = await post('/api/v1/disputes', agent, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.id).toBe('dispute.exists');
    expect((await post('/api/v1/disputes', agent, chargeback({ reasonCode: '99.9', payment: { rrn: p.rrn } }))).statusCode).toBe(400);
    expect((await post('/api/v1/disputes', agent, chargeback({ payment: { stan: '123' } }))).statusCode).toBe(400);
    expect((await post('/api/v1/disputes', merchant, chargeback({ payment: { rrn: p.rrn } }))).statusCode).toBe(403);
  });
});

describe('links to findings', () => {
  it('a chargeback on a payment with a duplicate-charge finding says so and proposes to accept', async () => {
    const p = await payment();
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO txn_findings (org_id, key, code, merchant_id, terminal_id, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
         VALUES ($1, $2, 'dup.double_submit', $3, $4, 8800, $5, $5, $6, '同一笔消费扣款两次', 'The same sale was charged twice', 'refund_duplicate')`,
        [A.org.id, `dup|${p.stan}`, A.merchant.id, A.terminal.id, p.at, JSON.stringify([p.recordId, `${A.terminal.id}/other`])],
      ),
    );
    const d = (await post('/api/v1/disputes', agent, chargeback({ network: 'unionpay', reasonCode: '4512', payment: { rrn: p.rrn } }))).json();
    expect(d.duplicateFindingId).not.toBeNull();
    expect(d.pack.duplicateFinding.summary).toBe('The same sale was charged twice');
    expect(d.todo).toMatch(/^The customer was charged twice for this: accept the dispute/);
  });

  it("a fraud finding on the card is part of the evidence", async () => {
    const p = await payment({ card: 'tok_tested_card' });
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO txn_findings (org_id, key, code, terminal_id, card_token, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
         VALUES ($1, 'risk.card_velocity|x', 'risk.card_velocity', $2, 'tok_tested_card', 8800, $3, $3, '[]', '卡片短时间内多次交易', 'The card paid many times in a short while', 'review')`,
        [A.org.id, A.terminal.id, p.at],
      ),
    );
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    expect(d.pack.fraudFindings.map((f: { summary: string }) => f.summary)).toEqual(['The card paid many times in a short while']);
  });
});

describe("the merchant's answer", () => {
  it('a "goods not received" chargeback lists the delivery note as missing until the merchant adds it from the phone, then is submitted and won', async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ network: 'mastercard', reasonCode: '4855', payment: { rrn: p.rrn } }), 'zh-CN')).json();
    const mine = (await get(`/api/v1/disputes/${d.id}`, merchant)).json();
    expect(mine.checklist.filter((c: { present: boolean }) => !c.present).map((c: { item: string }) => c.item)).toEqual(['delivery_proof', 'merchant_statement']);
    expect(mine.todo).toContain('Add Delivery note or proof the service was given, The merchant');
    expect((await get(`/api/v1/disputes/${d.id}`, otherMerchant)).statusCode).toBe(404);
    const listed = (await get('/api/v1/disputes', merchant)).json().items.find((r: { id: string }) => r.id === d.id);
    expect(listed.todo).toBe(mine.todo);

    const jpeg = multipartFile('note.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256)]));
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos?item=delivery_proof&caption=signed`, headers: { ...as(merchant), ...jpeg.headers }, payload: jpeg.payload });
    expect(up.statusCode, up.body).toBe(201);
    const text = await post(`/api/v1/disputes/${d.id}/evidence`, merchant, { item: 'merchant_statement', body: 'Delivered on 27 Feb, signed by the customer.' });
    expect(text.json().checklist.every((c: { present: boolean }) => c.present)).toBe(true);
    const photoId = text.json().evidence.find((e: { kind: string }) => e.kind === 'photo').id;
    expect((await get(`/api/v1/dispute-evidence/${photoId}`, merchant)).headers['content-type']).toBe('image/jpeg');
    expect((await get(`/api/v1/dispute-evidence/${photoId}`, otherMerchant)).statusCode).toBe(404);
    const card = await post(`/api/v1/disputes/${d.id}/evidence`, merchant, { body: 'card 4111 1111 1111 1111' });
    expect(card.statusCode).toBe(400);

    const submitted = await post(`/api/v1/disputes/${d.id}/transition`, merchant, { to: 'evidence_submitted' });
    expect(submitted.json().status).toBe('evidence_submitted');
    expect((await post(`/api/v1/disputes/${d.id}/transition`, merchant, { to: 'won' })).statusCode).toBe(403);
    const won = await post(`/api/v1/disputes/${d.id}/transition`, agent, { to: 'won', note: 'Acquirer ruled for the merchant' });
    expect(won.json()).toMatchObject({ status: 'won', todo: 'Won: the money stays with the merchant.' });
    expect(won.json().timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'evidence', 'evidence', 'status', 'status']);
  });

  it('a photo that is not an image is refused', async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    const txt = multipartFile('x.jpg', Buffer.from('not an image at all'));
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos`, headers: { ...as(merchant), ...txt.headers }, payload: txt.payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('dispute.photo_type');
  });
});

describe('deadline: reminders, escalation, expiry on the injected clock', () => {
  it('reminds merchant and agents at 5 and 2 business days left, once each; escalates when nobody acted; expires at the deadline', async () => {
    t.clock.set(OPENED);
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    const inbox = async (kind: string) =>
      (await t.db.rawTransaction((tx) => tx.query<{ user_id: string }>(`SELECT user_id FROM notifications WHERE kind = $1 AND title LIKE $2`, [kind, `%${d.caseNumber}%`]))).map((r) => r.user_id);
    expect(await inbox('dispute.opened')).toEqual([A.merchantUser.id]);

    t.clock.set(new Date('2026-03-09T08:59:00+08:00'));
    await runDisputePass(t.ctx);
    expect(await inbox('dispute.reminder')).toEqual([]);
    t.clock.set(new Date('2026-03-09T09:00:00+08:00'));
    await runDisputePass(t.ctx);
    await runDisputePass(t.ctx);
    const first = await inbox('dispute.reminder');
    expect(first).toContain(A.merchantUser.id);
    expect(first).toHaveLength(3); // the merchant and the two agents, once

    // The pass did not run for days: at 1 day left the 2-day reminder and the escalation come due together.
    t.clock.set(new Date('2026-03-13T10:00:00+08:00'));
    await runDisputePass(t.ctx);
    expect(await inbox('dispute.reminder')).toHaveLength(6);
    const escalated = await inbox('dispute.escalated');
    expect(escalated).not.toContain(A.merchantUser.id);
    expect(escalated).toContain(A.admin.id);

    t.clock.set(new Date('2026-03-16T18:00:01+08:00'));
    expect((await runDisputePass(t.ctx)).expired).toBeGreaterThanOrEqual(1);
    await signIn();
    const after = (await get(`/api/v1/disputes/${d.id}`, merchant)).json();
    expect(after.status).toBe('expired');
    expect(after.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'reminder', 'reminder', 'escalated', 'expired']);
    const late = await post(`/api/v1/disputes/${d.id}/transition`, merchant, { to: 'accepted' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.id).toBe('dispute.changed_meanwhile');
    t.clock.set(OPENED);
    await signIn();
  });

  it("texts the merchant's contact who asked for dispute deadlines at each reminder, and tells the ops group robot on escalation", async () => {
    t.clock.set(OPENED);
    await signIn();
    const admin = await t.login(A.admin.email);
    const asAdmin = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: as(admin), ...(payload ? { payload } : {}) });
    const smsCh = (await asAdmin('POST', '/notify-channels', { kind: 'tencent_sms', name: 'SMS', accessKeyId: 'AKIDx', accessKeySecret: 'tc-key', signName: 'PosCare', smsSdkAppId: '1400000000', endpoint: 'http://127.0.0.1:9/' })).json();
    expect(smsCh.id).toBeDefined();
    await asAdmin('PUT', `/notify-channels/${smsCh.id}/templates`, [{ purpose: 'dispute_deadline', language: 'zh-CN', templateCode: '2001', params: ['case', 'days', 'link'] }]);
    const robot = (await asAdmin('POST', '/notify-channels', { kind: 'wecom', name: '运维群', language: 'zh-CN', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k1' })).json();
    const contact = (await asAdmin('POST', `/merchants/${A.merchant.id}/contacts`, { name: '店长', mobile: '13900001111', language: 'zh-CN', topics: ['dispute_deadline'] })).json();
    try {
      const p = await payment();
      const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
      const out = (event: string, channelId: string) =>
        t.db.rawTransaction((tx) => tx.query<{ payload: { mobile?: string; params?: { name: string; value: string }[]; message?: { title: string; link: { url: string } } } }>(
          'SELECT payload FROM deliveries WHERE event = $1 AND channel_id = $2 ORDER BY created_at', [event, channelId]));
      t.clock.set(new Date('2026-03-09T09:00:00+08:00')); // 5 business days left
      await atOnce(2, () => runDisputePass(t.ctx));
      const texts = await out('dispute', smsCh.id);
      expect(texts).toHaveLength(1); // two passes at once: one text
      const param = Object.fromEntries(texts[0]!.payload.params!.map((x) => [x.name, x.value]));
      expect(param).toMatchObject({ case: d.caseNumber, days: '5' });
      // A signed short link to the dispute (issue 19).
      expect(verifyShortLink(shortLinkKey(t.ctx.config)!, param.link!.split('/s/')[1]!)).toEqual({ kind: 'disputes', id: d.id });
      expect(await out('dispute.escalated', robot.id)).toEqual([]);

      t.clock.set(new Date('2026-03-13T10:00:00+08:00')); // 1 day left, nobody acted
      await runDisputePass(t.ctx);
      expect(await out('dispute', smsCh.id)).toHaveLength(2);
      const group = await out('dispute.escalated', robot.id);
      expect(group).toHaveLength(1);
      expect(group[0]!.payload.message!.title).toContain(d.caseNumber);
      expect(group[0]!.payload.message!.link.url).toContain(`/disputes/${d.id}`);
    } finally {
      t.clock.set(OPENED);
      await signIn();
      const again = await t.login(A.admin.email);
      for (const url of [`/merchant-contacts/${contact.id}`, `/notify-channels/${smsCh.id}`, `/notify-channels/${robot.id}`]) {
        await t.app.inject({ method: 'DELETE', url: `/api/v1${url}`, headers: as(again) });
      }
    }
  });

  it('a dispute the merchant works on is not escalated', async () => {
    t.clock.set(OPENED);
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    await post(`/api/v1/disputes/${d.id}/evidence`, merchant, { body: 'Looking for the signed slip.' });
    t.clock.set(new Date('2026-03-13T10:00:00+08:00'));
    await runDisputePass(t.ctx);
    await signIn();
    const after = (await get(`/api/v1/disputes/${d.id}`, agent)).json();
    expect(after.escalatedAt).toBeNull();
    expect(after.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'evidence', 'reminder']);
    t.clock.set(OPENED);
    await signIn();
  });
});

describe('two at once', () => {
  it('of the merchant accepting and an agent submitting at the same moment, one wins and the other is told', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await payment();
      ids.push((await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json().id);
    }
    const answers = await atOnce(12, (i) => post(`/api/v1/disputes/${ids[i >> 1]}/transition`, i % 2 ? merchant : agent2, { to: i % 2 ? 'accepted' : 'evidence_submitted' }));
    for (let i = 0; i < ids.length; i++) {
      expect([answers[2 * i]!.statusCode, answers[2 * i + 1]!.statusCode].sort()).toEqual([200, 409]);
      const moves = await t.db.rawTransaction((tx) => tx.query(`SELECT 1 FROM dispute_events WHERE dispute_id = $1 AND type = 'status'`, [ids[i]]));
      expect(moves).toHaveLength(1);
    }
  });
});

describe('two passes at once', () => {
  it('send each reminder once (two workers at the same moment)', async () => {
    t.clock.set(new Date('2026-03-20T09:00:00+08:00'));
    await runDisputePass(t.ctx); // whatever earlier tests left due
    t.clock.set(new Date('2026-03-20T09:00:00+08:00'));
    await signIn();
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    // Opened on a Friday: 10 business days end on Friday 3 April; 5 days left from Monday 30 March.
    t.clock.set(new Date('2026-03-30T09:30:00+08:00'));
    await atOnce(3, () => runDisputePass(t.ctx));
    const reminders = await t.db.rawTransaction((tx) => tx.query(`SELECT 1 FROM dispute_events WHERE dispute_id = $1 AND type = 'reminder'`, [d.id]));
    expect(reminders).toHaveLength(1);
    t.clock.set(OPENED);
    await signIn();
  });
});

/** A PNG like a photographed delivery note: white paper, a blue letterhead band, grey lines of writing. */
function deliveryNotePng(width = 600, height = 360): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 0xff); // filter byte 0xff is overwritten below
    row[0] = 0;
    for (let x = 0; x < width; x++) {
      const band = y < height / 4;
      const line = !band && y % 30 < 4 && x > 40 && x < width - 40 - (y % 90);
      const [r, g, b] = band ? [30, 64, 175] : line ? [120, 120, 120] : [255, 255, 255];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, not interlaced
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** The share of a rendered page's pixels near the letterhead blue (raw PPM from pdftoppm). */
function blueShare(ppm: Buffer): number {
  const head = ppm.toString('latin1', 0, 40).match(/^P6\s+(\d+)\s+(\d+)\s+255\s/);
  if (!head) throw new Error('not a PPM');
  const px = ppm.subarray(head[0].length);
  let blue = 0;
  for (let i = 0; i + 2 < px.length; i += 3) if (Math.abs(px[i]! - 30) < 25 && Math.abs(px[i + 1]! - 64) < 25 && Math.abs(px[i + 2]! - 175) < 25) blue++;
  return blue / (px.length / 3);
}

/** poppler-utils reads the PDF back as a person would see it; CI installs it (.ci/run, scripts/test.mjs). */
const hasPoppler = spawnSync('pdftoppm', ['-v']).error === undefined;
if (!hasPoppler) console.log('skipped: the PDF page check needs poppler-utils (apt-get install poppler-utils)');

describe('the evidence pack as a PDF', () => {
  it.skipIf(!hasPoppler)('is made in the dispute language with the Chinese font embedded, and renders to a page', async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ network: 'unionpay', reasonCode: '4514', language: 'zh-CN', payment: { rrn: p.rrn } }))).json();
    const res = await get(`/api/v1/disputes/${d.id}/pdf`, merchant, 'en-US');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'dispute-pdf-'));
    const file = join(dir, 'pack.pdf');
    writeFileSync(file, res.rawPayload);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const fonts = execFileSync('pdffonts', [file]).toString();
    expect(fonts).toMatch(/NotoSansSC/);
    expect(fonts.split('\n').filter((l) => /NotoSansSC/.test(l)).every((l) => /\byes\s+yes\b/.test(l))).toBe(true); // embedded, subset
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('争议证据');
    expect(text).toContain('非持卡人本人交易');
    expect(text).toContain('插卡（芯片）');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    const png = join(dir, 'page-1.png');
    expect(statSync(png).size).toBeGreaterThan(5_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.DISPUTE_PDF_OUT) writeFileSync(process.env.DISPUTE_PDF_OUT, readFileSync(file));
  });

  it.skipIf(!hasPoppler)("shows the merchant's photo as an image after the pack, scaled to the page width with its caption and time, and lists one that cannot be read", async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ network: 'mastercard', reasonCode: '4855', payment: { rrn: p.rrn } }))).json();
    const dir = mkdtempSync(join(tmpdir(), 'dispute-pdf-photo-'));
    const save = async (name: string) => {
      const res = await get(`/api/v1/disputes/${d.id}/pdf`, merchant);
      expect(res.statusCode, res.body).toBe(200);
      const file = join(dir, name);
      writeFileSync(file, res.rawPayload);
      return { file, pages: Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]), raw: res.rawPayload };
    };
    const before = await save('before.pdf');
    expect(before.raw.includes('/Subtype /Image')).toBe(false);

    const png = multipartFile('note.png', deliveryNotePng());
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos?item=delivery_proof&caption=Signed%20delivery%20note`, headers: { ...as(merchant), ...png.headers }, payload: png.payload });
    expect(up.statusCode, up.body).toBe(201);
    // An hour later, one that starts like a JPEG (so the upload takes it) but holds no picture.
    t.clock.set(new Date(OPENED.getTime() + 3_600_000));
    const broken = multipartFile('blur.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256)]));
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos?caption=Till%20roll`, headers: { ...as(merchant), ...broken.headers }, payload: broken.payload })).statusCode).toBe(201);

    t.clock.set(OPENED);
    const after = await save('after.pdf');
    expect(after.pages).toBeGreaterThan(before.pages);
    expect(after.raw.includes('/Subtype /Image')).toBe(true);
    // One image, 600 x 360, on the last page; the broken photo is not embedded.
    const images = execFileSync('pdfimages', ['-list', after.file]).toString().split('\n').slice(2).filter((l) => l.trim());
    expect(images).toHaveLength(1);
    const [page, , type, width, height] = images[0]!.trim().split(/\s+/);
    expect([type, width, height]).toEqual(['image', '600', '360']);
    expect(Number(page)).toBe(after.pages);

    const text = execFileSync('pdftotext', ['-layout', after.file, '-']).toString();
    expect(text).toContain('Photos added by the merchant');
    expect(text).toContain('Photo 1 of 2 — Signed delivery note · Delivery note or proof the service was given — 03/02/2026, 09:00:00');
    expect(text).toContain('Photo 2 of 2 — Till roll — 03/02/2026, 10:00:00');
    expect(text).toContain('This photo could not be read as a JPEG or PNG image');

    // The photo page as a person sees it: the letterhead band fills the page width (499 of 595 points).
    execFileSync('pdftoppm', ['-r', '50', '-f', page!, '-l', page!, after.file, join(dir, 'photo')]);
    const ppm = readFileSync(join(dir, `photo-${page!.padStart(String(after.pages).length, '0')}.ppm`));
    expect(blueShare(ppm)).toBeGreaterThan(0.05);
    execFileSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', after.file, join(dir, 'first')]);
    expect(blueShare(readFileSync(join(dir, `first-${'1'.padStart(String(after.pages).length, '0')}.ppm`)))).toBeLessThan(0.005);
    if (process.env.DISPUTE_PDF_OUT) writeFileSync(process.env.DISPUTE_PDF_OUT.replace(/\.pdf$/, '') + '-photo.pdf', after.raw);
  });

  it.skipIf(!hasPoppler)(`embeds at most ${PHOTO_LIMIT.count} photos and says how many were left out`, async () => {
    const p = await payment();
    const d = (await post('/api/v1/disputes', agent, chargeback({ payment: { rrn: p.rrn } }))).json();
    for (let i = 0; i <= PHOTO_LIMIT.count; i++) {
      const png = multipartFile(`p${i}.png`, deliveryNotePng(40 + i, 30));
      expect((await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos`, headers: { ...as(merchant), ...png.headers }, payload: png.payload })).statusCode).toBe(201);
    }
    const res = await get(`/api/v1/disputes/${d.id}/pdf`, merchant);
    const file = join(mkdtempSync(join(tmpdir(), 'dispute-pdf-many-')), 'pack.pdf');
    writeFileSync(file, res.rawPayload);
    const images = execFileSync('pdfimages', ['-list', file]).toString().split('\n').slice(2).filter((l) => l.trim());
    expect(images).toHaveLength(PHOTO_LIMIT.count);
    const text = execFileSync('pdftotext', [file, '-']).toString().replace(/\s+/g, ' ');
    expect(text).toContain(`1 more photo(s) were left out to keep this file small (at most ${PHOTO_LIMIT.count} photos and 15 MB are included)`);
  });

  it('does not hand pdfkit a photo its readers would hang or crash on', () => {
    const good = deliveryNotePng(20, 10);
    expect(checkPhoto(good)).toEqual({ ok: true, width: 20, height: 10 });
    const negativeLength = Buffer.from(good);
    negativeLength.writeUInt32BE(0xfffffff0, 33); // the IDAT chunk's length, read by pdfkit as a negative number
    expect(checkPhoto(negativeLength)).toEqual({ ok: false, why: 'format' });
    const cut = Buffer.concat([good.subarray(0, good.length - 30), good.subarray(good.length - 12)]); // pixels cut short, IEND kept
    expect(checkPhoto(cut)).toEqual({ ok: false, why: 'format' });
    const huge = Buffer.from(good);
    huge.writeUInt32BE(20_000, 16);
    huge.writeUInt32BE(20_000, 20); // 400 million pixels: over the limit before any inflating
    expect(checkPhoto(huge)).toEqual({ ok: false, why: 'size' });
    const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 10, 0, 20, 3, 1, 0x11, 0, 0xff, 0xda, 0, 2, 0xff, 0xd9]);
    expect(checkPhoto(sof)).toEqual({ ok: true, width: 20, height: 10 });
    expect(checkPhoto(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256)]))).toEqual({ ok: false, why: 'format' });
    expect(checkPhoto(sof.subarray(0, 10))).toEqual({ ok: false, why: 'format' });
  });
});
