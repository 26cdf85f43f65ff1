/**
 * Issue 19, the service desk reaching people where they are: a ticket's steps text the merchant's own
 * contacts (their language, the organization's support phone, a signed short link), the SLA's
 * escalation steps reach the group robot naming the person on call, each exactly once however many
 * agents or workers act at the same moment; quiet hours hold what is not urgent. Short links verify,
 * a tampered one is refused, and nobody opens another organization's page with one. The contacts are
 * kept by admins, agents and the merchant's own users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../src/notifications/delivery.js';
import { shortLinkKey, signShortLink, verifyShortLink } from '../src/notifications/shortLinks.js';
import { runSlaPass } from '../src/tickets/sla.js';
import { atOnce } from './concurrent.js';
import { createTestApp, type TestApp } from './harness.js';
import { fakeAliyun, fakeDingtalk } from './fakeProviders.js';
import { organizations } from '../src/db/schema.js';
import { eq } from 'drizzle-orm';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>> & { agent: { id: string; email: string; name: string }; engineer: { id: string; email: string; name: string } };
let B: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let agent: string;
let ali: Awaited<ReturnType<typeof fakeAliyun>>;
let ding: Awaited<ReturnType<typeof fakeDingtalk>>;
const now = () => t.clock.now();

const call = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie, 'accept-language': 'en-US' }, ...(payload === undefined ? {} : { payload: payload as object }) });

type Sms = { id: string; event: string; next_attempt_at: Date; status: string; payload: { mobile: string; templateCode: string; language: string; params: { name: string; value: string }[] } };
const smsOf = (event: string) =>
  t.db.rawTransaction((tx) => tx.query<Sms>(`SELECT id, event, next_attempt_at, status, payload FROM deliveries WHERE org_id = $1 AND channel = 'sms' AND event = $2 ORDER BY target`, [A.org.id, event]));
const params = (s: Sms) => Object.fromEntries(s.payload.params.map((p) => [p.name, p.value]));
const tokenOf = (link: string) => link.split('/s/')[1]!;

async function openTicket(title = 'Printer jams'): Promise<{ id: string; number: string }> {
  const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
  const res = await call(agent, 'POST', '/tickets', { terminalId: term.id, title, priority: 'p3' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().ticket;
}
/** Moves the clock; sessions expire, so the agent signs in again. */
async function setClock(at: string) {
  t.clock.set(new Date(at));
  agent = await t.login(A.agent.email);
}
const move = (id: string, body: object) => call(agent, 'POST', `/tickets/${id}/transition`, body);

beforeAll(async () => {
  t = await createTestApp();
  const base = await t.tenant();
  A = { ...base, agent: await t.f.user(base.org.id, 'agent'), engineer: await t.f.user(base.org.id, 'engineer', { name: 'Wang Wei' }) };
  B = await t.tenant();
  admin = await t.login(A.admin.email);
  agent = await t.login(A.agent.email);
  await t.db.orm.update(organizations).set({ supportPhone: '400-820-8820' }).where(eq(organizations.id, A.org.id));
  ali = await fakeAliyun('id', 'sec', now);
  ding = await fakeDingtalk('tok', 'SECding', ['PosCare'], now);
  const sms = (await call(admin, 'POST', '/notify-channels', { kind: 'aliyun_sms', name: 'SMS', accessKeyId: 'id', accessKeySecret: 'sec', signName: 'S', endpoint: `${ali.base}/` })).json();
  const tpl = ['number', 'step', 'eta', 'link', 'phone'];
  expect((await call(admin, 'PUT', `/notify-channels/${sms.id}/templates`, [
    { purpose: 'ticket_step', language: 'zh-CN', templateCode: 'SMS_TK_ZH', params: tpl },
    { purpose: 'ticket_step', language: 'en-US', templateCode: 'SMS_TK_EN', params: tpl },
  ])).statusCode).toBe(200);
  // Two who asked for ticket steps (one each language), one who did not.
  expect((await call(admin, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Li', mobile: '13700001111', language: 'en-US', topics: ['ticket_step'] })).statusCode).toBe(201);
  await call(admin, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: '张店长', mobile: '13700002222', language: 'zh-CN', topics: ['ticket_step', 'dispute_deadline'] });
  await call(admin, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Night', mobile: '13700003333', language: 'zh-CN', topics: ['duplicate_charge'] });
  await call(admin, 'POST', '/notify-channels', { kind: 'dingtalk', name: 'Ops group', language: 'en-US', url: `${ding.base}/robot/send?access_token=tok`, secret: 'SECding', keywords: ['PosCare'] });
  expect((await call(admin, 'POST', '/oncall-rotations', { team: 'Field', startsOn: '2026-03-01', handoverTime: '09:00', shiftDays: 7, members: [{ userId: A.engineer.id, mobile: '13900009999' }] })).statusCode).toBe(201);
});
afterAll(async () => {
  await ali?.close();
  await ding?.close();
  await t?.close();
});

describe('ticket steps reach the merchant’s contacts by SMS', () => {
  it('opening a ticket texts each contact who asked for ticket steps once, with the template of their language, the support phone and a short link to it', async () => {
    const tk = await openTicket();
    const sent = (await smsOf('ticket.new')).filter((s) => params(s).number === tk.number);
    expect(sent.map((s) => s.payload.mobile)).toEqual(['13700001111', '13700002222']);
    const [en, zh] = sent as [Sms, Sms];
    expect(en.payload.templateCode).toBe('SMS_TK_EN');
    expect(params(en)).toMatchObject({ number: tk.number, step: 'received, we will respond soon', phone: '400-820-8820' });
    expect(zh.payload.templateCode).toBe('SMS_TK_ZH');
    expect(params(zh).step).toBe('已受理，将尽快响应');
    expect(params(en).link).toMatch(/^http:\/\/localhost:8080\/s\/[A-Za-z0-9_-]{36}$/);
    expect(verifyShortLink(shortLinkKey(t.ctx.config)!, tokenOf(params(en).link!))).toEqual({ kind: 'tickets', id: tk.id });

    // And the provider gets exactly that (signed as Alibaba Cloud checks it).
    expect(await new DeliveryWorker(t.ctx).runDue(now())).toMatchObject({ failed: 0 });
    const forms = ali.accepted().map((c) => new URLSearchParams(c.body)).filter((f) => f.get('TemplateCode') === 'SMS_TK_EN');
    expect(forms.some((f) => JSON.parse(f.get('TemplateParam')!).number === tk.number && f.get('PhoneNumbers') === '13700001111')).toBe(true);
  });

  it('an engineer assigned with a plan and an ETA, on the way, and resolved awaiting confirmation are texted; the steps in between are not', async () => {
    const tk = await openTicket('Reader fails');
    const eta = new Date(now().getTime() + 4 * 3_600_000).toISOString();
    for (const to of ['triaged', 'locating']) expect((await move(tk.id, { to })).statusCode).toBe(200);
    expect((await move(tk.id, { to: 'planned', plan: { kind: 'onsite_repair', summary: 'Swap the reader', eta } })).statusCode).toBe(200);
    expect((await move(tk.id, { to: 'in_progress' })).statusCode).toBe(200);
    expect((await move(tk.id, { to: 'verifying' })).statusCode).toBe(200);
    const resolved = await move(tk.id, { to: 'resolved', override: true, reason: 'Checked on site with the owner' });
    expect(resolved.statusCode, resolved.body).toBe(200);

    const mine = async (event: string) => (await smsOf(event)).filter((s) => params(s).number === tk.number);
    for (const quiet of ['ticket.triaged', 'ticket.locating', 'ticket.verifying']) expect(await mine(quiet)).toEqual([]);
    const planned = (await mine('ticket.planned')).find((s) => s.payload.language === 'en-US')!;
    expect(params(planned).step).toBe('an engineer is assigned: an on-site repair by an engineer');
    expect(params(planned).eta).toMatch(/^by .*UTC\+8/);
    const plannedZh = (await mine('ticket.planned')).find((s) => s.payload.language === 'zh-CN')!;
    expect(params(plannedZh).step).toBe('已指派工程师：工程师上门维修');
    expect((await mine('ticket.in_progress')).length).toBe(2);
    const done = (await mine('ticket.resolved')).find((s) => s.payload.language === 'en-US')!;
    expect(params(done)).toMatchObject({ step: 'resolved, please confirm it works', eta: '', phone: '400-820-8820' });
  });

  it('two agents moving the ticket at the same moment: one step, one SMS per contact', async () => {
    const tk = await openTicket('Screen flickers');
    for (const to of ['triaged', 'locating']) await move(tk.id, { to });
    const second = await t.login((await t.f.user(A.org.id, 'agent')).email);
    const answers = await atOnce(2, (i) => call(i ? second : agent, 'POST', `/tickets/${tk.id}/transition`, { to: 'planned', plan: { kind: 'remote_fix', summary: 'Push the display driver' } }));
    expect(answers.map((r) => r.statusCode).sort(), answers.map((r) => r.body).join('\n')).toEqual([200, 409]);
    expect((await smsOf('ticket.planned')).filter((s) => params(s).number === tk.number)).toHaveLength(2);
  });

  it('at night (the contacts’ quiet hours, 21:00–08:00 China time) a step waits until 08:00 and then goes', async () => {
    await setClock('2026-03-02T22:30:00+08:00');
    const tk = await openTicket('Night report');
    const held = (await smsOf('ticket.new')).filter((s) => params(s).number === tk.number);
    expect(held).toHaveLength(2);
    for (const s of held) expect(new Date(s.next_attempt_at).toISOString()).toBe(new Date('2026-03-03T08:00:00+08:00').toISOString());
    await new DeliveryWorker(t.ctx).runDue(now());
    expect((await smsOf('ticket.new')).filter((s) => params(s).number === tk.number).every((s) => s.status === 'pending')).toBe(true);
    await setClock('2026-03-03T08:00:00+08:00');
    await new DeliveryWorker(t.ctx).runDue(now());
    expect((await smsOf('ticket.new')).filter((s) => params(s).number === tk.number).every((s) => s.status === 'sent')).toBe(true);
  });
});

describe('SLA escalation steps reach the group robot', () => {
  it('each step posts once naming the on-call person (@ by mobile on DingTalk), even with two SLA passes at once', async () => {
    await setClock('2026-03-09T09:30:00+08:00');
    const tk = await openTicket('Terminal offline');
    // Past the first-response deadline with no reply: two passes (two workers; on PostgreSQL two connections) at once.
    await setClock('2026-03-10T18:00:00+08:00');
    await atOnce(2, () => runSlaPass(t.ctx));
    await runSlaPass(t.ctx);
    const steps = await t.db.rawTransaction((tx) => tx.query<{ to_value: string }>(`SELECT to_value FROM ticket_events WHERE ticket_id = $1 AND type = 'sla'`, [tk.id]));
    expect(steps.length).toBeGreaterThan(0);
    const posts = await t.db.rawTransaction((tx) =>
      tx.query<{ event: string; payload: { message: { title: string; onCall: string; mentions: { mobile: string }[]; link: { url: string } } } }>(
        `SELECT event, payload FROM deliveries WHERE org_id = $1 AND channel = 'dingtalk' AND payload->'message'->'link'->>'url' LIKE $2`,
        [A.org.id, `%/tickets/${tk.id}`],
      ),
    );
    // Exactly one robot message per step that fired.
    expect(posts).toHaveLength(steps.length);
    const breach = posts.find((p) => p.event === 'ticket.sla_breached')!;
    expect(breach.payload.message.title).toBe(`Ticket ${tk.number}: first response time exceeded (${breach.payload.message.title.match(/\((\d+)%\)/)![1]}%)`);
    expect(breach.payload.message.onCall).toBe('On call: Wang Wei');
    expect(breach.payload.message.mentions.map((m) => m.mobile)).toEqual(['13900009999']);

    await new DeliveryWorker(t.ctx).runDue(now());
    const got = ding.accepted().map((c) => c.json!).filter((j) => JSON.stringify(j).includes(tk.number));
    expect(got).toHaveLength(steps.length);
    const md = got.map((j) => j.markdown as { title: string; text: string }).find((m) => m.text.includes('exceeded'))!;
    expect(md.text).toContain('@13900009999');
    expect(md.text).toContain('Wang Wei');
  });

  it('a warning step waits for the end of the on-call person’s quiet hours; a breach breaks through', async () => {
    await setClock('2026-03-11T21:00:00+08:00');
    const engineer = await t.login(A.engineer.email);
    expect((await call(engineer, 'PUT', '/me/quiet-hours', { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' })).statusCode).toBe(200);
    const { queueGroupMessagesTx } = await import('../src/notifications/outbound.js');
    await setClock('2026-03-11T23:00:00+08:00');
    const text = () => ({ title: 'T', lines: [] });
    const [warn, crit] = await t.db.rawTransaction(async (tx) => [
      await queueGroupMessagesTx(tx, { orgId: A.org.id, event: 'quiet.warning', severity: 'warning', text, path: '/tickets/x' }, now(), t.ctx.config),
      await queueGroupMessagesTx(tx, { orgId: A.org.id, event: 'quiet.critical', severity: 'critical', text, path: '/tickets/x' }, now(), t.ctx.config),
    ]);
    expect([warn, crit]).toEqual([1, 1]);
    const due = await t.db.rawTransaction((tx) => tx.query<{ event: string; next_attempt_at: Date }>(`SELECT event, next_attempt_at FROM deliveries WHERE event LIKE 'quiet.%' ORDER BY event`));
    expect(due.map((d) => [d.event, new Date(d.next_attempt_at).toISOString()])).toEqual([
      ['quiet.critical', new Date('2026-03-11T23:00:00+08:00').toISOString()],
      ['quiet.warning', new Date('2026-03-12T07:00:00+08:00').toISOString()],
    ]);
    await call(engineer, 'PUT', '/me/quiet-hours', { start: null, end: null, timeZone: 'Asia/Shanghai' });
  });
});

describe('short links', () => {
  it('open the page for whoever may see it; a tampered link, another organization’s user and another merchant’s user are refused', async () => {
    await setClock('2026-03-12T10:00:00+08:00');
    const tk = await openTicket('Link check');
    const [sms] = (await smsOf('ticket.new')).filter((s) => params(s).number === tk.number);
    const token = tokenOf(params(sms!).link!);
    expect((await call(agent, 'GET', `/short-links/${token}`)).json()).toEqual({ path: `/tickets/${tk.id}` });
    const merchantUser = await t.login(A.merchantUser.email);
    expect((await call(merchantUser, 'GET', `/short-links/${token}`)).json()).toEqual({ path: `/tickets/${tk.id}` });

    // One character changed anywhere (the id or the signature): not found.
    for (const i of [3, 20, 35]) {
      const bad = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      const res = await call(agent, 'GET', `/short-links/${bad}`);
      expect(res.statusCode, bad).toBe(404);
      expect(res.json().error.message).toBe('This link is not valid, or it leads to something you may not see.');
    }
    // A link made with another key (another installation, a guess) does not verify either.
    expect((await call(agent, 'GET', `/short-links/${signShortLink(Buffer.alloc(32, 7), 'tickets', tk.id)}`)).statusCode).toBe(404);

    const otherOrg = await t.login(B.admin.email);
    expect((await call(otherOrg, 'GET', `/short-links/${token}`)).statusCode).toBe(404);
    const otherMerchant = await t.f.merchant(A.org.id);
    const stranger = await t.f.user(A.org.id, 'merchant', { merchantId: otherMerchant.id });
    expect((await call(await t.login(stranger.email), 'GET', `/short-links/${token}`)).statusCode).toBe(404);
    // Signed in is required.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/short-links/${token}` })).statusCode).toBe(401);
  });
});

describe('who keeps a merchant’s contacts', () => {
  it('admins and agents for any merchant of theirs, a merchant’s user for their own; engineers not, other organizations not', async () => {
    const mine = await t.login(A.merchantUser.email);
    const added = await call(mine, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Cashier', mobile: '13600001111', language: 'en-US', topics: ['duplicate_charge'] });
    expect(added.statusCode, added.body).toBe(201);
    const changed = await call(mine, 'PATCH', `/merchant-contacts/${added.json().id}`, { name: 'Cashier Liu', mobile: '13600001111', language: 'zh-CN', topics: ['ticket_step', 'dispute_deadline'] });
    expect(changed.json()).toMatchObject({ name: 'Cashier Liu', language: 'zh-CN', topics: ['ticket_step', 'dispute_deadline'] });
    expect((await call(agent, 'GET', `/merchants/${A.merchant.id}/contacts`)).json().map((c: { name: string }) => c.name)).toContain('Cashier Liu');

    const otherMerchant = await t.f.merchant(A.org.id);
    expect((await call(mine, 'GET', `/merchants/${otherMerchant.id}/contacts`)).statusCode).toBe(404);
    expect((await call(mine, 'POST', `/merchants/${otherMerchant.id}/contacts`, { name: 'x', mobile: '13600002222', topics: ['alert'] })).statusCode).toBe(404);
    expect((await call(agent, 'POST', `/merchants/${otherMerchant.id}/contacts`, { name: 'Owner', mobile: '13600003333', topics: ['alert'] })).statusCode).toBe(201);
    const engineer = await t.login(A.engineer.email);
    expect((await call(engineer, 'GET', `/merchants/${A.merchant.id}/contacts`)).statusCode).toBe(403);
    const otherOrg = await t.login(B.admin.email);
    expect((await call(otherOrg, 'PATCH', `/merchant-contacts/${added.json().id}`, { name: 'x', mobile: '13600001111', topics: ['alert'] })).statusCode).toBe(404);
    expect((await call(otherOrg, 'DELETE', `/merchant-contacts/${added.json().id}`)).statusCode).toBe(404);
    expect((await call(mine, 'DELETE', `/merchant-contacts/${added.json().id}`)).statusCode).toBe(204);
  });
});
