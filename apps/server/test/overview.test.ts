/**
 * Where each role starts: the counts are the sizes of the lists they link to, for the caller's own
 * organization (merchants: their own merchant), and each part only for those who may read it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;

const as = (cookie: string) => ({
  get: async (url: string) => (await t.app.inject({ method: 'GET', url, headers: { cookie } })).json(),
  post: async (url: string, payload: object) => (await t.app.inject({ method: 'POST', url, headers: { cookie }, payload })).json(),
});

async function alert(orgId: string, merchantId: string, severity: string, suppressed = false) {
  const id = randomUUID();
  const now = t.clock.now();
  await t.db.rawTransaction((tx) =>
    tx.query(
      `INSERT INTO alerts (id, org_id, fingerprint, rule_code, rule_version, severity, status, group_by, scope_key, scope_label, merchant_id, members, member_count, started_at, last_change_at, suppressed)
       VALUES ($1, $2, $3, 'hw.printer', 1, $4, 'firing', 'terminal', 'x', 'x', $5, '[]', 1, $6, $6, $7)`,
      [id, orgId, `fp:${id}`, severity, merchantId, now, suppressed ? JSON.stringify({ kind: 'silence', id, until: null }) : null],
    ),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
});
afterAll(() => t.close());

describe('my overview', () => {
  it('counts open alerts by severity, tickets at risk, my queue and my work orders exactly as the linked lists do', async () => {
    const agentUser = await t.f.user(A.org.id, 'agent');
    const agent = as(await t.login(agentUser.email));
    const other = await t.f.merchant(A.org.id);
    await alert(A.org.id, A.merchant.id, 'critical');
    await alert(A.org.id, other.id, 'critical');
    await alert(A.org.id, A.merchant.id, 'warning');
    await alert(A.org.id, A.merchant.id, 'critical', true); // silenced: not in the inbox
    await alert(B.org.id, B.merchant.id, 'critical'); // another tenant

    const opened: string[] = [];
    for (let i = 0; i < 3; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      opened.push((await agent.post('/api/v1/tickets', { terminalId: term.id, title: `Printer ${i}`, priority: i === 0 ? 'p1' : 'p3' })).ticket.id);
    }
    await agent.post(`/api/v1/tickets/${opened[1]}/assign`, { assigneeId: agentUser.id });

    const mine = await agent.get('/api/v1/me/overview');
    expect(mine.alerts).toEqual({ critical: 2, warning: 1, info: 0 });
    const inbox = await agent.get('/api/v1/alerts?severity=critical');
    expect(inbox.total).toBe(mine.alerts.critical);
    expect(mine.tickets).toMatchObject({ open: 3, mine: 1, unassigned: 2 });
    expect((await agent.get('/api/v1/tickets?assigneeId=me')).total).toBe(mine.tickets.mine);
    expect((await agent.get('/api/v1/tickets?sla=at_risk')).total).toBe(mine.tickets.atRisk);

    // Hours later the p1's deadlines are close or past: the overview and the queue agree on which.
    t.clock.set(new Date(t.clock.now().getTime() + 50 * 60_000));
    const later = as(await t.login(agentUser.email));
    const o = await later.get('/api/v1/me/overview');
    expect(o.tickets.atRisk + o.tickets.breached).toBeGreaterThan(0);
    expect((await later.get('/api/v1/tickets?sla=at_risk')).total).toBe(o.tickets.atRisk);
    expect((await later.get('/api/v1/tickets?sla=breached')).total).toBe(o.tickets.breached);
  });

  it('shows a merchant only their own alerts and tickets, and no work orders', async () => {
    const merchant = as(await t.login(A.merchantUser.email));
    const o = await merchant.get('/api/v1/me/overview');
    expect(o.alerts).toEqual({ critical: 1, warning: 1, info: 0 });
    expect(o.tickets.open).toBe(3);
    expect(o.workOrders).toBeNull();
    const b = as(await t.login(B.admin.email));
    expect((await b.get('/api/v1/me/overview')).tickets.open).toBe(0);
  });
});

describe('the support line merchants are given', () => {
  it('is set by the organization\'s admin in both languages and read by its merchants, never across tenants', async () => {
    const admin = await t.login(A.admin.email);
    const put = (cookie: string, orgId: string, payload: object) => t.app.inject({ method: 'PUT', url: `/api/v1/organizations/${orgId}/support`, headers: { cookie, 'accept-language': 'en-US' }, payload });
    const body = { phone: '400-888-0000', hours: { 'zh-CN': '工作日 9:00–18:00', 'en-US': 'Weekdays 9:00–18:00' } };
    expect((await put(admin, A.org.id, body)).statusCode).toBe(200);
    const merchant = await t.login(A.merchantUser.email);
    expect(await as(merchant).get(`/api/v1/organizations/${A.org.id}/support`)).toEqual(body);
    expect((await put(merchant, A.org.id, { phone: null, hours: null })).statusCode).toBe(403);
    expect((await put(admin, A.org.id, { phone: 'call us', hours: null })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/organizations/${B.org.id}/support`, headers: { cookie: merchant } })).statusCode).toBe(404);
    const audit = await as(admin).get('/api/v1/audit?entity=organization_support');
    expect(audit.total).toBe(1);
  });
});
