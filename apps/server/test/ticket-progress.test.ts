/**
 * What the merchant hears about their ticket (each step, in their language, with the plan and the expected
 * time), how tickets link to alerts, what the queue shows of the SLA without evaluating each row, and the
 * similar past cases an agent sees while locating.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlaPass } from '../src/tickets/sla.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let agent: string;
let merchant: string;
let adminB: string;

const call = (method: 'GET' | 'POST' | 'PUT', url: string, cookie: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });

async function relogin() {
  agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
  merchant = await t.login(A.merchantUser.email);
  adminB = await t.login(B.admin.email);
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  await relogin();
});
afterAll(async () => t?.close());

const inbox = async () => (await call('GET', '/api/v1/notifications?limit=100', merchant)).json().items as { title: string; body: string; ticketId: string | null; kind: string }[];

describe('the merchant is kept informed', () => {
  let id: string;

  it('hears that an agent opened a ticket about their terminal, in their language (zh-CN by default)', async () => {
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Receipt printer jams', causeCode: 'hw.printer.jam' });
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().ticket.id;
    const mine = (await inbox()).filter((n) => n.ticketId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'ticket_step', title: expect.stringContaining('工单 T'), body: '我们已收到您的报修，将尽快响应。' });
  });

  it('is told each step: the plan and the expected time, the progress, and that the problem is resolved with a request to rate', async () => {
    const step = (payload: object) => call('POST', `/api/v1/tickets/${id}/transition`, agent, payload);
    expect((await step({ to: 'triaged' })).statusCode).toBe(200);
    expect((await step({ to: 'locating' })).statusCode).toBe(200);
    expect((await step({ to: 'planned', plan: { kind: 'onsite_repair', summary: 'replace the print head', eta: '2026-03-03T14:00:00+08:00' } })).statusCode).toBe(200);
    expect((await step({ to: 'in_progress' })).statusCode).toBe(200);
    expect((await step({ to: 'verifying' })).statusCode).toBe(200);
    expect((await step({ to: 'resolved', override: true, reason: 'printed a test receipt on site' })).statusCode).toBe(200);
    const bodies = (await inbox()).filter((n) => n.ticketId === id).map((n) => n.body);
    expect(bodies).toContain('客服已受理您的报修，正在跟进。');
    expect(bodies).toContain('处理方案已确定：工程师上门维修。预计 2026年3月3日 14:00（北京时间）前完成。');
    expect(bodies).toContain('处理已完成，正在确认终端恢复正常。');
    expect(bodies).toContain('问题已解决。请在 7 天内为本次服务评分。');
    // The override reason is for staff: it never reaches the merchant.
    expect(bodies.join(' ')).not.toContain('printed a test receipt on site');
  });

  it('a resolved ticket asks for a rating only while one can be given: after rating it thanks the merchant, after 7 days it just says resolved', async () => {
    const progress = async (ticket: string, lang = 'en-US') => (await call('GET', `/api/v1/tickets/${ticket}`, merchant, undefined, lang)).json().progress.text as string;
    expect(await progress(id, 'zh-CN')).toBe('问题已解决。请在 7 天内为本次服务评分。');
    expect((await call('POST', `/api/v1/tickets/${id}/rating`, merchant, { score: 5, comment: 'fast' })).statusCode).toBe(201);
    expect(await progress(id, 'zh-CN')).toBe('问题已解决，感谢您对本次服务的评价。');
    expect(await progress(id)).toBe('Your problem is resolved. Thank you for rating our service.');

    const other = (await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Keypad sticks', causeCode: 'hw.keypad' })).json().ticket.id;
    for (const step of [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'remote_fix', summary: 'recalibrate' } }, { to: 'in_progress' }, { to: 'verifying' }, { to: 'resolved', override: true, reason: 'cleaned' }]) {
      expect((await call('POST', `/api/v1/tickets/${other}/transition`, agent, step)).statusCode).toBe(200);
    }
    expect(await progress(other)).toBe('Your problem is resolved. Please rate our service within 7 days.');
    t.clock.advance(7 * 24 * 3_600_000 + 60_000);
    await relogin();
    expect(await progress(other)).toBe('Your problem is resolved.');
  });

  it('the ticket page says where the ticket is and when to expect the fix, in the caller language', async () => {
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Battery flat by noon', causeCode: 'hw.battery.degraded' });
    const other = res.json().ticket.id;
    await call('POST', `/api/v1/tickets/${other}/transition`, agent, { to: 'triaged' });
    await call('POST', `/api/v1/tickets/${other}/transition`, agent, { to: 'locating' });
    await call('POST', `/api/v1/tickets/${other}/transition`, agent, { to: 'planned', plan: { kind: 'replacement', summary: 'swap the terminal', eta: '2026-03-04T10:00:00+08:00' } });
    const en = (await call('GET', `/api/v1/tickets/${other}`, merchant, undefined, 'en-US')).json();
    expect(en.progress).toEqual({ text: expect.stringMatching(/^We have a plan: a replacement terminal\. Expected by .*2026.*10:00 \(UTC\+8\)\.$/), eta: '2026-03-04T02:00:00.000Z' });
    const zh = (await call('GET', `/api/v1/tickets/${other}`, merchant, undefined, 'zh-CN')).json();
    expect(zh.progress.text).toBe('处理方案已确定：更换终端。预计 2026年3月4日 10:00（北京时间）前完成。');
  });

  it('a staff reply reaches the merchant; an internal note does not; the merchant is not told about their own reply', async () => {
    const before = (await inbox()).length;
    await call('POST', `/api/v1/tickets/${id}/comments`, agent, { body: 'reader batch is faulty', internal: true });
    expect((await inbox()).length).toBe(before);
    await call('POST', `/api/v1/tickets/${id}/comments`, agent, { body: 'The engineer arrives at 14:00' });
    const after = await inbox();
    expect(after.length).toBe(before + 1);
    expect(after.map((n) => n.body)).toContain('客服回复：The engineer arrives at 14:00');
    await call('POST', `/api/v1/tickets/${id}/comments`, merchant, { body: 'ok, thanks' });
    expect((await inbox()).length).toBe(before + 1);
  });

  it('a merchant who chose e-mail gets each step by e-mail as well, in the language they set', async () => {
    const prefs = await call('PUT', '/api/v1/me/notification-preferences', merchant, { console: true, email: true, minSeverity: 'warning', language: 'en-US' });
    expect(prefs.statusCode, prefs.body).toBe(200);
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Wi-Fi drops', causeCode: 'net.signal.weak' });
    const tid = res.json().ticket.id;
    await call('POST', `/api/v1/tickets/${tid}/transition`, agent, { to: 'waiting_merchant', reason: 'Which router do you use?' });
    const mails = await t.db.rawTransaction((tx) =>
      tx.query<{ target: string; payload: { subject: string; text: string } }>(`SELECT target, payload FROM deliveries WHERE event = 'ticket_step' AND user_id = $1 ORDER BY created_at`, [A.merchantUser.id]),
    );
    expect(mails.map((m) => m.target)).toEqual([A.merchantUser.email, A.merchantUser.email]);
    expect(mails[1]!.payload.subject).toMatch(/^Ticket T\d{6}: Wi-Fi drops$/);
    expect(mails[1]!.payload.text).toContain('We need your reply to continue: Which router do you use?');
  });

  it('reopening a resolved ticket counts, and tells the merchant why', async () => {
    const reopened = await call('POST', `/api/v1/tickets/${id}/transition`, agent, { to: 'in_progress', reason: 'Jammed again this morning.' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    const [row] = await t.db.rawTransaction((tx) => tx.query<{ reopen_count: number }>('SELECT reopen_count FROM tickets WHERE id = $1', [id]));
    expect(row!.reopen_count).toBe(1);
    expect((await inbox()).filter((n) => n.ticketId === id).map((n) => n.body)).toContain('Your ticket was reopened and we are working on it again. Jammed again this morning.');
  });
});

describe('tickets and alerts', () => {
  async function alertOf(orgId: string, terminalId: string) {
    const id = randomUUID();
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO alerts (id, org_id, fingerprint, rule_code, rule_version, severity, status, group_by, scope_key, scope_label, terminal_id, members, member_count, started_at, last_change_at)
         VALUES ($1, $2, $3, 'hw.reader.chip.failures', 1, 'warning', 'firing', 'terminal', $4::text, 'x', $4::uuid, '[]', 1, $5, $5)`,
        [id, orgId, `hw.reader.chip.failures:${id}`, terminalId, t.clock.now()],
      ),
    );
    return id;
  }

  it('a ticket opened from an alert page links both ways, and the alert timeline says who opened it', async () => {
    const alertId = await alertOf(A.org.id, A.terminal.id);
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Chip reads failing', causeCode: 'hw.reader.chip', alertId });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().ticket.alertId).toBe(alertId);
    const alert = (await call('GET', `/api/v1/alerts/${alertId}`, agent)).json();
    expect(alert.ticketId).toBe(res.json().ticket.id);
    expect(alert.events.map((e: { type: string }) => e.type)).toContain('ticket_opened');
  });

  it("another organization's alert cannot be named", async () => {
    const alertB = await alertOf(B.org.id, B.terminal.id);
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'x', alertId: alertB }, 'zh-CN');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('未找到该告警。');
  });
});

describe('SLA in the queue', () => {
  it('queue rows carry the first-response and resolution deadlines; once a deadline passes the ticket shows as breached', async () => {
    const res = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: 'Host timeouts', causeCode: 'ext.host.outage', priority: 'p1' });
    const id = res.json().ticket.id;
    const row = (await call('GET', '/api/v1/tickets?priority=p1', agent)).json().items.find((x: { id: string }) => x.id === id);
    expect(row.firstResponseDue).not.toBeNull();
    expect(row.resolutionDue).not.toBeNull();
    expect(row.slaBreached).toBe(false);
    t.clock.advance(3 * 24 * 3_600_000);
    await runSlaPass(t.ctx);
    await relogin();
    const late = (await call('GET', '/api/v1/tickets?priority=p1', agent)).json().items.find((x: { id: string }) => x.id === id);
    expect(late.slaBreached).toBe(true);
  });
});

describe('similar past cases', () => {
  async function resolvedTicket(cookie: string, terminalId: string, title: string, causeCode: string, plan: string) {
    const id = (await call('POST', '/api/v1/tickets', cookie, { terminalId, title, causeCode })).json().ticket.id;
    for (const to of ['triaged', 'locating']) await call('POST', `/api/v1/tickets/${id}/transition`, cookie, { to });
    await call('POST', `/api/v1/tickets/${id}/transition`, cookie, { to: 'planned', plan: { kind: 'onsite_repair', summary: plan } });
    for (const to of ['in_progress', 'verifying']) await call('POST', `/api/v1/tickets/${id}/transition`, cookie, { to });
    const r = await call('POST', `/api/v1/tickets/${id}/transition`, cookie, { to: 'resolved', override: true, reason: 'fixed on site' });
    expect(r.statusCode, r.body).toBe(200);
    return id;
  }

  it('ranks resolved tickets of the same cause and words first, shows what fixed them, and never shows other organizations or open tickets', async () => {
    const t2 = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, model: 'A920', appVersion: '3.2.0' });
    const t3 = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, model: 'V200c', appVersion: '1.0.0' });
    const best = await resolvedTicket(agent, t2.id, '插卡读不出来，提示请重新插卡', 'hw.reader.chip', 'replaced the chip reader module');
    const causeOnly = await resolvedTicket(agent, t3.id, 'IC card fails', 'hw.reader.chip', 'cleaned the chip contacts');
    const unrelated = await resolvedTicket(agent, t3.id, '打印机缺纸', 'hw.printer.paper_out', 'loaded paper');
    const elsewhere = await resolvedTicket(adminB, B.terminal.id, '插卡读不出来', 'hw.reader.chip', 'B fix');
    const now = await call('POST', '/api/v1/tickets', agent, { terminalId: (await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, model: 'A920', appVersion: '3.2.0' })).id, title: '顾客插卡读不出来', causeCode: 'hw.reader.chip' });
    const res = await call('GET', `/api/v1/tickets/${now.json().ticket.id}/similar`, agent);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { id: string; because: string[]; planSummary: string }[];
    expect(items[0]).toMatchObject({ id: best, because: ['cause', 'words', 'model', 'version'], planSummary: 'replaced the chip reader module' });
    expect(items.map((x) => x.id)).toContain(causeOnly);
    expect(items.map((x) => x.id).indexOf(causeOnly)).toBeLessThan(items.map((x) => x.id).indexOf(unrelated) === -1 ? Infinity : items.map((x) => x.id).indexOf(unrelated));
    expect(items.map((x) => x.id)).not.toContain(elsewhere);
    // Merchants do not see other merchants' cases.
    expect((await call('GET', `/api/v1/tickets/${now.json().ticket.id}/similar`, merchant)).statusCode).toBe(403);
  });
});
