/**
 * Two requests or two workers doing the same thing at the same moment give the same result as one.
 * Meaningful on PostgreSQL (POSCARE_TEST_DB=postgres: a pool of connections, real concurrency); on
 * the embedded store the same test checks that the answer is still right when the requests interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlaPass } from '../src/tickets/sla.js';
import { atOnce } from './concurrent.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let agents: string[];

const post = (url: string, cookie: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: { cookie, 'accept-language': 'en-US' }, payload });
const count = async (sql: string, params: unknown[]) =>
  (await t.db.rawTransaction((tx) => tx.query<{ n: number }>(sql, params)))[0]!.n;

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  agents = [];
  for (let i = 0; i < 2; i++) agents.push(await t.login((await t.f.user(A.org.id, 'agent')).email));
});
afterAll(() => t.close());

describe('tickets moved by two agents at the same moment', () => {
  it('records each move once: one agent moves the ticket, the other is told it changed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      ids.push((await post('/api/v1/tickets', agents[0]!, { terminalId: term.id, title: `Reader ${i}` })).json().ticket.id);
    }
    const answers = await atOnce(40, (i) => post(`/api/v1/tickets/${ids[i >> 1]}/transition`, agents[i % 2]!, { to: 'triaged' }));
    for (let i = 0; i < 20; i++) {
      const pair = [answers[2 * i]!, answers[2 * i + 1]!].map((r) => r.statusCode).sort();
      expect(pair).toEqual([200, 409]);
      const events = await count(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND type = 'status' AND to_value = 'triaged'`, [ids[i]]);
      expect(events, `ticket ${i}`).toBe(1);
    }
    // Whether the loser got in before or after the winner committed, it is told in words, not with a 500.
    for (const r of answers.filter((x) => x.statusCode === 409)) {
      const e = r.json().error;
      expect(['ticket.changed_meanwhile', 'ticket.illegal_transition']).toContain(e.id);
      if (e.id === 'ticket.changed_meanwhile') expect(e.message).toContain('Someone else moved this ticket');
    }
  });
});

describe('a ticket given to the same person by two agents at the same moment', () => {
  it('is assigned once: one assignment event, one audit entry', async () => {
    const me = (await t.app.inject({ url: '/api/v1/me', headers: { cookie: agents[0]! } })).json().id as string;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      ids.push((await post('/api/v1/tickets', agents[0]!, { terminalId: term.id, title: `Assign ${i}` })).json().ticket.id);
    }
    const answers = await atOnce(20, (i) => post(`/api/v1/tickets/${ids[i >> 1]}/assign`, agents[i % 2]!, { assigneeId: me }));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    for (const id of ids) {
      expect(await count(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND type = 'assigned'`, [id]), id).toBe(1);
      expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'assign'`, [id]), id).toBe(1);
    }
  });
});

describe('SLA passes run by two workers at the same moment', () => {
  it('fire each escalation step once and notify once', async () => {
    t.clock.set(new Date('2026-03-06T17:30:00+08:00'));
    const agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
    const tickets: string[] = [];
    for (let i = 0; i < 5; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      tickets.push((await post('/api/v1/tickets', agent, { terminalId: term.id, title: `Printer ${i}`, priority: 'p3' })).json().ticket.id);
    }
    t.clock.set(new Date('2026-03-09T12:31:00+08:00')); // first response overdue
    const once = await atOnce(2, () => runSlaPass(t.ctx));
    const fired = once.reduce((a, r) => a + r.fired, 0);
    expect(fired).toBeGreaterThan(0);
    // Every step acted on is recorded once: the two passes together fired what one would have.
    const steps = await count(`SELECT count(*)::int AS n FROM ticket_events e JOIN tickets k ON k.id = e.ticket_id WHERE k.org_id = $1 AND e.type = 'sla'`, [A.org.id]);
    expect(steps).toBe(fired);
    const mine = await count(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = ANY($1::uuid[]) AND type = 'sla'`, [tickets]);
    expect(mine % tickets.length).toBe(0);
    expect((await runSlaPass(t.ctx)).fired).toBe(0);
    // Nobody is told the same thing twice.
    const notified = await count(`SELECT count(DISTINCT (user_id, title))::int AS n FROM notifications WHERE kind = 'ticket_sla'`, []);
    const all = await count(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'ticket_sla'`, []);
    expect(all).toBe(notified);
  });
});
