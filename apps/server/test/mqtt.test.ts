/**
 * The MQTT device channel: the embedded broker's authentication, topic rules and ack-after-commit,
 * and ingest from an external broker (the Mosquitto at 127.0.0.1:1883) with shared subscriptions.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFor } from '@poscare/contracts';
import { startBroker, type EmbeddedBroker } from '../src/ingest/broker.js';
import { startExternalIngest } from '../src/ingest/externalBroker.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, telemetry } from './device.js';

const MOSQUITTO = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const reachable = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = net.connect({ host: u.hostname, port: Number(u.port || 1883), timeout: 1000 }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
const mosquittoUp = await reachable(MOSQUITTO);

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
let broker: EmbeddedBroker;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
  broker = await startBroker({ port: 0, devices: t.services.devices, pipeline: t.services.pipeline, log: t.ctx.log });
});
afterAll(async () => {
  await broker?.close();
  await t?.close();
});

const countTelemetry = async (terminalId: string) =>
  Number((await t.db.rawTransaction((tx) => tx.query<{ n: string }>('SELECT count(*) AS n FROM telemetry_raw WHERE terminal_id = $1', [terminalId])))[0]!.n);

function connect(username: string, password: string) {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username, password, clientId: `t-${randomUUID()}`, reconnectPeriod: 0, connectTimeout: 5000 });
}

describe('embedded MQTT broker', () => {
  it('acknowledges a QoS 1 message only once it is stored', async () => {
    const cred = await enrol(t, cookie, A.terminal.serialNumber);
    const c = await connect(cred.terminalId, cred.secret);
    for (let i = 0; i < 20; i++) {
      await c.publishAsync(topicFor(cred.orgId, cred.terminalId, 'telemetry'), JSON.stringify(telemetry(t.clock.now(), { tempC: 30 + i })), { qos: 1 });
      expect(await countTelemetry(cred.terminalId)).toBe(i + 1);
    }
    await c.endAsync();
  });

  it('refuses a wrong secret', async () => {
    await expect(connect(A.terminal.id, 'wrong')).rejects.toThrow();
  });

  it('disconnects a terminal that publishes under another terminal\'s topic, and stores nothing of it', async () => {
    const other = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const cred = await enrol(t, cookie, other.serialNumber);
    const c = await connect(cred.terminalId, cred.secret);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topicFor(A.org.id, A.terminal.id, 'telemetry'), JSON.stringify(telemetry(t.clock.now())), { qos: 1 });
    await closed;
    expect(await countTelemetry(other.id)).toBe(0);
    await t.services.pipeline.flush();
    const log = (await t.app.inject({ url: '/api/v1/device-rejections?reason=wrong_topic', headers: { cookie } })).json();
    expect(log.items[0]).toMatchObject({ terminalId: other.id, reason: 'wrong_topic', channel: 'mqtt' });
    c.end(true);
  });

  it('cuts a terminal off the moment its credential is revoked', async () => {
    const other = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const cred = await enrol(t, cookie, other.serialNumber);
    const c = await connect(cred.terminalId, cred.secret);
    const closed = new Promise<number>((r) => c.once('close', () => r(Date.now())));
    const at = Date.now();
    await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${other.id}/credential/revoke`, headers: { cookie } });
    expect((await closed) - at).toBeLessThan(1000);
    await expect(connect(cred.terminalId, cred.secret)).rejects.toThrow();
    c.end(true);
  });
});

describe.skipIf(!mosquittoUp)('external broker with shared subscriptions', () => {
  it('two ingest processes split one stream; every message is stored exactly once', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    await enrol(t, cookie, term.serialNumber);
    const group = `poscare-test-${randomUUID().slice(0, 8)}`;
    const p1 = new IngestPipeline(t.ctx, { maxDelayMs: 2 });
    const p2 = new IngestPipeline(t.ctx, { maxDelayMs: 2 });
    const i1 = await startExternalIngest({ url: MOSQUITTO, clientId: `${group}-1`, group, connections: 2, devices: t.services.devices, pipeline: p1, log: t.ctx.log });
    const i2 = await startExternalIngest({ url: MOSQUITTO, clientId: `${group}-2`, group, connections: 2, devices: t.services.devices, pipeline: p2, log: t.ctx.log });
    const pub = await mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, clientId: `${group}-pub` });
    const N = 1000;
    const topic = topicFor(A.org.id, term.id, 'telemetry');
    await Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(topic, JSON.stringify(telemetry(new Date(t.clock.now().getTime() + i * 1000), { tempC: 35 })), { qos: 1 })));
    // Also a message for a terminal that does not exist and one from the wrong organization.
    await pub.publishAsync(topicFor(A.org.id, randomUUID(), 'telemetry'), JSON.stringify(telemetry(t.clock.now())), { qos: 1 });
    await pub.publishAsync(topicFor(randomUUID(), term.id, 'telemetry'), JSON.stringify(telemetry(t.clock.now())), { qos: 1 });
    const deadline = Date.now() + 30_000;
    while ((await countTelemetry(term.id)) < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await p1.flush();
    await p2.flush();
    expect(await countTelemetry(term.id)).toBe(N);
    expect(p1.stats.stored + p2.stats.stored).toBe(N);
    expect(p1.stats.stored).toBeGreaterThan(0);
    expect(p2.stats.stored).toBeGreaterThan(0);
    // The two refused messages may still be in flight on another connection: wait for them too.
    const refused = (r: string) => (p1.stats.rejected[r] ?? 0) + (p2.stats.rejected[r] ?? 0);
    while ((refused('unknown_terminal') < 1 || refused('wrong_tenant') < 1) && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 100));
    // Other tests publish to the same broker at the same time; their terminals are unknown here.
    expect((p1.stats.rejected.unknown_terminal ?? 0) + (p2.stats.rejected.unknown_terminal ?? 0)).toBeGreaterThanOrEqual(1);
    expect((p1.stats.rejected.wrong_tenant ?? 0) + (p2.stats.rejected.wrong_tenant ?? 0)).toBeGreaterThanOrEqual(1);
    await pub.endAsync();
    await i1.close();
    await i2.close();
  }, 60_000);
});
if (!mosquittoUp) console.log(`skipped: external-broker tests need an MQTT broker at ${MOSQUITTO}`);
