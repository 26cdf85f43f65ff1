/**
 * Risk work as analysts and payment systems see it: the inbox of fraud cases, the case page, assign,
 * notes, one final decision (fraud may block the case's cards and terminals), the block list,
 * `risk/decide`, per-kind statistics, and threshold versions with a backtest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RiskThresholds } from '../src/risk/thresholds.js';
import { atOnce } from './concurrent.js';
import { createTestApp, dbKind, type TestApp } from './harness.js';
import { cardTestingBurst, finding, hostLine, telemetrySample, terminalLines } from './riskFactory.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let analyst: { id: string; email: string };
let analyst2: { id: string; email: string };
let cookie: string;
let cookie2: string;
let cookieB: string;
let merchantCookie: string;
/** A terminal no case involves: risk/decide answers for it depend only on the card and the block list. */
let clean: { id: string };

const HOUR = 3_600_000;
const req = (method: string, url: string, c: string, payload?: object, lang = 'en-US') =>
  t.app.inject({ method: method as 'GET', url, headers: { cookie: c, 'accept-language': lang }, ...(payload ? { payload } : {}) });
const decide = (c: string, body: object, lang = 'en-US') => req('POST', '/api/v1/risk/decide', c, body, lang);
const payment = (over: object = {}) => ({ terminalId: clean.id, cardToken: 'tok_fresh', amountMinor: 1200, entryMode: 'chip', at: t.clock.now().toISOString(), ...over });
const count = async (sql: string, params: unknown[]) => (await t.db.rawTransaction((tx) => tx.query<{ n: number }>(sql, params)))[0]!.n;

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  analyst = await t.f.user(A.org.id, 'risk_analyst');
  analyst2 = await t.f.user(A.org.id, 'risk_analyst');
  cookie = await t.login(analyst.email);
  cookie2 = await t.login(analyst2.email);
  cookieB = await t.login(B.admin.email);
  merchantCookie = await t.login(A.merchantUser.email);
  clean = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
}, 120_000);
afterAll(async () => t?.close());

/** A card-testing case at A's terminal: twelve attempts by ten cards, with the host's line of the first. */
async function cardTestingCase(prefix: string, at = new Date(t.clock.now().getTime() - 2 * HOUR)) {
  const ids = await terminalLines(t, A.org.id, A.terminal, cardTestingBurst(at, prefix));
  await hostLine(t, A.org.id, A.terminal, ids[0]!);
  const id = await finding(t, A.org.id, { code: 'risk.card_testing', txnIds: ids, merchantId: A.merchant.id, at });
  return { id, ids, cards: Array.from({ length: 10 }, (_, i) => `${prefix}_${i}`) };
}

describe('the risk inbox', () => {
  it('lists open fraud cases of the own organization only, newest first, with filters in the URL and pages', async () => {
    const base = t.clock.now().getTime() - 10 * HOUR;
    const mine = [];
    for (let i = 0; i < 3; i++) {
      const [txn] = await terminalLines(t, A.org.id, A.terminal, [{ at: new Date(base + i * HOUR), cardToken: `tok_inbox_${i}`, amountMinor: 480_000 }]);
      mine.push(await finding(t, A.org.id, { code: i === 2 ? 'risk.refund_abuse' : 'risk.split_sale', txnIds: [txn!], merchantId: A.merchant.id, terminalId: A.terminal.id, cardToken: `tok_inbox_${i}`, at: new Date(base + i * HOUR) }));
    }
    const [dup] = await terminalLines(t, A.org.id, A.terminal, [{ at: new Date(base), cardToken: 'tok_dup' }]);
    const dupId = await finding(t, A.org.id, { code: 'dup.double_submit', txnIds: [dup!], merchantId: A.merchant.id, at: new Date(base) });
    const [other] = await terminalLines(t, B.org.id, B.terminal, [{ at: new Date(base), cardToken: 'tok_b' }]);
    const otherId = await finding(t, B.org.id, { code: 'risk.split_sale', txnIds: [other!], merchantId: B.merchant.id, at: new Date(base) });

    const all = await req('GET', '/api/v1/risk/cases?status=all&limit=200', cookie);
    expect(all.statusCode).toBe(200);
    const ids = all.json().items.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(mine));
    expect(ids).not.toContain(dupId); // a duplicate charge is the merchant's, not a risk case
    expect(ids).not.toContain(otherId);
    const lastAts = all.json().items.map((c: { lastAt: string }) => c.lastAt);
    expect([...lastAts].sort().reverse()).toEqual(lastAts);

    const split = (await req('GET', '/api/v1/risk/cases?code=risk.split_sale&status=all&limit=1', cookie)).json();
    expect(split.items).toHaveLength(1);
    expect(split.total).toBeGreaterThanOrEqual(2);
    expect(split.items[0].id).toBe(mine[1]);
    const page2 = (await req('GET', '/api/v1/risk/cases?code=risk.split_sale&status=all&limit=1&offset=1', cookie)).json();
    expect(page2.items[0].id).toBe(mine[0]);
    expect((await req('GET', '/api/v1/risk/cases?code=dup.double_submit', cookie)).statusCode).toBe(400);
  });

  it('is for risk analysts and administrators: a merchant user and an agent are refused', async () => {
    expect((await req('GET', '/api/v1/risk/cases', merchantCookie)).statusCode).toBe(403);
    const agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
    expect((await req('GET', '/api/v1/risk/cases', agent)).statusCode).toBe(403);
    expect((await req('GET', '/api/v1/risk/cases', await t.login(A.admin.email))).statusCode).toBe(200);
  });
});

describe('the case page', () => {
  it("shows the payments of both sides, the card's and the terminal's history, and the terminal's health then", async () => {
    const at = new Date(t.clock.now().getTime() - 5 * HOUR);
    await telemetrySample(t, A.org.id, A.terminal.id, new Date(at.getTime() - 10 * 60_000), { printer: { status: 'paper_low' }, tamper: true });
    // The same card a day earlier elsewhere at this merchant, and unrelated sales at the terminal an hour before.
    const [earlier] = await terminalLines(t, A.org.id, A.terminal, [{ at: new Date(at.getTime() - 24 * HOUR), cardToken: 'tok_page_3' }]);
    const [nearby] = await terminalLines(t, A.org.id, A.terminal, [{ at: new Date(at.getTime() - HOUR), cardToken: 'tok_someone' }]);
    const c = await (async () => {
      const ids = await terminalLines(t, A.org.id, A.terminal, cardTestingBurst(at, 'tok_page'));
      await hostLine(t, A.org.id, A.terminal, ids[0]!);
      return { ids, id: await finding(t, A.org.id, { code: 'risk.card_testing', txnIds: ids, merchantId: A.merchant.id, terminalId: A.terminal.id, cardToken: 'tok_page_3', at }) };
    })();
    const res = await req('GET', `/api/v1/risk/cases/${c.id}`, cookie);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.code).toBe('risk.card_testing');
    expect(page.summary).toBe('risk.card_testing test summary');
    expect(page.payments.filter((p: { source: string }) => p.source === 'terminal')).toHaveLength(12);
    expect(page.payments.filter((p: { source: string }) => p.source === 'host')).toHaveLength(1);
    expect(page.cardTokens).toHaveLength(10);
    expect(page.terminals).toEqual([{ id: A.terminal.id, label: expect.any(String) }]);
    expect(page.cardHistory.map((p: { id: string }) => p.id)).toContain(earlier);
    expect(page.terminalHistory.map((p: { id: string }) => p.id)).toContain(nearby);
    expect(page.terminalHistory.find((p: { id: string }) => p.id === nearby).involved).toBe(false);
    expect(page.health).toMatchObject({ health: 'critical', reasons: expect.arrayContaining(['tamper', 'paper_low']) });
    const zh = (await req('GET', `/api/v1/risk/cases/${c.id}`, cookie, undefined, 'zh-CN')).json();
    expect(zh.summary).toBe('risk.card_testing 测试摘要');
  });

  it("is another organization's case: not found", async () => {
    const c = await cardTestingCase('tok_foreign');
    for (const [m, u, body] of [
      ['GET', `/api/v1/risk/cases/${c.id}`],
      ['POST', `/api/v1/risk/cases/${c.id}/notes`, { body: 'x' }],
      ['POST', `/api/v1/risk/cases/${c.id}/decision`, { decision: 'not_fraud' }],
      ['POST', `/api/v1/risk/cases/${c.id}/assign`, { assigneeId: null }],
    ] as const) {
      expect((await req(m, u, cookieB, body)).statusCode, `${m} ${u}`).toBe(404);
    }
  });

  it('is assigned to analysts only, and keeps notes in order; a card number in a note is refused', async () => {
    const c = await cardTestingCase('tok_assign');
    const toMerchant = await req('POST', `/api/v1/risk/cases/${c.id}/assign`, cookie, { assigneeId: A.merchantUser.id });
    expect(toMerchant.statusCode).toBe(400);
    expect(toMerchant.json().error.details[0].message).toContain('risk analysts and administrators');
    const people = (await req('GET', '/api/v1/risk/assignees', cookie)).json().items.map((p: { id: string }) => p.id);
    expect(people).toEqual(expect.arrayContaining([analyst.id, analyst2.id, A.admin.id]));
    expect(people).not.toContain(A.merchantUser.id);
    const assigned = await req('POST', `/api/v1/risk/cases/${c.id}/assign`, cookie, { assigneeId: analyst2.id });
    expect(assigned.json().assigneeName).toBe((await t.db.rawTransaction((tx) => tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [analyst2.id])))[0]!.name);
    const mineOnly = (await req('GET', '/api/v1/risk/cases?assignee=me&status=all', cookie2)).json();
    expect(mineOnly.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    await req('POST', `/api/v1/risk/cases/${c.id}/notes`, cookie, { body: 'Called the merchant: unknown cards.' });
    t.clock.advance(60_000);
    const noted = await req('POST', `/api/v1/risk/cases/${c.id}/notes`, cookie2, { body: 'Second look: same BIN range.' });
    expect(noted.statusCode).toBe(201);
    expect(noted.json().notes.map((n: { body: string }) => n.body)).toEqual(['Called the merchant: unknown cards.', 'Second look: same BIN range.']);
    const pan = await req('POST', `/api/v1/risk/cases/${c.id}/notes`, cookie, { body: 'card 4111 1111 1111 1111' });
    expect(pan.statusCode).toBe(400);
    expect(await count(`SELECT count(*)::int AS n FROM txn_finding_notes WHERE body LIKE '%4111%'`, [])).toBe(0);
  });
});

describe('deciding a case', () => {
  it("fraud with blocks puts the case's cards and terminal on the block list, audited, and risk/decide then says block", async () => {
    const c = await cardTestingCase('tok_dec');
    expect((await decide(cookie, payment({ cardToken: 'tok_dec_4' }))).json().verdict).toBe('review');
    const res = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'fraud', note: 'Ten unknown cards in ten minutes.', block: { cardTokens: c.cards } });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ decision: 'fraud', status: 'resolved', resolvedReason: 'decided', decisionNote: 'Ten unknown cards in ten minutes.' });
    expect(page.blocks.map((b: { value: string }) => b.value).sort()).toEqual(c.cards);
    const verdict = (await decide(cookie, payment({ cardToken: 'tok_dec_4' }))).json();
    expect(verdict.verdict).toBe('block');
    expect(verdict.reasons[0]).toMatchObject({ code: 'card_blocked', text: 'The card token is on the block list.' });
    expect((await decide(cookie, payment({ cardToken: 'tok_clean' }))).json().verdict).toBe('allow');
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE org_id = $1 AND entity = 'risk_case' AND action = 'decide' AND entity_id = $2`, [A.org.id, c.id])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE org_id = $1 AND entity = 'risk_block' AND action = 'block'`, [A.org.id])).toBeGreaterThanOrEqual(10);
  });

  it('is made once: a second decision is told, in its own language, who decided', async () => {
    const c = await cardTestingCase('tok_twice');
    expect((await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'not_fraud' })).statusCode).toBe(200);
    const en = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie2, { decision: 'fraud' });
    expect(en.statusCode).toBe(409);
    expect(en.json().error.id).toBe('risk.decided_meanwhile');
    expect(en.json().error.message).toMatch(/decided a moment ago by .+ \(not fraud\)/);
    const zh = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie2, { decision: 'fraud' }, 'zh-CN');
    expect(zh.json().error.message).toContain('（非欺诈）');
  });

  it('blocks only with fraud, and only what the case involves', async () => {
    const c = await cardTestingCase('tok_only');
    const notFraud = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'not_fraud', block: { cardTokens: [c.cards[0]] } });
    expect(notFraud.statusCode).toBe(400);
    const stranger = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'fraud', block: { cardTokens: ['tok_not_in_case'] } });
    expect(stranger.statusCode).toBe(400);
    const foreignTerminal = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'fraud', block: { terminalIds: [B.terminal.id] } });
    expect(foreignTerminal.statusCode).toBe(400);
    expect((await req('GET', `/api/v1/risk/cases/${c.id}`, cookie)).json().decision).toBeNull();
    const ok = await req('POST', `/api/v1/risk/cases/${c.id}/decision`, cookie, { decision: 'fraud', block: { terminalIds: [A.terminal.id], expiresAt: new Date(t.clock.now().getTime() + HOUR).toISOString() } });
    expect(ok.statusCode).toBe(200);
    const blocked = (await decide(cookie, payment({ terminalId: A.terminal.id, cardToken: 'tok_anyone' }))).json();
    expect(blocked.verdict).toBe('block');
    expect(blocked.reasons.map((r: { code: string }) => r.code)).toContain('terminal_blocked');
    // The terminal's block ends by itself after an hour (other open cases at it still ask for review).
    t.clock.advance(HOUR + 1000);
    try {
      const later = (await decide(cookie, payment({ terminalId: A.terminal.id, cardToken: 'tok_anyone' }))).json();
      expect(later.verdict).toBe('review');
      expect(later.reasons.map((r: { code: string }) => r.code)).not.toContain('terminal_blocked');
    } finally {
      t.clock.advance(-(HOUR + 1000));
    }
    const block = ok.json().blocks.find((b: { kind: string }) => b.kind === 'terminal');
    expect((await req('DELETE', `/api/v1/risk/blocks/${block.id}`, cookie)).statusCode).toBe(200);
  });
});

describe('the block list', () => {
  it('takes card tokens and terminals (by TID or serial), refuses a card number and keeps removed entries', async () => {
    const card = await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'card_token', value: 'tok_list_1', reason: 'chargeback ring' });
    expect(card.statusCode).toBe(201);
    expect(card.json()).toMatchObject({ kind: 'card_token', value: 'tok_list_1', active: true, reason: 'chargeback ring' });
    const again = await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'card_token', value: 'tok_list_1' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('This is already on the block list.');

    const pan = await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'card_token', value: '4111111111111111' });
    expect(pan.statusCode).toBe(400);
    expect(await count(`SELECT count(*)::int AS n FROM risk_blocks WHERE value LIKE '%4111111111111111%'`, [])).toBe(0);

    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, tid: 'TIDBLK01', lifecycleState: 'active' });
    const byTid = await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'terminal', value: 'TIDBLK01' });
    expect(byTid.statusCode).toBe(201);
    expect(byTid.json()).toMatchObject({ value: term.id, label: 'TIDBLK01' });
    expect((await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'terminal', value: B.terminal.id })).statusCode).toBe(404);
    expect((await decide(cookie, { ...payment(), terminalId: undefined, tid: 'TIDBLK01' })).json().verdict).toBe('block');

    const removed = await req('DELETE', `/api/v1/risk/blocks/${card.json().id}`, cookie);
    expect(removed.json()).toMatchObject({ active: false, removedByName: expect.any(String) });
    expect((await req('DELETE', `/api/v1/risk/blocks/${card.json().id}`, cookie)).statusCode).toBe(409);
    expect((await decide(cookie, payment({ cardToken: 'tok_list_1' }))).json().verdict).toBe('allow');
    const active = (await req('GET', '/api/v1/risk/blocks?kind=card_token', cookie)).json().items.map((b: { value: string }) => b.value);
    expect(active).not.toContain('tok_list_1');
    const all = (await req('GET', '/api/v1/risk/blocks?status=all&q=tok_list', cookie)).json();
    expect(all.items).toHaveLength(1);
    // Blocked again after removal: a new entry.
    expect((await req('POST', '/api/v1/risk/blocks', cookie, { kind: 'card_token', value: 'tok_list_1' })).statusCode).toBe(201);
    expect((await req('GET', '/api/v1/risk/blocks?status=all&q=tok_list', cookie)).json().total).toBe(2);
    expect((await req('GET', '/api/v1/risk/blocks', cookieB)).json().items.map((b: { value: string }) => b.value)).not.toContain('tok_list_1');
    expect((await req('DELETE', `/api/v1/risk/blocks/${card.json().id}`, cookieB)).statusCode).toBe(404);
  });
});

describe('risk/decide', () => {
  it('says review while an open fraud case covers the terminal, allow once it is decided not fraud', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const [txn] = await terminalLines(t, A.org.id, { id: term.id, merchantId: A.merchant.id }, [{ at: new Date(t.clock.now().getTime() - HOUR), cardToken: 'tok_fb', entryMode: 'fallback' }]);
    const id = await finding(t, A.org.id, { code: 'risk.fallback_abuse', txnIds: [txn!], merchantId: A.merchant.id, terminalId: term.id, at: new Date(t.clock.now().getTime() - HOUR) });
    t.services.risk.findingsChanged(A.org.id); // what the findings engine does when it opens one
    await t.services.risk.index.get(A.org.id);
    await new Promise((r) => setTimeout(r, 50));
    const review = (await decide(cookie, payment({ terminalId: term.id, cardToken: 'tok_other' }))).json();
    expect(review).toMatchObject({ verdict: 'review', reasons: [{ code: 'terminal_open_case', caseId: id, caseCode: 'risk.fallback_abuse' }] });
    expect(review.reasons[0].text).toBe('An open fraud case (fallback abuse) involves this terminal.');
    await req('POST', `/api/v1/risk/cases/${id}/decision`, cookie, { decision: 'not_fraud', note: 'Reader broken: engineer visit.' });
    expect((await decide(cookie, payment({ terminalId: term.id, cardToken: 'tok_other' }))).json().verdict).toBe('allow');
  });

  it("picks up another process's block within the refresh period", async () => {
    await decide(cookie, payment()); // warm
    await t.db.rawTransaction((tx) => tx.query(`INSERT INTO risk_blocks (org_id, kind, value) VALUES ($1, 'card_token', 'tok_elsewhere')`, [A.org.id]));
    expect((await decide(cookie, payment({ cardToken: 'tok_elsewhere' }))).json().verdict).toBe('allow');
    t.clock.advance(11_000);
    let verdict = '';
    for (let i = 0; i < 100 && verdict !== 'block'; i++) {
      verdict = (await decide(cookie, payment({ cardToken: 'tok_elsewhere' }))).json().verdict;
      if (verdict !== 'block') await new Promise((r) => setTimeout(r, 20));
    }
    expect(verdict).toBe('block');
  });

  it('answers API tokens of risk analysts; refuses merchants, unknown and foreign terminals', async () => {
    const token = (await req('POST', '/api/v1/me/tokens', cookie, { name: 'gateway' })).json().token as string;
    const viaToken = await t.app.inject({ method: 'POST', url: '/api/v1/risk/decide', headers: { authorization: `Bearer ${token}` }, payload: payment() });
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json().verdict).toBe('allow');
    expect((await decide(merchantCookie, payment())).statusCode).toBe(403);
    expect((await decide(cookie, payment({ terminalId: B.terminal.id }))).statusCode).toBe(404);
    expect((await decide(cookie, { ...payment(), terminalId: undefined, tid: 'NOSUCH' })).statusCode).toBe(404);
    expect((await decide(cookie, { ...payment(), terminalId: undefined })).statusCode).toBe(400);
  });
});

describe('per-kind statistics', () => {
  it('count how often each kind was right (fraud / decided)', async () => {
    const before = (await req('GET', '/api/v1/risk/stats', cookie)).json().kinds.find((k: { code: string }) => k.code === 'risk.off_hours');
    const make = async (i: number) => {
      const [txn] = await terminalLines(t, A.org.id, A.terminal, [{ at: new Date(t.clock.now().getTime() - HOUR), cardToken: `tok_oh_${i}`, amountMinor: 90_000 }]);
      return finding(t, A.org.id, { code: 'risk.off_hours', txnIds: [txn!], merchantId: A.merchant.id, terminalId: A.terminal.id, cardToken: `tok_oh_${i}`, at: new Date(t.clock.now().getTime() - HOUR) });
    };
    const ids = [await make(1), await make(2), await make(3), await make(4)];
    for (const [i, d] of (['fraud', 'not_fraud', 'not_fraud', 'contact_merchant'] as const).entries()) await req('POST', `/api/v1/risk/cases/${ids[i]}/decision`, cookie, { decision: d });
    const after = (await req('GET', '/api/v1/risk/stats', cookie)).json().kinds.find((k: { code: string }) => k.code === 'risk.off_hours');
    expect(after.cases - before.cases).toBe(4);
    expect(after.decided - before.decided).toBe(4);
    expect(after.fraud - before.fraud).toBe(1);
    expect(after.rightShare).toBeCloseTo(after.fraud / after.decided, 4);
    expect((await req('GET', '/api/v1/risk/stats', cookieB)).json().kinds.find((k: { code: string }) => k.code === 'risk.off_hours').cases).toBe(0);
  });
});

describe('thresholds per organization', () => {
  it('start at the contract defaults; a backtest shows what each version and the proposal would find; saving makes the next version', async () => {
    const view = (await req('GET', '/api/v1/risk/thresholds', cookieB)).json();
    expect(view.current.version).toBe(0);
    expect(view.effective.cardTesting.minAttempts).toBe(10);
    // B's fleet: two card-testing bursts in the last 30 days at two merchants, one of 12 attempts and one of 16.
    const now = t.clock.now().getTime();
    const m2 = await t.f.merchant(B.org.id);
    const t2 = await t.f.terminal(B.org.id, { merchantId: m2.id, lifecycleState: 'active' });
    await terminalLines(t, B.org.id, { id: t2.id, merchantId: m2.id }, cardTestingBurst(new Date(now - 3 * 24 * HOUR), 'tok_bt_a'));
    await terminalLines(t, B.org.id, B.terminal, [...cardTestingBurst(new Date(now - 5 * 24 * HOUR), 'tok_bt_b'), ...cardTestingBurst(new Date(now - 5 * 24 * HOUR + 30_000), 'tok_bt_c').slice(0, 4)]);
    const proposal = { cardTesting: { minAttempts: 14 } };
    const bt = await req('POST', '/api/v1/risk/thresholds/backtest', cookieB, { overrides: proposal });
    expect(bt.statusCode).toBe(200);
    const answer = bt.json();
    expect(answer.records).toBe(await count(`SELECT count(*)::int AS n FROM transactions WHERE org_id = $1`, [B.org.id]));
    expect(answer.records).toBeGreaterThanOrEqual(28);
    expect(answer.shortened).toBe(false);
    const run = (label: string) => answer.runs.find((r: { label: string }) => r.label === label);
    expect(run('current').version).toBe(0);
    expect(run('current').counts['risk.card_testing']).toBeGreaterThan(run('proposed').counts['risk.card_testing']);
    expect(run('proposed').counts['risk.card_testing']).toBeGreaterThanOrEqual(1);
    expect(answer.difference['risk.card_testing']).toBe(run('proposed').counts['risk.card_testing'] - run('current').counts['risk.card_testing']);

    const reloaded: string[] = [];
    const off = t.services.riskThresholds.onSaved((org) => reloaded.push(org));
    try {
      const saved = await req('POST', '/api/v1/risk/thresholds', cookieB, { overrides: { ...proposal, splitSale: { singleSaleLimitByMerchant: { [B.merchant.id]: 200_000 } } }, note: 'fewer card-testing alarms', baseVersion: 0 });
      expect(saved.statusCode).toBe(201);
      expect(saved.json().current).toMatchObject({ version: 1, note: 'fewer card-testing alarms' });
      expect(saved.json().effective.splitSale.singleSaleLimitByMerchant[B.merchant.id]).toBe(200_000);
      expect(saved.json().effective.cardTesting.maxAmountMinor).toBe(1000);
      expect(reloaded).toEqual([B.org.id]);
    } finally {
      off();
    }
    const stale = await req('POST', '/api/v1/risk/thresholds', cookieB, { overrides: {}, baseVersion: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toContain('version 1');
    // Now three runs: the defaults (version 0), the current version 1, and the proposal.
    const bt2 = (await req('POST', '/api/v1/risk/thresholds/backtest', cookieB, { overrides: {} })).json();
    expect(bt2.runs.map((r: { label: string; version: number | null }) => [r.label, r.version])).toEqual([['version', 0], ['current', 1], ['proposed', null]]);
    expect((await req('GET', '/api/v1/risk/thresholds', cookie)).json().current.version).toBe(0); // A's are its own
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE org_id = $1 AND entity = 'txn_thresholds'`, [B.org.id])).toBe(1);
  });

  it('refuse overrides out of range, unknown fields and merchants of another organization', async () => {
    for (const overrides of [{ cardTesting: { minAttempts: 0 } }, { cardTesting: { bogus: 1 } }, { splitSale: { singleSaleLimitByMerchant: { 'not-a-merchant': 100 } } }]) {
      const res = await req('POST', '/api/v1/risk/thresholds', cookieB, { overrides, baseVersion: 1 });
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
    }
    const foreign = await req('POST', '/api/v1/risk/thresholds', cookieB, { overrides: { splitSale: { singleSaleLimitByMerchant: { [A.merchant.id]: 100 } } }, baseVersion: 1 });
    expect(foreign.statusCode).toBe(404);
    expect((await req('POST', '/api/v1/risk/thresholds', merchantCookie, { overrides: {}, baseVersion: 0 })).statusCode).toBe(403);
  });

  it('a backtest beyond its record limit replays the most recent records and says from when', async () => {
    const small = new RiskThresholds(t.ctx, { backtestRecordLimit: 10 });
    const actor = { userId: analyst.id, name: 'a', orgId: B.org.id, merchantId: null, role: 'risk_analyst' as const, platformAdmin: false, language: 'en-US' as const, via: 'session' as const };
    const answer = await small.backtest(actor, { overrides: {} }, 'en-US');
    expect(answer.records).toBeGreaterThan(0);
    expect(answer.records).toBeLessThanOrEqual(10);
    expect(answer.shortened).toBe(true);
    expect(answer.message).toContain('more records than the 10 a backtest replays');
    expect(new Date(answer.from).getTime()).toBeGreaterThan(t.clock.now().getTime() - 30 * 24 * HOUR);
  });
});

describe.runIf(dbKind === 'postgres')('two analysts at the same moment (PostgreSQL)', () => {
  it('decide a case once: one decision stored and audited, the other told', async () => {
    const cases: Awaited<ReturnType<typeof cardTestingCase>>[] = [];
    for (let i = 0; i < 6; i++) cases.push(await cardTestingCase(`tok_race${i}`));
    const answers = await atOnce(12, (i) =>
      req('POST', `/api/v1/risk/cases/${cases[i >> 1]!.id}/decision`, i % 2 ? cookie : cookie2, i % 2 ? { decision: 'fraud', block: { cardTokens: cases[i >> 1]!.cards } } : { decision: 'not_fraud' }),
    );
    for (let i = 0; i < 6; i++) {
      expect([answers[2 * i]!.statusCode, answers[2 * i + 1]!.statusCode].sort()).toEqual([200, 409]);
      expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'risk_case' AND action = 'decide' AND entity_id = $1`, [cases[i]!.id])).toBe(1);
      const [row] = await t.db.rawTransaction((tx) => tx.query<{ decision: string }>('SELECT decision FROM txn_findings WHERE id = $1', [cases[i]!.id]));
      const blocks = await count(`SELECT count(*)::int AS n FROM risk_blocks WHERE finding_id = $1`, [cases[i]!.id]);
      expect(blocks).toBe(row!.decision === 'fraud' ? 10 : 0);
    }
    for (const r of answers.filter((x) => x.statusCode === 409)) expect(r.json().error.id).toBe('risk.decided_meanwhile');
  });

  it('save thresholds once from the same base version', async () => {
    const view = (await req('GET', '/api/v1/risk/thresholds', cookie)).json();
    const answers = await atOnce(4, (i) => req('POST', '/api/v1/risk/thresholds', i % 2 ? cookie : cookie2, { overrides: { cardTesting: { minCards: 6 + i } }, baseVersion: view.current.version }));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
  });

  it('block the same card once', async () => {
    const answers = await atOnce(6, (i) => req('POST', '/api/v1/risk/blocks', i % 2 ? cookie : cookie2, { kind: 'card_token', value: 'tok_race_block' }));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });
});
