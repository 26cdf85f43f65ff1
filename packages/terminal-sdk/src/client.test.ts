import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TerminalClient } from './client.js';
import { CardDataError, ConfigError, MessageValidationError, type TerminalSdkError } from './errors.js';
import { FakeTransport } from './testing/fakeTransport.js';

const ORG = '6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10';
const TERMINAL = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const AT = new Date('2026-03-02T04:30:00.000Z');

function client(transport: FakeTransport, extra: Partial<ConstructorParameters<typeof TerminalClient>[0]> = {}) {
  return new TerminalClient({ orgId: ORG, terminalId: TERMINAL, secret: 's3cret', transport, autoFlush: false, clock: { now: () => AT }, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra });
}

describe('TerminalClient', () => {
  it('stamps, checks and sends messages in order', async () => {
    const t = new FakeTransport();
    const c = client(t);
    await c.connect();
    const m1 = c.sendTelemetry({ tempC: 31.5 });
    const m2 = c.sendEvent({ type: 'error', code: 'PAPER_OUT', message: '打印机缺纸' }, new Date(AT.getTime() + 1000));
    const m3 = c.sendTransaction({ entryMode: 'contactless', outcome: 'approved', responseCode: '00', cardToken: 'tok_5a1f0c9e2b7d' });
    expect(m1.at).toBe(AT.toISOString());
    expect(new Set([m1.msgId, m2.msgId, m3.msgId]).size).toBe(3);
    expect(await c.flush()).toEqual({ sent: 3, pending: 0, dropped: 0 });
    expect(t.messages.map((m) => m.kind)).toEqual(['telemetry', 'event', 'txn']);
    expect(c.stats).toMatchObject({ sent: 3, queued: 0 });
  });

  it('throws a typed error naming the bad field and queues nothing', async () => {
    const t = new FakeTransport();
    const c = client(t);
    expect(() => c.sendTelemetry({ network: { lossPct: 120 } })).toThrow(MessageValidationError);
    expect(() => c.sendTransaction({ entryMode: 'tap' as never, outcome: 'approved' })).toThrow(expect.objectContaining({ field: 'data.entryMode' }));
    expect(c.stats.queued).toBe(0);
  });

  it('refuses card data with a clear error', () => {
    const c = client(new FakeTransport());
    expect(() => c.sendTransaction({ entryMode: 'chip', outcome: 'approved', cardToken: '5555555555554444' })).toThrow(CardDataError);
    expect(() => c.sendEvent({ type: 'debug', message: '%B4111111111111111^DOE/JOHN^2512' })).toThrow(/full card number or track data/);
    expect(c.stats.queued).toBe(0);
  });

  it('chunks the outbox into batches no larger than the transport takes', async () => {
    const t = new FakeTransport(4);
    const c = client(t);
    for (let i = 0; i < 10; i++) c.sendTelemetry({ cpuPct: i });
    await c.flush();
    expect(t.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(t.messages.map((m) => (m.kind === 'telemetry' ? m.data.cpuPct : -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('buffers while offline and sends everything, in order, once back online', async () => {
    const t = new FakeTransport(500, false);
    const c = client(t, { autoFlush: true, flushDelayMs: 0 });
    await c.connect();
    expect(c.state).toBe('offline');
    for (let i = 0; i < 5; i++) c.sendTelemetry({ cpuPct: i });
    expect(await c.flush()).toMatchObject({ sent: 0, pending: 5 });
    t.setOnline(true);
    await new Promise((r) => setTimeout(r, 20));
    await c.flush();
    expect(t.messages.map((m) => (m.kind === 'telemetry' ? m.data.cpuPct : -1))).toEqual([0, 1, 2, 3, 4]);
    expect(c.state).toBe('online');
  });

  it('keeps a bounded outbox, dropping the oldest and counting them', async () => {
    const t = new FakeTransport(500, false);
    const c = client(t, { queueLimit: 5 });
    for (let i = 0; i < 8; i++) c.sendTelemetry({ cpuPct: i });
    expect(c.stats).toMatchObject({ queued: 5, dropped: 3 });
    t.setOnline(true);
    expect(await c.flush()).toEqual({ sent: 5, pending: 0, dropped: 3 });
    expect(t.messages.map((m) => (m.kind === 'telemetry' ? m.data.cpuPct : -1))).toEqual([3, 4, 5, 6, 7]);
  });

  it('retries a batch after 503 and delivers it once', async () => {
    const t = new FakeTransport();
    t.failures.push(503, 503);
    const c = client(t);
    c.sendEvent({ type: 'info' });
    expect(await c.flush()).toMatchObject({ sent: 1, pending: 0 });
    expect(t.batches).toHaveLength(1);
    expect(c.stats.retries).toBe(2);
  });

  it('does not retry a 400: the batch is reported and dropped', async () => {
    const t = new FakeTransport();
    t.failures.push(400);
    const c = client(t);
    const errors: TerminalSdkError[] = [];
    c.onError((e) => errors.push(e));
    c.sendEvent({ type: 'info' });
    expect(await c.flush()).toMatchObject({ sent: 0, pending: 0 });
    expect(c.stats).toMatchObject({ failed: 1, retries: 0 });
    expect(errors[0]?.code).toBe('http_status');
  });

  it('keeps the batch queued when retries run out on a retryable error', async () => {
    const t = new FakeTransport();
    t.failures.push(503, 503, 503, 503, 503, 503);
    const c = client(t, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    c.sendEvent({ type: 'info' });
    expect(await c.flush()).toMatchObject({ sent: 0, pending: 1 });
    expect(c.state).toBe('offline');
    t.failures.length = 0;
    expect(await c.flush()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('acknowledges commands: received at once, then the handler\'s result', async () => {
    const t = new FakeTransport();
    const c = client(t);
    c.onCommand((cmd) => (cmd.name === 'print_test' ? { status: 'failed', detail: '打印机缺纸' } : { status: 'succeeded' }));
    const commandId = randomUUID();
    t.deliverCommand({ v: 1, commandId, at: AT.toISOString(), name: 'print_test' });
    t.deliverCommand({ v: 1, commandId, at: AT.toISOString(), name: 'print_test' }); // QoS 1 re-delivery
    await new Promise((r) => setTimeout(r, 5));
    await c.flush();
    const acks = t.messages.filter((m) => m.kind === 'cmd_ack').map((m) => m.data);
    expect(acks).toEqual([
      { commandId, status: 'received' },
      { commandId, status: 'failed', detail: '打印机缺纸' },
    ]);
  });

  it('acknowledges a throwing handler as failed, and reports invalid commands without calling handlers', async () => {
    const t = new FakeTransport();
    const c = client(t);
    const errors: TerminalSdkError[] = [];
    c.onError((e) => errors.push(e));
    let calls = 0;
    c.onCommand(() => {
      calls++;
      throw new Error('reboot not allowed during a transaction');
    });
    t.deliverCommand({ v: 1, commandId: 'not-a-uuid', at: AT.toISOString(), name: 'reboot' });
    t.deliverCommand('garbage');
    expect(calls).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['command_invalid', 'command_invalid']);
    const commandId = randomUUID();
    t.deliverCommand({ v: 1, commandId, at: AT.toISOString(), name: 'reboot' });
    await new Promise((r) => setTimeout(r, 5));
    await c.flush();
    expect(t.messages.map((m) => m.data)).toContainEqual({ commandId, status: 'failed', detail: 'reboot not allowed during a transaction' });
  });

  it('requires the channel settings it needs', () => {
    expect(() => new TerminalClient({ orgId: ORG, terminalId: TERMINAL, secret: 'x', transport: 'https' })).toThrow(ConfigError);
    expect(() => new TerminalClient({ orgId: ORG, terminalId: TERMINAL, secret: 'x', transport: 'mqtt' })).toThrow(ConfigError);
  });

  it('refuses to send after close', async () => {
    const c = client(new FakeTransport());
    await c.close();
    expect(() => c.sendEvent({ type: 'info' })).toThrow(expect.objectContaining({ code: 'closed' }));
  });
});
