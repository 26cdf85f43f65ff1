/**
 * No device message can take PosCare down (issue 13). A message nested 10,000 levels deep, NUL
 * characters, and malformed identities are refused and logged for that message alone, on MQTT (with
 * and without the decode thread) and HTTPS; the next terminal's message is stored as usual.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFor } from '@poscare/contracts';
import { MAX_PACKET_BYTES, startBroker, type EmbeddedBroker } from '../src/ingest/broker.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { MAX_DEPTH } from '../src/ingest/decode.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, event, send, telemetry } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

/** A valid envelope whose `data` is the first of `levels` nested objects: levels + 1 deep (10,000 levels is about 60 KB, under the size limit). */
function nested(levels: number, msgId = randomUUID()): string {
  return `{"v":1,"msgId":"${msgId}","at":"${t.clock.now().toISOString()}","kind":"telemetry","data":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
}

const count = async (table: 'telemetry_raw' | 'device_events', terminalId: string) =>
  Number((await t.db.rawTransaction((tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE terminal_id = $1`, [terminalId])))[0]!.n);

async function rejectionsOf(terminalId: string) {
  await t.services.pipeline.flush();
  return t.db.rawTransaction((tx) => tx.query<{ reason: string; detail: string | null; channel: string; topic: string | null; sample: string | null }>('SELECT reason, detail, channel, topic, sample FROM rejected_messages WHERE terminal_id = $1 ORDER BY id', [terminalId]));
}

async function newTerminal() {
  const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
  return enrol(t, cookie, term.serialNumber);
}

/** Settles with the publish, or with 'no answer' when the broker never acknowledges it. */
const within = <T,>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), ms))]);

describe.each([
  { decodeThread: 'never' as const, label: 'decoded on the main thread' },
  { decodeThread: 'always' as const, label: 'decoded on the decode thread' },
])('MQTT, $label', ({ decodeThread }) => {
  let broker: EmbeddedBroker;
  let pipeline: IngestPipeline;
  beforeAll(async () => {
    pipeline = new IngestPipeline(t.ctx, { decodeThread });
    broker = await startBroker({ port: 0, devices: t.services.devices, pipeline, log: t.ctx.log });
    // The decode thread takes a few seconds to load; the tests below time the broker, not that.
    const warm = await newTerminal();
    expect(await pipeline.submit({ channel: 'mqtt', ...warm }, Buffer.from(JSON.stringify(telemetry(t.clock.now()))))).toEqual({ status: 'stored' });
  });
  afterAll(async () => {
    await broker?.close();
    await pipeline?.close();
  });
  const connect = (cred: { terminalId: string; secret: string }) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: cred.terminalId, password: cred.secret, clientId: `t-${randomUUID()}`, reconnectPeriod: 0, connectTimeout: 5000 });
  const rejections = async (terminalId: string) => {
    await pipeline.flush();
    return rejectionsOf(terminalId);
  };

  it('refuses a message nested 10,000 levels deep as a logged rejection, and stores the next terminal\'s message', async () => {
    const attacker = await newTerminal();
    const victim = await newTerminal();
    const a = await connect(attacker);
    const payload = nested(10_000);
    expect(Buffer.byteLength(payload)).toBeLessThan(64 * 1024);
    // Refused messages are acknowledged like stored ones: re-sending would not help.
    expect(await within(a.publishAsync(topicFor(attacker.orgId, attacker.terminalId, 'telemetry'), payload, { qos: 1 }), 5_000)).not.toBe('no answer');
    await a.endAsync();

    const v = await connect(victim);
    await v.publishAsync(topicFor(victim.orgId, victim.terminalId, 'telemetry'), JSON.stringify(telemetry(t.clock.now(), { tempC: 31 })), { qos: 1 });
    await v.endAsync();
    expect(await count('telemetry_raw', victim.terminalId)).toBe(1);
    expect(await count('telemetry_raw', attacker.terminalId)).toBe(0);
    const log = await rejections(attacker.terminalId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ reason: 'invalid', channel: 'mqtt', detail: `nested deeper than ${MAX_DEPTH} levels` });
  });

  it('refuses NUL characters, escaped or raw, in values and keys, and stores nothing of them', async () => {
    const cred = await newTerminal();
    const c = await connect(cred);
    const topic = topicFor(cred.orgId, cred.terminalId, 'event');
    await c.publishAsync(topic, JSON.stringify(event(t.clock.now(), { type: 'error', message: 'COMM\u0000ERROR' })), { qos: 1 });
    await c.publishAsync(topic, JSON.stringify(event(t.clock.now(), { type: 'error', ['x\u0000']: 1 })), { qos: 1 });
    await c.publishAsync(topic, Buffer.concat([Buffer.from('{"v":1,"kind":"event","data":{"type":"e'), Buffer.from([0]), Buffer.from('"}}')]), { qos: 1 });
    await c.publishAsync(topic, JSON.stringify(event(t.clock.now(), { type: 'error', message: 'fine' })), { qos: 1 });
    await c.endAsync();
    expect(await count('device_events', cred.terminalId)).toBe(1);
    const log = await rejections(cred.terminalId);
    expect(log.map((r) => [r.reason, r.detail])).toEqual(Array(3).fill(['invalid', 'NUL character in message']));
  });

  it('cuts off a packet larger than any message may be at its header, logs it as oversized, and goes on', async () => {
    const cred = await newTerminal();
    const c = await connect(cred);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topicFor(cred.orgId, cred.terminalId, 'telemetry'), Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 1 });
    await closed;
    c.end(true);
    expect(await rejections(cred.terminalId)).toEqual([expect.objectContaining({ reason: 'oversized', channel: 'mqtt', detail: `MQTT packet of ${2 * 1024 * 1024 + 4 + topicFor(cred.orgId, cred.terminalId, 'telemetry').length} bytes > ${MAX_PACKET_BYTES}` })]);
    // Before signing in too: a CONNECT announcing 200 MB is cut off without waiting for the bytes.
    const socket = net.connect(broker.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const gone = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(Buffer.from([0x10, 0x80, 0x84, 0xaf, 0x5f])); // CONNECT, remaining length 200,000,000
    await gone;
    const v = await connect(cred);
    await v.publishAsync(topicFor(cred.orgId, cred.terminalId, 'telemetry'), JSON.stringify(telemetry(t.clock.now())), { qos: 1 });
    await v.endAsync();
    expect(await count('telemetry_raw', cred.terminalId)).toBe(1);
  });

  it('logs a refusal whose topic holds a NUL character, which PostgreSQL text cannot hold, with the NUL left out', async () => {
    const cred = await newTerminal();
    const c = await connect(cred);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(`poscare/v1/${cred.orgId}/${cred.terminalId}/telemetry\u0000x`, JSON.stringify(telemetry(t.clock.now())), { qos: 1 });
    await closed;
    c.end(true);
    const log = await rejections(cred.terminalId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ reason: 'wrong_topic', channel: 'mqtt', topic: `poscare/v1/${cred.orgId}/${cred.terminalId}/telemetryx` });
  });
});

describe('HTTPS', () => {
  /** The batch as the terminal's bytes: the test's own JSON.stringify could not write 10,000 levels. */
  const sendRaw = (cred: { terminalId: string; secret: string }, messages: string[], lang = 'en-US') =>
    t.app.inject({
      method: 'POST',
      url: '/device/v1/messages',
      headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}`, 'accept-language': lang, 'content-type': 'application/json' },
      payload: `{"messages":[${messages.join(',')}]}`,
    });

  it('answers a message nested 10,000 levels deep with 400 in the caller\'s language, stores nothing of the batch and logs the rejection', async () => {
    const cred = await newTerminal();
    const deep = nested(10_000);
    const good = telemetry(t.clock.now(), { tempC: 30 });
    const en = await sendRaw(cred, [JSON.stringify(good), deep]);
    expect(en.statusCode, en.body).toBe(400);
    expect(en.json().error).toMatchObject({ id: 'device.too_deep', message: `Message 1 is nested deeper than ${MAX_DEPTH} levels.` });
    const zh = await sendRaw(cred, [deep], 'zh-CN');
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.message).toBe(`第 0 条消息的嵌套超过 ${MAX_DEPTH} 层。`);
    expect(await count('telemetry_raw', cred.terminalId)).toBe(0);
    const log = await rejectionsOf(cred.terminalId);
    expect(log.map((r) => [r.reason, r.channel, r.detail])).toEqual(Array(2).fill(['invalid', 'https', `nested deeper than ${MAX_DEPTH} levels`]));
    // The terminal is not punished for it: its next batch is stored.
    expect((await send(t, cred, [good])).json()).toMatchObject({ accepted: 1 });
  });

  it('accepts a message exactly as deep as the limit allows, and refuses one level more', async () => {
    const cred = await newTerminal();
    // The envelope is level 1: data and MAX_DEPTH - 2 objects inside it fill the allowance.
    const deepest = JSON.parse(nested(MAX_DEPTH - 1)) as unknown;
    // Unknown keys are dropped, as for any message: what is stored is an empty sample.
    expect((await send(t, cred, [deepest])).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await send(t, cred, [JSON.parse(nested(MAX_DEPTH))])).statusCode).toBe(400);
  });

  it('refuses a message with a NUL character on its own, and stores the rest of the batch', async () => {
    const cred = await newTerminal();
    const res = await send(t, cred, [event(t.clock.now(), { type: 'error', message: 'a\u0000b' }), event(t.clock.now(), { type: 'ok' })]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, reason: 'invalid', detail: 'NUL character in message' }] });
  });

  it('refuses an enrollment whose serial number holds a NUL character as an invalid enrollment, not a server error', async () => {
    const code = (await t.app.inject({ method: 'POST', url: '/api/v1/enrollment-codes', headers: { cookie }, payload: { label: 'nul', maxUses: 1 } })).json().code;
    const r = await t.app.inject({ method: 'POST', url: '/device/v1/enroll', payload: { code, serialNumber: 'SN\u0000123' } });
    expect(r.statusCode, r.body).toBe(401);
    expect(r.json().error.id).toBe('device.enrollment_invalid');
  });

  it('refuses a bearer token whose terminal id is 36 dashes as unauthenticated, not a server error, and logs it', async () => {
    const r = await send(t, { terminalId: '-'.repeat(36), secret: 'x' }, [telemetry(t.clock.now())]);
    expect(r.statusCode, r.body).toBe(401);
    await t.services.pipeline.flush();
    const log = await t.db.rawTransaction((tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM rejected_messages WHERE reason = 'unknown_terminal' AND detail = 'HTTPS sign-in refused'`));
    expect(Number(log[0]!.n)).toBeGreaterThan(0);
  });
});
