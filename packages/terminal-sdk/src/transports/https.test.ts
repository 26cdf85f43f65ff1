import { MAX_BATCH, type DeviceMessage } from '@poscare/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TerminalClient } from '../client.js';
import type { TerminalSdkError } from '../errors.js';
import { DeviceServer } from '../testing/deviceServer.js';

const ORG = '6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10';
const TERMINAL = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

let server: DeviceServer;
beforeEach(async () => {
  server = await new DeviceServer().start();
});
afterEach(async () => {
  await server.stop();
});

const client = (baseUrl = server.url, extra: Partial<ConstructorParameters<typeof TerminalClient>[0]> = {}) =>
  new TerminalClient({ orgId: ORG, terminalId: TERMINAL, secret: 's3cret', transport: 'https', httpBaseUrl: baseUrl, autoFlush: false, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });
const messagesOf = (i: number) => (server.requests[i]?.body as { messages: DeviceMessage[] }).messages;

describe('HTTPS channel', () => {
  it('posts batches of at most MAX_BATCH with the terminal\'s bearer credential', async () => {
    const c = client(`${server.url}/`);
    await c.connect();
    for (let i = 0; i < 1_200; i++) c.sendTelemetry({ cpuPct: i % 100 });
    expect(await c.flush()).toEqual({ sent: 1_200, pending: 0, dropped: 0 });
    expect(server.requests.map((r) => [r.method, r.url])).toEqual(Array(3).fill(['POST', '/device/v1/messages']));
    expect(server.requests.map((r) => messagesOf(server.requests.indexOf(r)).length)).toEqual([MAX_BATCH, MAX_BATCH, 200]);
    expect(server.requests[0]!.authorization).toBe(`Bearer ${TERMINAL}:s3cret`);
    const ids = server.requests.flatMap((_, i) => messagesOf(i).map((m) => m.msgId));
    expect(new Set(ids).size).toBe(1_200);
  });

  it('retries on 503 with back-off, then succeeds; the messages are posted again unchanged', async () => {
    server.replies.push({ status: 503, body: { error: { id: 'server.busy', message: 'busy' } } });
    const c = client();
    c.sendEvent({ type: 'error', code: 'COMM_ERROR', message: 'COMM ERROR' });
    c.sendEvent({ type: 'info', message: '签到成功' });
    expect(await c.flush()).toMatchObject({ sent: 2, pending: 0 });
    expect(server.requests).toHaveLength(2);
    expect(messagesOf(1)).toEqual(messagesOf(0));
    expect(c.stats.retries).toBe(1);
  });

  it('does not retry on 400 and reports the server\'s error id', async () => {
    server.replies.push({ status: 400, body: { error: { id: 'validation.failed', message: 'bad body' } } });
    const c = client();
    const errors: TerminalSdkError[] = [];
    c.onError((e) => errors.push(e));
    c.sendEvent({ type: 'info' });
    expect(await c.flush()).toMatchObject({ sent: 0, pending: 0 });
    expect(server.requests).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'http_status', status: 400, errorId: 'validation.failed' });
    expect(c.stats.failed).toBe(1);
  });

  it('stops on 401 instead of failing every batch in turn', async () => {
    server.replies.push({ status: 401, body: { error: { id: 'device.unauthenticated', message: 'no' } } });
    const c = client(server.url, { transport: 'https' });
    const errors: TerminalSdkError[] = [];
    c.onError((e) => errors.push(e));
    for (let i = 0; i < 600; i++) c.sendEvent({ type: 'info' });
    await c.flush();
    expect(server.requests).toHaveLength(1);
    expect(errors[0]?.code).toBe('unauthenticated');
  });

  it('counts messages the server refuses one by one', async () => {
    server.replies.push({ status: 200, body: { accepted: 1, duplicates: 1, rejected: [{ index: 2, reason: 'invalid', detail: 'data.tempC: too big' }] } });
    const c = client();
    const errors: TerminalSdkError[] = [];
    c.onError((e) => errors.push(e));
    for (let i = 0; i < 3; i++) c.sendTelemetry({ cpuPct: i });
    await c.flush();
    expect(c.stats).toMatchObject({ sent: 1, duplicates: 1, rejected: 1 });
    expect(errors[0]?.message).toContain('data.tempC: too big');
  });

  it('keeps messages queued while the server cannot be reached, and sends them when it can', async () => {
    const port = new URL(server.url).port;
    await server.stop();
    const c = client(`http://127.0.0.1:${port}`, { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    for (let i = 0; i < 3; i++) c.sendTelemetry({ cpuPct: i });
    expect(await c.flush()).toMatchObject({ sent: 0, pending: 3 });
    expect(c.state).toBe('offline');

    const again = new DeviceServer();
    await again.startOn(Number(port));
    try {
      expect(await c.flush()).toMatchObject({ sent: 3, pending: 0 });
      expect(c.state).toBe('online');
      expect((again.requests[0]!.body as { messages: DeviceMessage[] }).messages.map((m) => (m.kind === 'telemetry' ? m.data.cpuPct : -1))).toEqual([0, 1, 2]);
    } finally {
      await again.stop();
    }
  });

  it('with autoFlush, sends by itself shortly after messages are queued', async () => {
    const c = client(server.url, { autoFlush: true, flushDelayMs: 10 });
    c.sendTelemetry({ cpuPct: 1 });
    c.sendTelemetry({ cpuPct: 2 });
    await new Promise((r) => setTimeout(r, 150));
    expect(server.requests).toHaveLength(1);
    expect(messagesOf(0)).toHaveLength(2);
    await c.close();
  });
});
