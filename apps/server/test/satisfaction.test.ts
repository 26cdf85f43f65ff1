/**
 * Satisfaction: the merchant rates a resolved ticket 1–5 within 7 days of its resolution, once; staff
 * may record a merchant's rating only for tickets they did not work on; results per agent, team and cause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
/** Who works tickets (assignee, moves them) and a colleague who never touches them. */
let worker: { id: string; email: string };
let colleague: { id: string; email: string };
let risk: { email: string };
const cookies = new Map<string, { cookie: string; at: number }>();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Signs in again when the fake clock has moved past the 12 h session. */
async function as(email: string): Promise<string> {
  const now = t.clock.now().getTime();
  const known = cookies.get(email);
  if (known && now - known.at < 11 * HOUR && now >= known.at) return known.cookie;
  const cookie = await t.login(email);
  cookies.set(email, { cookie, at: now });
  return cookie;
}
const call = async (method: 'GET' | 'POST', url: string, email: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie: await as(email), 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });

/** A ticket of A's merchant, assigned to and worked by `by`, taken along the whole flow to resolved. */
async function resolvedTicket(by: { id: string; email: string }, opts: { causeCode?: string; siteId?: string } = {}): Promise<string> {
  const created = await call('POST', '/api/v1/tickets', by.email, { siteId: opts.siteId ?? A.site.id, title: 'Receipt printer jams', ...(opts.causeCode ? { causeCode: opts.causeCode } : {}) });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().ticket.id as string;
  await call('POST', `/api/v1/tickets/${id}/assign`, by.email, { assigneeId: by.id });
  await resolve(id, by.email, true);
  return id;
}

async function resolve(id: string, email: string, fromNew: boolean): Promise<void> {
  const steps: object[] = fromNew
    ? [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'onsite_repair', summary: 'replace the printer module' } }, { to: 'in_progress' }, { to: 'verifying' }]
    : [{ to: 'verifying' }];
  for (const s of steps) {
    const r = await call('POST', `/api/v1/tickets/${id}/transition`, email, s);
    expect(r.statusCode, r.body).toBe(200);
  }
  const done = await call('POST', `/api/v1/tickets/${id}/transition`, email, { to: 'resolved', override: true, reason: 'merchant confirmed by phone that receipts print' });
  expect(done.statusCode, done.body).toBe(200);
}

const rating = (id: string, email: string) => call('GET', `/api/v1/tickets/${id}/rating`, email);
const rate = (id: string, email: string, body: object, lang = 'en-US') => call('POST', `/api/v1/tickets/${id}/rating`, email, body, lang);

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  worker = await t.f.user(A.org.id, 'agent', { team: 'Shanghai L1' });
  colleague = await t.f.user(A.org.id, 'agent', { team: 'Shanghai L2' });
  risk = await t.f.user(A.org.id, 'risk_analyst');
});
afterAll(async () => t?.close());

describe('the rating window', () => {
  it('is "not yet" until the ticket is resolved, and a rating before that is refused with 409', async () => {
    const created = await call('POST', '/api/v1/tickets', A.merchantUser.email, { siteId: A.site.id, title: 'Card reader dead' });
    const id = created.json().ticket.id;
    expect((await rating(id, A.merchantUser.email)).json()).toMatchObject({ state: 'not_yet', expiresAt: null, rating: null, canRate: false, mode: 'merchant' });
    const early = await rate(id, A.merchantUser.email, { score: 5 }, 'zh-CN');
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({ id: 'rating.not_resolved', message: expect.stringContaining('尚未解决') });
  });

  it('opens at resolution and expires 7 days later: at 6 days 23 h the merchant may rate, at 7 days it is refused with a clear message in zh and en', async () => {
    const resolvedAt = t.clock.now();
    const id = await resolvedTicket(worker);
    const open = (await rating(id, A.merchantUser.email)).json();
    expect(open).toMatchObject({ state: 'open', canRate: true, opensAt: resolvedAt.toISOString(), expiresAt: new Date(resolvedAt.getTime() + 7 * DAY).toISOString() });

    t.clock.advance(7 * DAY - HOUR);
    expect((await rating(id, A.merchantUser.email)).json()).toMatchObject({ state: 'open', canRate: true });

    t.clock.advance(HOUR);
    expect((await rating(id, A.merchantUser.email)).json()).toMatchObject({ state: 'expired', canRate: false, rating: null });
    const zh = await rate(id, A.merchantUser.email, { score: 4 }, 'zh-CN');
    expect(zh.statusCode).toBe(409);
    expect(zh.json().error.id).toBe('rating.expired');
    expect(zh.json().error.message).toContain('评价期已于 2026-03-09 09:00 结束');
    const en = await rate(id, A.merchantUser.email, { score: 4 });
    expect(en.json().error.message).toBe('The rating period of this ticket ended on 2026-03-09 09:00 (7 days after it was resolved).');
  });
});

describe('rating a ticket', () => {
  let id: string;

  it('the merchant rates 1–5 with a comment; the rating keeps the agent, their team, the cause and the merchant', async () => {
    id = await resolvedTicket(worker, { causeCode: 'hw.printer.jam' });
    const res = await rate(id, A.merchantUser.email, { score: 4, comment: '  师傅很快就到了，谢谢  ' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ state: 'rated', canRate: false, rating: { score: 4, comment: '师傅很快就到了，谢谢', onBehalf: false, agentName: null, team: null } });
    const [stored] = await t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>('SELECT * FROM ticket_ratings WHERE ticket_id = $1', [id]));
    expect(stored).toMatchObject({ score: 4, agent_id: worker.id, team: 'Shanghai L1', cause_code: 'hw.printer.jam', merchant_id: A.merchant.id, rated_by: A.merchantUser.id });
    // Staff see who worked it; the merchant does not.
    expect((await rating(id, colleague.email)).json().rating).toMatchObject({ score: 4, agentName: expect.stringContaining('agent'), team: 'Shanghai L1' });
  });

  it('records a public rating event on the ticket that the merchant sees on the timeline', async () => {
    const seen = (await call('GET', `/api/v1/tickets/${id}`, A.merchantUser.email)).json();
    const event = seen.events.find((e: { type: string }) => e.type === 'rating');
    expect(event).toMatchObject({ internal: false, to: '4', from: 'merchant', body: '★★★★☆ 4/5\n师傅很快就到了，谢谢' });
  });

  it('one rating per ticket: a second rating is refused with 409 and the first stays', async () => {
    const again = await rate(id, A.merchantUser.email, { score: 1, comment: 'changed my mind' }, 'zh-CN');
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ id: 'rating.already_rated', message: expect.stringContaining('已评价') });
    expect((await rating(id, A.merchantUser.email)).json().rating.score).toBe(4);
  });

  it('a reopened and re-resolved ticket keeps its one rating', async () => {
    const reopened = await call('POST', `/api/v1/tickets/${id}/transition`, worker.email, { to: 'in_progress', reason: 'jams again' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect((await rating(id, A.merchantUser.email)).json()).toMatchObject({ state: 'rated', rating: { score: 4 } });
    await resolve(id, worker.email, false);
    const after = (await rating(id, A.merchantUser.email)).json();
    expect(after).toMatchObject({ state: 'rated', canRate: false, rating: { score: 4 } });
    expect((await rate(id, A.merchantUser.email, { score: 2 })).statusCode).toBe(409);
    const [{ n } = { n: 0 }] = await t.db.rawTransaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_ratings WHERE ticket_id = $1', [id]));
    expect(n).toBe(1);
  });

  it('a score outside 1–5 is refused naming the field', async () => {
    const other = await resolvedTicket(worker);
    for (const score of [0, 6, 3.5]) {
      const res = await rate(other, A.merchantUser.email, { score });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe('body.score');
    }
  });

  it('a comment with a card number is refused naming the field, in the caller language, and nothing is stored', async () => {
    const other = await resolvedTicket(worker);
    const res = await rate(other, A.merchantUser.email, { score: 2, comment: 'my card 4111 1111 1111 1111 did not work' }, 'zh-CN');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.comment', message: expect.stringContaining('卡号') });
    expect((await rating(other, A.merchantUser.email)).json()).toMatchObject({ state: 'open', rating: null });
  });
});

describe('who may rate', () => {
  it('staff cannot rate their own tickets: the assignee and anyone who acted on the ticket get 403 with a clear message', async () => {
    const id = await resolvedTicket(worker);
    expect((await rating(id, worker.email)).json()).toMatchObject({ state: 'open', mode: 'on_behalf', canRate: false, blocked: 'own_ticket' });
    const own = await rate(id, worker.email, { score: 5 }, 'zh-CN');
    expect(own.statusCode).toBe(403);
    expect(own.json().error).toMatchObject({ id: 'rating.own_ticket', message: expect.stringContaining('不能评价自己处理过的工单') });
    // The colleague only wrote one internal note: that is working on it too.
    const helper = await t.f.user(A.org.id, 'agent');
    await call('POST', `/api/v1/tickets/${id}/comments`, helper.email, { body: 'checked the spare-part stock', internal: true });
    expect((await rate(id, helper.email, { score: 5 })).statusCode).toBe(403);
    expect((await rating(id, A.merchantUser.email)).json().state).toBe('open');
  });

  it("staff who did not work on the ticket may record the merchant's rating on their behalf, marked as such", async () => {
    const id = await resolvedTicket(worker, { causeCode: 'hw.printer.fault' });
    expect((await rating(id, colleague.email)).json()).toMatchObject({ mode: 'on_behalf', canRate: true, blocked: null });
    const res = await rate(id, colleague.email, { score: 3, comment: 'by phone: fixed, but it took two visits' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().rating).toMatchObject({ score: 3, onBehalf: true, agentName: expect.any(String), team: 'Shanghai L1' });
    // Credited to whoever worked the ticket, not to the colleague who typed it in.
    const [stored] = await t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>('SELECT agent_id, rated_by FROM ticket_ratings WHERE ticket_id = $1', [id]));
    expect(stored).toMatchObject({ agent_id: worker.id, rated_by: colleague.id });
    const merchantView = (await rating(id, A.merchantUser.email)).json();
    expect(merchantView).toMatchObject({ state: 'rated', rating: { score: 3, onBehalf: true } });
    const event = (await call('GET', `/api/v1/tickets/${id}`, A.merchantUser.email)).json().events.find((e: { type: string }) => e.type === 'rating');
    expect(event).toMatchObject({ from: 'on_behalf', internal: false });
  });

  it('a risk analyst reads the rating but may not give one (403)', async () => {
    const id = await resolvedTicket(worker);
    expect((await rating(id, risk.email)).json()).toMatchObject({ state: 'open', mode: null, canRate: false, blocked: 'not_allowed' });
    const res = await rate(id, risk.email, { score: 5 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.id).toBe('rating.not_allowed');
  });

  it("another merchant's user and another organization get 404 and cannot rate", async () => {
    const id = await resolvedTicket(worker);
    const otherMerchant = await t.f.merchant(A.org.id);
    const otherUser = await t.f.user(A.org.id, 'merchant', { merchantId: otherMerchant.id });
    for (const email of [otherUser.email, B.merchantUser.email, B.admin.email]) {
      expect((await rating(id, email)).statusCode, email).toBe(404);
      expect((await rate(id, email, { score: 1 })).statusCode, email).toBe(404);
    }
    expect((await rating(id, A.merchantUser.email)).json()).toMatchObject({ state: 'open', rating: null });
  });
});

describe('satisfaction results', () => {
  it('per agent, per team and per cause: average, count, distribution 1–5 and share of 4–5, for ratings given in the period', async () => {
    // A fresh organization, so only these ratings count.
    const C = await t.tenant();
    const ann = await t.f.user(C.org.id, 'agent', { team: 'North', name: 'Ann' });
    const bob = await t.f.user(C.org.id, 'agent', { team: 'South', name: 'Bob' });
    const cal = await t.f.user(C.org.id, 'agent', { team: 'North', name: 'Cal' });
    const counter = await t.f.user(C.org.id, 'agent', { name: 'Desk' });
    const start = t.clock.now();
    const ticketOf = async (who: { id: string; email: string }, causeCode: string) => {
      const created = await call('POST', '/api/v1/tickets', who.email, { siteId: C.site.id, title: 'x', causeCode });
      const id = created.json().ticket.id as string;
      await call('POST', `/api/v1/tickets/${id}/assign`, who.email, { assigneeId: who.id });
      await resolve(id, who.email, true);
      return id;
    };
    const plan: [typeof ann, string, number][] = [
      [ann, 'hw.printer.jam', 5],
      [ann, 'hw.printer.jam', 4],
      [ann, 'net.signal.weak', 2],
      [bob, 'net.signal.weak', 1],
      [bob, 'hw.printer.jam', 3],
      [cal, 'hw.printer.jam', 5],
    ];
    for (const [who, cause, score] of plan) {
      const id = await ticketOf(who, cause);
      expect((await rate(id, C.merchantUser.email, { score })).statusCode).toBe(201);
      t.clock.advance(HOUR);
    }
    // Rated after the period: not counted.
    const late = await ticketOf(ann, 'hw.printer.jam');
    const end = t.clock.now();
    t.clock.advance(HOUR);
    await rate(late, C.merchantUser.email, { score: 1 });

    const q = `from=${start.toISOString()}&to=${end.toISOString()}`;
    const byAgent = await call('GET', `/api/v1/reports/satisfaction?${q}&by=agent`, counter.email);
    expect(byAgent.statusCode, byAgent.body).toBe(200);
    expect(byAgent.json().overall).toEqual({ count: 6, average: 3.33, distribution: [1, 1, 1, 1, 2], satisfiedShare: 0.5 });
    expect(byAgent.json().groups).toEqual([
      { key: ann.id, label: 'Ann', count: 3, average: 3.67, distribution: [0, 1, 0, 1, 1], satisfiedShare: 0.6667 },
      { key: bob.id, label: 'Bob', count: 2, average: 2, distribution: [1, 0, 1, 0, 0], satisfiedShare: 0 },
      { key: cal.id, label: 'Cal', count: 1, average: 5, distribution: [0, 0, 0, 0, 1], satisfiedShare: 1 },
    ]);
    const byTeam = (await call('GET', `/api/v1/reports/satisfaction?${q}&by=team`, counter.email)).json();
    expect(byTeam.groups.map((g: { key: string; count: number; average: number }) => [g.key, g.count, g.average])).toEqual([
      ['North', 4, 4],
      ['South', 2, 2],
    ]);
    const byCause = (await call('GET', `/api/v1/reports/satisfaction?${q}&by=cause`, counter.email, undefined, 'zh-CN')).json();
    expect(byCause.groups.map((g: { key: string; count: number; satisfiedShare: number }) => [g.key, g.count, g.satisfiedShare])).toEqual([
      ['hw.printer.jam', 4, 0.75],
      ['net.signal.weak', 2, 0],
    ]);
    expect(byCause.groups[0].label).toMatch(/[\u4e00-\u9fff]/);
  });

  it('need reports:read: a merchant is refused with 403', async () => {
    const res = await call('GET', '/api/v1/reports/satisfaction', A.merchantUser.email);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.id).toBe('auth.forbidden');
  });
});
