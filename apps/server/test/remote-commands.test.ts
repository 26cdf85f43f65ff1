/**
 * Remote management, commands (issue 18): each command's arguments checked, structured results
 * (self-test checklist, position) from the terminal's acknowledgement, log bundles uploaded over
 * HTTPS and kept 14 days, bulk commands to a filter with a confirmed count and a summary.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';
import { pruneLogBundles } from '../src/commands/logs.js';

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
// Tests move the clock by days (log retention): sign in again each time.
beforeEach(async () => {
  if (t) cookie = await t.login(A.admin.email);
});

const sendCommand = (terminalId: string, payload: Record<string, unknown>, c = cookie) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${terminalId}/commands`, headers: { cookie: c, 'accept-language': 'en-US' }, payload });
const ack = (commandId: string, status: string, extra: Record<string, unknown> = {}) => ({
  v: 1,
  msgId: `ack-${commandId}-${status}`,
  at: t.clock.now().toISOString(),
  kind: 'cmd_ack',
  data: { commandId, status, ...extra },
});
const commandsOf = async (terminalId: string) => (await t.app.inject({ url: `/api/v1/terminals/${terminalId}/commands`, headers: { cookie } })).json();

function logUpload(commandId: string, content: Buffer | string, filename = 'logs.txt') {
  const b = `----poscare${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="commandId"\r\n\r\n${commandId}\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return t.app.inject({
    method: 'POST',
    url: '/device/v1/logs',
    headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}`, 'content-type': `multipart/form-data; boundary=${b}`, 'accept-language': 'en-US' },
    payload,
  });
}

describe('command arguments', () => {
  it('are checked per command, naming the field that is wrong', async () => {
    const noVersion = await sendCommand(A.terminal.id, { name: 'install', args: { kind: 'app' } });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.body).toContain('args.version');
    const badParam = await sendCommand(A.terminal.id, { name: 'push_config', args: { params: { tipEnabled: 'yes' } } });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.body).toContain('args.params.tipEnabled');
    const unknownParam = await sendCommand(A.terminal.id, { name: 'push_config', args: { params: { formatDisk: true } } });
    expect(unknownParam.statusCode).toBe(400);
    const argsOnReboot = await sendCommand(A.terminal.id, { name: 'reboot', args: { force: true } });
    expect(argsOnReboot.statusCode).toBe(400);
  });

  it('are sent with their defaults filled in, and audited with the command', async () => {
    const res = await sendCommand(A.terminal.id, { name: 'upload_logs', reason: 'crash investigation' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'upload_logs', args: { hours: 24 }, reason: 'crash investigation' });
    const lock = await sendCommand(A.terminal.id, { name: 'lock', args: { message: 'Stolen: call 95555' } });
    expect(lock.statusCode).toBe(201);
    // (install needs a catalogued package: software.test.ts)
    const rollback = await sendCommand(A.terminal.id, { name: 'rollback', args: { kind: 'app', version: '3.2.1' } });
    expect(rollback.statusCode).toBe(201);
    const audit = await t.app.inject({ url: '/api/v1/audit?entity=terminal', headers: { cookie } });
    expect(audit.body).toContain('Stolen: call 95555');
    expect(audit.body).toContain('3.2.1');
  });
});

describe('command results', () => {
  it('a self-test checklist and a position come back with the acknowledgement; an old terminal without them still works', async () => {
    const selfTest = (await sendCommand(A.terminal.id, { name: 'self_test' })).json();
    const locate = (await sendCommand(A.terminal.id, { name: 'locate' })).json();
    const reboot = (await sendCommand(A.terminal.id, { name: 'reboot' })).json();
    const checks = [
      { check: 'reader.chip', ok: true, detail: '20 reads, 0 failed' },
      { check: 'printer', ok: false, detail: 'paper_out' },
    ];
    const res = await send(t, cred, [
      ack(selfTest.id, 'failed', { detail: '1 of 2 checks failed: printer', result: { checks } }),
      ack(locate.id, 'succeeded', { result: { lat: 31.23, lon: 121.47, accuracyM: 15, source: 'gps' } }),
      ack(reboot.id, 'succeeded', { detail: 'rebooting' }),
    ]);
    expect(res.json()).toMatchObject({ accepted: 3, rejected: [] });
    const rows = await commandsOf(A.terminal.id);
    const byId = (id: string) => rows.find((r: { id: string }) => r.id === id);
    expect(byId(selfTest.id)).toMatchObject({ status: 'failed', result: { checks } });
    expect(byId(locate.id)).toMatchObject({ status: 'succeeded', result: { lat: 31.23, source: 'gps' } });
    expect(byId(reboot.id)).toMatchObject({ status: 'succeeded', result: null, detail: 'rebooting' });
  });
});

describe('lock state', () => {
  it("the terminal's live state says it refuses payments once it confirms a lock, and no longer once it confirms an unlock", async () => {
    const liveLock = async () => (await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/live`, headers: { cookie } })).json().lock;
    const lock = (await sendCommand(A.terminal.id, { name: 'lock', args: { message: 'Stolen: call 95555' } })).json();
    // Sent but not confirmed: the terminal may still take payments.
    expect(await liveLock()).toBeNull();
    t.clock.advance(1_000);
    await send(t, cred, [ack(lock.id, 'received'), ack(lock.id, 'succeeded', { detail: 'locked' })]);
    expect(await liveLock()).toMatchObject({ since: t.clock.now().toISOString(), message: 'Stolen: call 95555', by: expect.any(String) });
    // An unlock the terminal refused changes nothing; one it confirmed clears the lock.
    const refused = (await sendCommand(A.terminal.id, { name: 'unlock' })).json();
    t.clock.advance(1_000);
    await send(t, cred, [ack(refused.id, 'failed', { detail: 'busy' })]);
    expect(await liveLock()).toMatchObject({ message: 'Stolen: call 95555' });
    const unlock = (await sendCommand(A.terminal.id, { name: 'unlock' })).json();
    t.clock.advance(1_000);
    await send(t, cred, [ack(unlock.id, 'succeeded')]);
    expect(await liveLock()).toBeNull();
  });
});

describe('log bundles', () => {
  it('are taken only in answer to an upload_logs command, shown as text, downloaded, and gone after 14 days', async () => {
    const cmd = (await sendCommand(A.terminal.id, { name: 'upload_logs', args: { hours: 2 } })).json();
    const log = '2026-12-07 10:00:01 APP_CRASH NullPointerException in EmvKernel\n2026-12-07 10:00:09 BOOT\n';
    const up = await logUpload(cmd.id, gzipSync(log), 'logs.txt.gz');
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ commandId: cmd.id, filename: 'logs.txt.gz' });
    // Once per command.
    expect((await logUpload(cmd.id, 'again')).statusCode).toBe(409);

    const list = (await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/logs`, headers: { cookie } })).json();
    expect(list).toHaveLength(1);
    const text = await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/logs/${list[0].id}?view=text`, headers: { cookie } });
    expect(text.statusCode).toBe(200);
    expect(text.body).toContain('NullPointerException in EmvKernel');
    const file = await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/logs/${list[0].id}`, headers: { cookie } });
    expect(file.headers['content-disposition']).toContain('logs.txt.gz');
    expect(file.rawPayload.length).toBe(list[0].bytes);

    t.clock.advance(15 * 86_400_000);
    cookie = await t.login(A.admin.email);
    expect((await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/logs`, headers: { cookie } })).json()).toEqual([]);
    expect((await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}/logs/${list[0].id}`, headers: { cookie } })).statusCode).toBe(404);
    // The retention job removes it from the database too.
    await pruneLogBundles(t.db, t.clock.now());
    const left = await t.db.rawTransaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM log_bundles WHERE id = $1', [list[0].id]));
    expect(left[0]!.n).toBe(0);
  });

  it('are refused without a fresh command, when they hold card data, or when too large', async () => {
    const reboot = (await sendCommand(A.terminal.id, { name: 'reboot' })).json();
    expect((await logUpload(reboot.id, 'hello')).statusCode).toBe(409);
    const cmd = (await sendCommand(A.terminal.id, { name: 'upload_logs' })).json();
    const card = await logUpload(cmd.id, gzipSync('PAN=4111 1111 1111 1111 approved\n'));
    expect(card.statusCode).toBe(400);
    expect(card.json().error.id).toBe('command.log_card_data');
    expect(card.body).not.toContain('4111');
    const big = await logUpload(cmd.id, Buffer.alloc(3 * 1024 * 1024, 'a'));
    expect(big.statusCode).toBe(413);
    const stale = (await sendCommand(A.terminal.id, { name: 'upload_logs' })).json();
    t.clock.advance(16 * 60_000);
    expect((await logUpload(stale.id, 'late')).statusCode).toBe(409);
  });
});

describe('bulk commands', () => {
  it('go to every enrolled terminal the filter matches, after the count is confirmed, with progress and a summary', async () => {
    const B = await t.tenant();
    const admin = await t.login(B.admin.email);
    const second = await t.f.terminal(B.org.id, { siteId: B.site.id, merchantId: B.merchant.id, lifecycleState: 'active' });
    const unenrolled = await t.f.terminal(B.org.id, { siteId: B.site.id, merchantId: B.merchant.id, lifecycleState: 'active' });
    const c1 = await enrol(t, admin, B.terminal.serialNumber);
    const c2 = await enrol(t, admin, second.serialNumber);
    const filter = { siteId: B.site.id };

    const preview = await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk/preview', headers: { cookie: admin }, payload: filter });
    expect(preview.json()).toEqual({ matched: 3, reachable: 2 });
    const wrongCount = await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk', headers: { cookie: admin, 'accept-language': 'en-US' }, payload: { name: 'self_test', filter, expectedCount: 3 } });
    expect(wrongCount.statusCode).toBe(409);
    expect(wrongCount.json().error.message).toContain('3');

    const res = await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk', headers: { cookie: admin }, payload: { name: 'self_test', filter, expectedCount: 2, reason: 'site check' } });
    expect(res.statusCode, res.body).toBe(201);
    const batch = res.json();
    expect(batch.summary).toEqual({ total: 2, succeeded: 0, failed: 0, noAnswer: 0, pending: 2 });
    expect(batch.terminals.map((x: { terminalId: string }) => x.terminalId).sort()).toEqual([B.terminal.id, second.id].sort());
    expect(batch.terminals.map((x: { terminalId: string }) => x.terminalId)).not.toContain(unenrolled.id);

    // One terminal passes, the other never answers.
    const first = batch.terminals.find((x: { terminalId: string }) => x.terminalId === B.terminal.id);
    await send(t, c1, [ack(first.id, 'received'), ack(first.id, 'succeeded', { result: { checks: [{ check: 'printer', ok: true, detail: 'ok' }] } })]);
    await send(t, c2, [telemetry(t.clock.now(), {})]);
    const mid = (await t.app.inject({ url: `/api/v1/command-batches/${batch.id}`, headers: { cookie: admin } })).json();
    expect(mid.summary).toMatchObject({ succeeded: 1, pending: 1 });
    t.clock.advance(16 * 60_000);
    const done = (await t.app.inject({ url: `/api/v1/command-batches/${batch.id}`, headers: { cookie: admin } })).json();
    expect(done.summary).toEqual({ total: 2, succeeded: 1, failed: 0, noAnswer: 1, pending: 0 });
    const list = (await t.app.inject({ url: '/api/v1/command-batches', headers: { cookie: admin } })).json();
    expect(list[0]).toMatchObject({ id: batch.id, name: 'self_test', reason: 'site check', summary: { succeeded: 1, noAnswer: 1 } });

    // Audited per terminal.
    const audit = (await t.app.inject({ url: '/api/v1/audit?entity=terminal', headers: { cookie: admin } })).body;
    expect(audit).toContain(B.terminal.id);
    expect(audit).toContain(second.id);

    // Another organization sees nothing of it; a merchant may not send bulk commands.
    expect((await t.app.inject({ url: `/api/v1/command-batches/${batch.id}`, headers: { cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/command-batches', headers: { cookie } })).json().map((b: { id: string }) => b.id)).not.toContain(batch.id);
    const merchant = await t.login(B.merchantUser.email);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk', headers: { cookie: merchant }, payload: { name: 'lock', filter, expectedCount: 2 } })).statusCode).toBe(403);
  });

  it('a filter that reaches nobody is refused, as are arguments wrong for the command', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk', headers: { cookie }, payload: { name: 'reboot', filter: { model: 'NO-SUCH-MODEL' }, expectedCount: 1 } });
    expect(none.statusCode).toBe(400);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/commands/bulk', headers: { cookie }, payload: { name: 'rollback', args: { kind: 'app' }, filter: {}, expectedCount: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('args.version');
  });
});
