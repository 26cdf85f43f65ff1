/**
 * Tickets follow the handling flow: opened from the troubleshooter, an agent or an alert rule, carrying
 * the diagnosis; deduplicated per terminal and cause; every transition recorded with who and why;
 * illegal ones refused; the merchant sees the customer-facing timeline of their own tickets only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertRuntime } from '../src/alerts/runtime.js';
import { alertTicketOpener } from '../src/tickets/service.js';
import { runSlaPass } from '../src/tickets/sla.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let agent: string;
let agentId: string;
let agentEmail: string;
let merchant: string;
let adminB: string;
let cred: Awaited<ReturnType<typeof enrol>>;

const call = (method: 'GET' | 'POST', url: string, cookie: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  admin = await t.login(A.admin.email);
  const ag = await t.f.user(A.org.id, 'agent');
  agentId = ag.id;
  agentEmail = ag.email;
  agent = await t.login(ag.email);
  merchant = await t.login(A.merchantUser.email);
  adminB = await t.login(B.admin.email);
  // The terminal's chip reader has been failing for the last minutes.
  cred = await enrol(t, admin, A.terminal.serialNumber);
  const now = t.clock.now().getTime();
  await send(t, cred, [1, 2, 3, 4, 5].map((k) => telemetry(new Date(now - (10 - k) * 60_000), { reader: { chip: { attempts: 12, failures: 6 }, contactless: { attempts: 10, failures: 0 } }, network: { connected: true } })));
});
afterAll(async () => t?.close());

let ticketId: string;

describe('opening tickets', () => {
  it('a merchant opens one from the troubleshooter: it carries their answers and the diagnosis, and is numbered', async () => {
    const res = await call('POST', '/api/v1/tickets', merchant, {
      terminalId: A.terminal.id,
      title: '插卡没反应',
      description: '插卡读不出来，挥卡可以',
      source: 'troubleshooter',
      symptom: 'chip_fails',
      answers: { reseated_card: 'yes' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { ticket, duplicate } = res.json();
    expect(duplicate).toBe(false);
    expect(ticket).toMatchObject({ number: 'T000001', status: 'new', source: 'troubleshooter', causeCode: 'hw.reader.chip', category: 'hardware' });
    expect(ticket.answers).toMatchObject({ reseated_card: 'yes' });
    // Merchants do not see the diagnosis or internal entries; staff do.
    expect(ticket.diagnosis).toBeNull();
    expect(ticket.events.every((e: { internal: boolean }) => !e.internal)).toBe(true);
    ticketId = ticket.id;
    const staff = (await call('GET', `/api/v1/tickets/${ticketId}`, agent)).json();
    expect(staff.diagnosis.causes[0].code).toBe('hw.reader.chip');
    expect(staff.events.map((e: { type: string }) => e.type)).toEqual(['created', 'diagnosis']);
  });

  it('a second report of the same terminal and cause lands on the open ticket instead of a new one', async () => {
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Caller: chip cards fail', causeCode: 'hw.reader.chip' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ duplicate: true, ticket: { id: ticketId } });
    expect(res.json().ticket.events.at(-1)).toMatchObject({ type: 'duplicate', body: 'Caller: chip cards fail' });
  });

  it('a card number typed into a ticket is refused naming the field, in the caller language, and nothing is stored', async () => {
    const before = (await call('GET', '/api/v1/tickets?status=all', agent)).json().total;
    const res = await call('POST', '/api/v1/tickets', merchant, { terminalId: A.terminal.id, title: 'card refused', description: 'card 4111 1111 1111 1111 was declined' }, 'zh-CN');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.description' });
    expect(res.json().error.details[0].message).toContain('卡号');
    expect((await call('GET', '/api/v1/tickets?status=all', agent)).json().total).toBe(before);
    const comment = await call('POST', `/api/v1/tickets/${ticketId}/comments`, merchant, { body: 'my card is 4111111111111111' });
    expect(comment.statusCode).toBe(400);
    expect((await call('GET', `/api/v1/tickets/${ticketId}`, agent)).body).not.toContain('4111111111111111');
  });

  it('an unknown symptom is refused naming the field', async () => {
    const res = await call('POST', '/api/v1/tickets', merchant, { terminalId: A.terminal.id, title: 'x', symptom: 'made_up' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.symptom');
  });

  it('a terminal of another tenant or another merchant cannot be named', async () => {
    expect((await call('POST', '/api/v1/tickets', adminB, { terminalId: A.terminal.id, title: 'x' })).statusCode).toBe(404);
    const other = await t.f.merchant(A.org.id);
    const otherUser = await t.login((await t.f.user(A.org.id, 'merchant', { merchantId: other.id })).email);
    expect((await call('POST', '/api/v1/tickets', otherUser, { terminalId: A.terminal.id, title: 'x' })).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/tickets/${ticketId}`, otherUser)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/tickets/${ticketId}`, adminB)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/tickets', otherUser)).json().total).toBe(0);
  });
});

describe('the handling flow', () => {
  it('refuses a step the flow does not allow, in the caller language', async () => {
    const res = await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'resolved' }, 'zh-CN');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ id: 'ticket.illegal_transition' });
    expect(res.json().error.message).toContain('工单');
  });

  it('merchants may not move tickets', async () => {
    expect((await call('POST', `/api/v1/tickets/${ticketId}/transition`, merchant, { to: 'triaged' })).statusCode).toBe(403);
  });

  it('goes new → triaged → locating → planned (a plan is required) → in progress, recording who and why', async () => {
    const step = (payload: object) => call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, payload);
    expect((await step({ to: 'triaged', priority: 'p2', category: 'hardware', reason: 'merchant cannot take chip cards' })).statusCode).toBe(200);
    expect((await step({ to: 'locating' })).statusCode).toBe(200);
    const noPlan = await step({ to: 'planned' });
    expect(noPlan.statusCode).toBe(400);
    expect(noPlan.json().error.details[0].path).toBe('body.plan');
    const planned = await step({ to: 'planned', plan: { kind: 'onsite_repair', summary: 'replace chip reader', estimatedMinutes: 90, estimatedCostMinor: 12000, eta: '2026-03-03T10:00:00+08:00' } });
    expect(planned.statusCode, planned.body).toBe(200);
    expect(planned.json()).toMatchObject({ priority: 'p2', plan: { kind: 'onsite_repair' }, eta: '2026-03-03T02:00:00.000Z' });
    const going = (await step({ to: 'in_progress' })).json();
    const statusEvents = going.events.filter((e: { type: string }) => e.type === 'status');
    expect(statusEvents.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).toEqual(['new→triaged', 'triaged→locating', 'locating→planned', 'planned→in_progress']);
    expect(statusEvents[0]).toMatchObject({ actor: expect.stringContaining('agent'), body: 'merchant cannot take chip cards' });
  });

  it('waiting for the merchant needs a reason, and the merchant reply returns the ticket to where it was', async () => {
    expect((await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'waiting_merchant' })).statusCode).toBe(400);
    const waiting = await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'waiting_merchant', reason: 'When can the engineer come?' });
    expect(waiting.json()).toMatchObject({ status: 'waiting_merchant', next: ['in_progress'] });
    const reply = await call('POST', `/api/v1/tickets/${ticketId}/comments`, merchant, { body: '明天上午都可以' });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().status).toBe('in_progress');
  });

  it('internal notes stay internal; comments reach the merchant', async () => {
    await call('POST', `/api/v1/tickets/${ticketId}/comments`, agent, { body: 'reader batch 2025-11 is faulty', internal: true });
    await call('POST', `/api/v1/tickets/${ticketId}/comments`, agent, { body: 'Engineer booked for 10:00', internal: false });
    const seen = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    const bodies = seen.events.map((e: { body: string | null }) => e.body);
    expect(bodies).toContain('Engineer booked for 10:00');
    expect(bodies).not.toContain('reader batch 2025-11 is faulty');
    // A merchant's "internal" flag is ignored: there is nothing internal for them to write.
    await call('POST', `/api/v1/tickets/${ticketId}/comments`, merchant, { body: 'thanks', internal: true });
    expect((await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json().events.at(-1)).toMatchObject({ body: 'thanks', internal: false });
  });

  it('is assigned to staff only, and reaches resolved and closed; reopening needs a reason', async () => {
    expect((await call('POST', `/api/v1/tickets/${ticketId}/assign`, agent, { assigneeId: A.merchantUser.id })).statusCode).toBe(404);
    const assigned = await call('POST', `/api/v1/tickets/${ticketId}/assign`, agent, { assigneeId: agentId });
    expect(assigned.json().assigneeId).toBe(agentId);
    expect((await call('GET', '/api/v1/tickets?assigneeId=me', agent)).json().items.map((x: { id: string }) => x.id)).toContain(ticketId);
    const verifying = (await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'verifying', reason: 'reader replaced' })).json();
    expect(verifying.verification).toMatchObject({ status: 'pending' });
    // The terminal has not shown the fix yet: resolving is refused unless overridden with a reason.
    const early = await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'resolved' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.id).toBe('ticket.verification_failed');
    // After the repair the chip reader reads again: 24 of 24 attempts succeed.
    t.clock.advance(60_000);
    const at = (k: number) => new Date(t.clock.now().getTime() + k * 1000);
    await send(t, cred, [telemetry(at(1), { reader: { chip: { attempts: 12, failures: 0 } }, network: { connected: true } }), telemetry(at(2), { reader: { chip: { attempts: 12, failures: 0 } }, network: { connected: true } })]);
    t.clock.advance(5_000);
    const checked = (await call('GET', `/api/v1/tickets/${ticketId}`, agent)).json();
    expect(checked.verification.status, JSON.stringify(checked.verification)).toBe('passed');
    expect(checked.verification.checks.find((c: { id: string }) => c.id === 'reader').text).toContain('100%');
    const resolved = (await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'resolved' })).json();
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.events.at(-1).body).toContain('100%');
    expect((await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'in_progress' })).statusCode).toBe(400);
    // Resolved, the terminal and cause are free again: a new report opens a new ticket.
    const fresh = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'again', causeCode: 'hw.reader.chip' });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().ticket.number).toBe('T000002');
    const closed = await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, { to: 'closed' });
    expect(closed.json().next).toEqual([]);
  });
});

describe('assigning several tickets at once', () => {
  it('gives the chosen tickets to one person, lists refusals in the caller language, and never touches another tenant', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      mine.push((await call('POST', '/api/v1/tickets', agent, { terminalId: term.id, title: `Bulk ${i}` })).json().ticket.id);
    }
    const foreign = (await call('POST', '/api/v1/tickets', adminB, { terminalId: B.terminal.id, title: 'theirs' })).json().ticket.id as string;
    // The people to choose from are this organization's staff, with the open tickets each holds.
    const staff = (await call('GET', '/api/v1/tickets/assignees', agent)).json().items as { id: string; role: string; openTickets: number }[];
    expect(staff.map((u) => u.id)).toContain(agentId);
    expect(staff.every((u) => ['admin', 'agent', 'engineer'].includes(u.role))).toBe(true);
    const before = staff.find((u) => u.id === agentId)!.openTickets;

    const res = await call('POST', '/api/v1/tickets/bulk/assign', agent, { ids: [...mine, foreign], assigneeId: agentId }, 'zh-CN');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().done).toBe(3);
    expect(res.json().failed).toEqual([{ id: foreign, error: expect.objectContaining({ id: 'not_found' }) }]);
    expect(res.json().failed[0].error.message).toMatch(/[\u4e00-\u9fff]/);
    for (const id of mine) expect((await call('GET', `/api/v1/tickets/${id}`, agent)).json().assigneeId).toBe(agentId);
    expect((await call('GET', `/api/v1/tickets/${foreign}`, adminB)).json().assigneeId).toBeNull();
    const after = (await call('GET', '/api/v1/tickets/assignees', agent)).json().items.find((u: { id: string }) => u.id === agentId).openTickets;
    expect(after).toBe(before + 3);

    // Giving them again to the same person changes nothing and records nothing new.
    const again = await call('POST', '/api/v1/tickets/bulk/assign', agent, { ids: mine, assigneeId: agentId });
    expect(again.json()).toEqual({ done: 3, failed: [] });
    const detail = (await call('GET', `/api/v1/tickets/${mine[0]}`, agent)).json();
    expect(detail.events.filter((e: { type: string }) => e.type === 'assigned')).toHaveLength(1);

    // Merchants cannot assign; a merchant user cannot be an assignee.
    expect((await call('POST', '/api/v1/tickets/bulk/assign', merchant, { ids: mine, assigneeId: null })).statusCode).toBe(403);
    const toMerchant = await call('POST', '/api/v1/tickets/bulk/assign', agent, { ids: mine.slice(0, 1), assigneeId: A.merchantUser.id });
    expect(toMerchant.json().done).toBe(0);
  });
});

describe('alerts open tickets', () => {
  it('a rule with autoTicket (tamper) opens a linked p1 ticket that the alert shows', async () => {
    const rt = new AlertRuntime(t.ctx, { localIngest: true, openTicket: alertTicketOpener(t.services.tickets) });
    rt.attach(t.services.pipeline);
    await rt.start();
    t.services.alerts.attachRuntime(rt);
    try {
      const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      const cred = await enrol(t, admin, term.serialNumber);
      await send(t, cred, [telemetry(t.clock.now(), { tamper: true })]);
      await rt.settled();
      const alert = (await call('GET', `/api/v1/alerts?rule=sec.tamper&terminalId=${term.id}`, agent)).json().items[0];
      expect(alert.ticketId).toBeTruthy();
      const ticket = (await call('GET', `/api/v1/tickets/${alert.ticketId}`, agent)).json();
      expect(ticket).toMatchObject({ source: 'alert', priority: 'p1', alertId: alert.id, terminalId: term.id, causeCode: 'sec.tamper' });
      const timeline = (await call('GET', `/api/v1/alerts/${alert.id}`, agent)).json().events.map((e: { type: string }) => e.type);
      expect(timeline).toContain('ticket_opened');
    } finally {
      rt.stop();
      t.services.alerts.attachRuntime(null);
    }
  });
});

/** Moves the clock (sessions last 12 h, so everyone signs in again). */
async function setClock(at: string) {
  t.clock.set(new Date(at));
  agent = await t.login(agentEmail);
  merchant = await t.login(A.merchantUser.email);
}

describe('SLA', () => {
  it('an agent may resolve without the terminal showing the fix only with an override and a reason', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const tk = (await call('POST', '/api/v1/tickets', agent, { terminalId: term.id, title: 'paper', causeCode: 'hw.printer.paper_out' })).json().ticket;
    for (const to of ['triaged', 'locating']) await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to });
    await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to: 'planned', plan: { kind: 'remote_fix', summary: 'merchant reloads paper' } });
    for (const to of ['in_progress', 'verifying']) await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to });
    expect((await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to: 'resolved', override: true })).statusCode).toBe(400);
    const done = await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to: 'resolved', override: true, reason: 'terminal is switched off for the night; merchant confirmed by phone' });
    expect(done.statusCode, done.body).toBe(200);
    const events = done.json().events;
    expect(events.at(-2)).toMatchObject({ type: 'status', to: 'resolved', body: 'override (pending)' });
    // The reason is for staff: the merchant's timeline shows that it was resolved, not the internal reasoning.
    expect(events.at(-1)).toMatchObject({ type: 'note', internal: true, body: expect.stringContaining('switched off') });
    // The merchant sees that it was resolved: no override marker, no failed verification with raw values.
    const seen = (await call('GET', `/api/v1/tickets/${tk.id}`, merchant)).json();
    expect(seen.verification).toBeNull();
    expect(seen.events.find((e: { to: string }) => e.to === 'resolved')).toMatchObject({ type: 'status', body: null });
    expect(JSON.stringify(seen.events)).not.toMatch(/override|pending|switched off/);
  });

  it('a p3 ticket of a standard merchant opened Friday 17:30 has its first response due Monday 12:30, and its escalation fires once', async () => {
    await setClock('2026-03-06T17:30:00+08:00');
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const opened = await call('POST', '/api/v1/tickets', agent, { terminalId: term.id, title: 'Printer smudges', priority: 'p3' });
    expect(opened.statusCode, opened.body).toBe(201);
    const created = opened.json().ticket;
    const first = created.sla.clocks.find((c: { clock: string }) => c.clock === 'firstResponse');
    expect(first.due).toBe(new Date('2026-03-09T12:30:00+08:00').toISOString());

    const slaSteps = async () => (await call('GET', `/api/v1/tickets/${created.id}`, agent)).json().events.filter((e: { type: string }) => e.type === 'sla').length;
    // Nothing is due over the weekend.
    await setClock('2026-03-08T23:00:00+08:00');
    await runSlaPass(t.ctx);
    expect(await slaSteps()).toBe(0);
    // Monday 12:31: the first-response deadline has passed with no reply.
    await setClock('2026-03-09T12:31:00+08:00');
    await runSlaPass(t.ctx);
    const fired = await slaSteps();
    expect(fired).toBeGreaterThan(0);
    await runSlaPass(t.ctx);
    expect(await slaSteps()).toBe(fired);
    const d = (await call('GET', `/api/v1/tickets/${created.id}`, agent)).json();
    expect(d.sla.clocks.find((c: { clock: string }) => c.clock === 'firstResponse').outcome).toBe('breached');
    expect(d.sla.escalations.every((e: { fired: boolean }) => e.fired)).toBe(true);
    expect(d.events.filter((e: { type: string }) => e.type === 'sla').length).toBe(d.sla.escalations.length);
    const [{ n } = { n: 0 }] = await t.db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'ticket_sla'`));
    expect(n).toBeGreaterThan(0);
    // Told in each person's language (users here are zh-CN by default), naming the ticket.
    const titles = await t.db.rawTransaction((tx) => tx.query<{ title: string }>(`SELECT title FROM notifications WHERE kind = 'ticket_sla'`));
    expect(titles.some((x) => x.title.includes(`工单 ${created.number}`) && x.title.includes('首次响应'))).toBe(true);
  });

  it('waiting for the merchant stops the resolution clock', async () => {
    await setClock('2026-03-10T10:00:00+08:00');
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const tk = (await call('POST', '/api/v1/tickets', agent, { terminalId: term.id, title: 'Keys', priority: 'p3' })).json().ticket;
    await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to: 'triaged' });
    const before = (await call('POST', `/api/v1/tickets/${tk.id}/transition`, agent, { to: 'waiting_merchant', reason: 'which shop?' })).json();
    const res = (c: { clocks: { clock: string; due: string | null; paused: boolean }[] }) => c.clocks.find((x) => x.clock === 'resolution')!;
    expect(res(before.sla).paused).toBe(true);
    await setClock('2026-03-10T14:00:00+08:00');
    const resumed = (await call('POST', `/api/v1/tickets/${tk.id}/comments`, merchant, { body: 'the one on Nanjing Road' })).json();
    expect(resumed.status).toBe('triaged');
    // Four business hours waited: the resolution due moved four business hours later than without the wait.
    const created = new Date('2026-03-10T10:00:00+08:00').getTime();
    expect(new Date(res(resumed.sla).due!).getTime()).toBeGreaterThan(created);
    const other = (await call('POST', '/api/v1/tickets', agent, { terminalId: (await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' })).id, title: 'k2', priority: 'p3' })).json().ticket;
    // Opened four business hours later without a wait: same due as the paused one.
    expect(res(other.sla).due).toBe(res(resumed.sla).due);
  });
});
