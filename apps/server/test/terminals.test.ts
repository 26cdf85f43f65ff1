import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, LIFECYCLE_TRANSITIONS } from '@poscare/contracts';
import { canTransition } from '../src/terminals/service.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

const api = (method: string, url: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { cookie, 'accept-language': lang }, ...(payload ? { payload: payload as object } : {}) });
const allPass = { receipt_print: 'pass', keypad: 'pass', chip_read: 'pass', tap_read: 'pass', swipe_read: 'not_applicable', network: 'pass', time_sync: 'pass' };

describe('terminal lifecycle', () => {
  it('a retired terminal can go nowhere, and every state can be retired from somewhere', () => {
    expect(LIFECYCLE_TRANSITIONS.retired).toEqual([]);
    for (const s of LIFECYCLE_STATES) if (s !== 'retired') expect(LIFECYCLE_STATES.some((x) => canTransition(s, x))).toBe(true);
  });

  it('follows in_stock → installed → active → in_repair → swapped_out → in_stock, recording who, when and why', async () => {
    const created = await api('POST', '/terminals', { serialNumber: 'LIFE-0001', vendor: 'PAX', model: 'A920' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().lifecycleState).toBe('in_stock');
    await api('PATCH', `/terminals/${id}`, { siteId: A.site.id });
    const steps = ['installed', 'active', 'in_repair', 'swapped_out', 'in_stock'] as const;
    for (const to of steps) {
      t.clock.advance(60_000);
      const r = await api('POST', `/terminals/${id}/lifecycle`, { to, reason: `to ${to}` });
      expect(r.statusCode, r.body).toBe(200);
    }
    const detail = (await api('GET', `/terminals/${id}`)).json();
    expect(detail.lifecycleState).toBe('in_stock');
    expect(detail.history.map((h: { toState: string }) => h.toState)).toEqual([...steps].reverse().concat('in_stock'));
    expect(detail.history[0]).toMatchObject({ fromState: 'swapped_out', toState: 'in_stock', reason: 'to in_stock', actorName: A.admin.name });
    expect(detail.allowedTransitions).toEqual(['installed', 'retired']);
    expect(detail.merchantName).toBe(A.merchant.name);
  });

  it('refuses an illegal move and says which one, in the user\'s language', async () => {
    const r = await api('POST', `/terminals/${A.terminal.id}/lifecycle`, { to: 'swapped_out' }, 'zh-CN');
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatchObject({ id: 'terminal.illegal_transition', message: '终端不能从"installed"变更为"swapped_out"。' });
  });

  it('will not install a terminal that has no site', async () => {
    const created = (await api('POST', '/terminals', { serialNumber: 'NOSITE-01', vendor: 'PAX', model: 'A920' })).json();
    const r = await api('POST', `/terminals/${created.id}/lifecycle`, { to: 'installed' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.id).toBe('terminal.site_required');
  });

  it('refuses a second terminal with the same serial number in one organization', async () => {
    await api('POST', '/terminals', { serialNumber: 'DUP-0001', vendor: 'PAX', model: 'A920' });
    const r = await api('POST', '/terminals', { serialNumber: 'DUP-0001', vendor: 'PAX', model: 'A920' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toBe('A terminal with this serial number already exists.');
  });
});

describe('installation acceptance', () => {
  it('a passed checklist on an installed terminal puts it into service and is kept with who and when', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed' });
    const r = await api('POST', `/terminals/${term.id}/acceptance`, { items: allPass, notes: '小票清晰' });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ passed: true, actorName: A.admin.name, notes: '小票清晰', at: t.clock.now().toISOString() });
    const detail = (await api('GET', `/terminals/${term.id}`)).json();
    expect(detail.lifecycleState).toBe('active');
    expect(detail.history[0]).toMatchObject({ fromState: 'installed', toState: 'active', reason: 'acceptance_passed' });
    expect(detail.acceptances).toHaveLength(1);
  });

  it('a failed check keeps the terminal installed and records what failed', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed' });
    const r = await api('POST', `/terminals/${term.id}/acceptance`, { items: { ...allPass, chip_read: 'fail' } });
    expect(r.json().passed).toBe(false);
    const detail = (await api('GET', `/terminals/${term.id}`)).json();
    expect(detail.lifecycleState).toBe('installed');
    expect(detail.acceptances[0].items.chip_read).toBe('fail');
  });

  it('rejects a checklist with a missing check, naming it', async () => {
    const { time_sync: _omit, ...partial } = allPass;
    const r = await api('POST', `/terminals/${A.terminal.id}/acceptance`, { items: partial });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].path).toBe('body.items.time_sync');
  });
});

describe('audit log', () => {
  it('records every change with who, what, when and before/after, and never a password', async () => {
    const m = await api('POST', '/merchants', { mid: 'AUD-1', name: 'Before' });
    await api('PATCH', `/merchants/${m.json().id}`, { name: 'After' });
    await api('POST', '/users', { email: 'audited@x.test', name: 'Audited', role: 'agent', password: 'Audited-Pass-1' });
    const log = (await api('GET', `/audit?entity=merchant&entityId=${m.json().id}`)).json();
    expect(log.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    expect(log.items[0]).toMatchObject({ actorName: A.admin.name, before: { name: 'Before' }, after: { name: 'After' } });
    const users = await api('GET', '/audit?entity=user');
    expect(users.body).toContain('audited@x.test');
    expect(users.body).not.toMatch(/argon2|Audited-Pass-1/);
  });
});

describe('search', () => {
  it('finds terminals by part of a serial number and treats % literally', async () => {
    await api('POST', '/terminals', { serialNumber: 'FIND-ME-42', vendor: 'Newland', model: 'N910' });
    expect((await api('GET', '/terminals?q=ME-4')).json().items.map((x: { serialNumber: string }) => x.serialNumber)).toEqual(['FIND-ME-42']);
    expect((await api('GET', '/terminals?q=%25')).json().total).toBe(0);
  });
});

describe('live status in the terminal list', () => {
  it('filters and sorts by live status, health reason and last seen, counting exactly what the fleet page counts', async () => {
    const B = await t.tenant();
    const c = await t.login(B.admin.email);
    const get = async (qs: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/terminals?${qs}`, headers: { cookie: c } })).json();
    const now = t.clock.now().getTime();
    const mk = async (sn: string, seenMinutesAgo: number | null, health = 'ok', reasons: string[] = [], state: 'active' | 'in_stock' = 'active') => {
      const term = await t.f.terminal(B.org.id, { serialNumber: sn, siteId: B.site.id, merchantId: B.merchant.id, lifecycleState: state });
      if (seenMinutesAgo !== null) {
        await t.db.rawTransaction((tx) =>
          tx.query(`INSERT INTO terminal_live (terminal_id, org_id, last_seen_at, health, health_reasons) VALUES ($1, $2, $3, $4, $5)`, [
            term.id, B.org.id, new Date(now - seenMinutesAgo * 60_000), health, JSON.stringify(reasons),
          ]),
        );
      }
      return term;
    };
    await mk('LIVE-OK', 1);
    await mk('LIVE-PAPER', 0.5, 'critical', ['printer_fault']);
    await mk('LIVE-GONE-1', 30, 'ok');
    await mk('LIVE-GONE-2', 90, 'critical', ['printer_fault']); // stale readings: offline, not "critical"
    await mk('LIVE-NEW', null);
    await mk('LIVE-SHELF', null, 'ok', [], 'in_stock');

    const fleet = (await t.app.inject({ method: 'GET', url: '/api/v1/fleet/overview', headers: { cookie: c } })).json();
    const offline = await get('inService=true&status=offline');
    expect(offline.total).toBe(fleet.status.offline);
    expect(offline.items.map((x: { serialNumber: string }) => x.serialNumber).sort()).toEqual(['LIVE-GONE-1', 'LIVE-GONE-2']);
    expect(offline.items.every((x: { status: string; healthReasons: string[] }) => x.status === 'offline' && x.healthReasons.length === 0)).toBe(true);
    expect((await get('inService=true&status=critical')).total).toBe(fleet.status.critical);
    expect((await get('inService=true&status=never_seen&q=LIVE')).items.map((x: { serialNumber: string }) => x.serialNumber)).toEqual(['LIVE-NEW']);
    // Only terminals still reporting count for a reason, as on the fleet page.
    expect((await get('reason=printer_fault')).items.map((x: { serialNumber: string }) => x.serialNumber)).toEqual(['LIVE-PAPER']);
    const bySeen = (await get('sort=lastSeen&order=asc&q=LIVE')).items.map((x: { serialNumber: string }) => x.serialNumber);
    expect(bySeen.slice(-4)).toEqual(['LIVE-GONE-2', 'LIVE-GONE-1', 'LIVE-OK', 'LIVE-PAPER']);
    const worst = (await get('sort=status&q=LIVE')).items.map((x: { status: string }) => x.status);
    expect(worst.slice(0, 3)).toEqual(['critical', 'offline', 'offline']);
    const ok = (await get('status=ok&q=LIVE-OK')).items[0];
    expect(ok.lastSeenAt).toBe(new Date(now - 60_000).toISOString());
  });

  it('exports the filtered list as CSV and XLSX in the reader\'s language, with no formula a spreadsheet could run', async () => {
    const B = await t.tenant();
    const c = await t.login(B.admin.email);
    const m = await t.f.merchant(B.org.id, { name: '=HYPERLINK("http://evil.example","x")' });
    await t.f.terminal(B.org.id, { serialNumber: 'EXP-1', merchantId: m.id, lifecycleState: 'active' });
    await t.f.terminal(B.org.id, { serialNumber: 'EXP-2', lifecycleState: 'in_stock' });
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/terminals/export?format=csv&inService=true&status=never_seen&q=EXP', headers: { cookie: c, 'accept-language': 'zh-CN' } });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/poscare-terminals-\d{4}-\d{2}-\d{2}\.csv/);
    const lines = csv.rawPayload.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toContain('序列号');
    expect(lines).toHaveLength(2); // the header and EXP-1 (EXP-2 is in stock)
    expect(lines[1]).toContain('EXP-1');
    expect(lines[1]).toContain('运行中');
    expect(lines[1]).toContain('从未上线');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    const xlsx = await t.app.inject({ method: 'GET', url: '/api/v1/terminals/export?format=xlsx&q=EXP', headers: { cookie: c } });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const tickets = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/export?format=csv&status=all', headers: { cookie: c, 'accept-language': 'en-US' } });
    expect(tickets.statusCode, tickets.body).toBe(200);
    expect(tickets.rawPayload.subarray(3).toString('utf8').split('\r\n')[0]).toBe('Ticket,Title,Status,Priority,Serial number,Assignee,Opened (UTC+8),Updated (UTC+8),SLA breached');
  });
});

describe('bulk lifecycle changes', () => {
  it('moves every chosen terminal it may, lists the ones it may not, and never touches another tenant\'s', async () => {
    const B = await t.tenant();
    const C = await t.tenant();
    const c = await t.login(B.admin.email);
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await t.f.terminal(B.org.id, { serialNumber: `BULK-${i}`, siteId: B.site.id, merchantId: B.merchant.id, lifecycleState: 'active' }));
    const retired = await t.f.terminal(B.org.id, { serialNumber: 'BULK-R', lifecycleState: 'retired' });
    const foreign = await t.f.terminal(C.org.id, { serialNumber: 'BULK-C', lifecycleState: 'active' });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/terminals/bulk/lifecycle',
      headers: { cookie: c, 'accept-language': 'en-US' },
      payload: { ids: [...mine.map((x) => x.id), retired.id, foreign.id], to: 'in_repair', reason: 'depot check' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.done).toBe(3);
    expect(body.failed.map((f: { id: string; error: { id: string } }) => [f.id, f.error.id])).toEqual([
      [retired.id, 'terminal.illegal_transition'],
      [foreign.id, 'not_found'],
    ]);
    const states = await t.db.rawTransaction((tx) => tx.query<{ serial_number: string; lifecycle_state: string }>(`SELECT serial_number, lifecycle_state FROM terminals WHERE serial_number LIKE 'BULK-%' ORDER BY serial_number`));
    expect(states.map((s) => `${s.serial_number}:${s.lifecycle_state}`)).toEqual(['BULK-0:in_repair', 'BULK-1:in_repair', 'BULK-2:in_repair', 'BULK-C:active', 'BULK-R:retired']);
  });
});
