/**
 * Remote commands: stored, handed to an HTTPS terminal with the answer to its next batch (once),
 * their status taken from the terminal's own acknowledgements; scoped to the tenant and audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
let cred: Awaited<ReturnType<typeof enrol>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
  cred = await enrol(t, cookie, A.terminal.serialNumber);
});
afterAll(async () => t?.close());

const sendCommand = (terminalId: string, payload: Record<string, unknown>, c = cookie) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${terminalId}/commands`, headers: { cookie: c, 'accept-language': 'en-US' }, payload });
const ack = (commandId: string, status: string, detail?: string) => ({ v: 1, msgId: `ack-${commandId}-${status}`, at: t.clock.now().toISOString(), kind: 'cmd_ack', data: { commandId, status, ...(detail ? { detail } : {}) } });

describe('remote commands', () => {
  it('are stored as sent, handed to the HTTPS terminal once, and take the status the terminal acknowledges', async () => {
    const res = await sendCommand(A.terminal.id, { name: 'print_test', reason: 'diagnosis: hw.printer.paper_out' });
    expect(res.statusCode, res.body).toBe(201);
    const cmd = res.json();
    expect(cmd).toMatchObject({ name: 'print_test', status: 'sent', terminalId: A.terminal.id });

    const batch = await send(t, cred, [telemetry(t.clock.now(), { printer: { status: 'ok' } })]);
    expect(batch.statusCode).toBe(200);
    expect(batch.json().commands).toEqual([expect.objectContaining({ v: 1, commandId: cmd.id, name: 'print_test' })]);
    // Handed over once: the next batch does not carry it again.
    const again = await send(t, cred, [telemetry(new Date(t.clock.now().getTime() + 1000), {})]);
    expect(again.json().commands ?? []).toEqual([]);

    await send(t, cred, [ack(cmd.id, 'received'), ack(cmd.id, 'succeeded', 'test page printed')]);
    const list = await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/commands`, headers: { cookie } });
    expect(list.json()[0]).toMatchObject({ id: cmd.id, status: 'succeeded', detail: 'test page printed' });

    const audit = await t.app.inject({ url: '/api/v1/audit?entity=terminal', headers: { cookie } });
    expect(audit.body).toContain('print_test');
  });

  it('expire when the terminal never answers', async () => {
    const cmd = (await sendCommand(A.terminal.id, { name: 'reboot' })).json();
    t.clock.advance(16 * 60_000);
    const list = (await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/commands`, headers: { cookie } })).json();
    expect(list.find((c: { id: string }) => c.id === cmd.id).status).toBe('expired');
    const batch = await send(t, cred, [telemetry(t.clock.now(), {})]);
    expect((batch.json().commands ?? []).map((c: { commandId: string }) => c.commandId)).not.toContain(cmd.id);
  });

  it('are refused for a terminal without a device credential, with a message in the caller language', async () => {
    const other = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${other.id}/commands`, headers: { cookie, 'accept-language': 'zh-CN' }, payload: { name: 'reboot' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('command.not_enrolled');
    expect(res.json().error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('may not be sent by a merchant or a risk analyst', async () => {
    for (const role of ['merchant', 'risk_analyst'] as const) {
      const u = await t.f.user(A.org.id, role, role === 'merchant' ? { merchantId: A.merchant.id } : {});
      const res = await sendCommand(A.terminal.id, { name: 'reboot' }, await t.login(u.email));
      expect(res.statusCode, role).toBe(403);
    }
  });

  it('refuse a command name the protocol does not know', async () => {
    const res = await sendCommand(A.terminal.id, { name: 'format_disk' });
    expect(res.statusCode).toBe(400);
  });
});
