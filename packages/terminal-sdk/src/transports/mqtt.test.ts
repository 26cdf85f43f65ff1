/**
 * The MQTT channel against an in-process aedes broker on 127.0.0.1 (a 3.1.1 broker, like PosCare's
 * embedded one, so the MQTT 5 → 3.1.1 fallback is exercised too).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { topicFor, type DeviceMessage } from '@poscare/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalClient } from '../client.js';
import { UnauthenticatedError } from '../errors.js';

const ORG = '6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10';
const TERMINAL = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const SECRET = 's3cret';

interface Broker {
  port: number;
  received: { topic: string; message: DeviceMessage }[];
  clientIds: string[];
  aedes: Aedes;
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const received: Broker['received'] = [];
  const clientIds: string[] = [];
  aedes.authenticate = (client, username, password, done) => {
    const ok = username === TERMINAL && password?.toString() === SECRET;
    if (ok) clientIds.push(client.id);
    done(ok ? null : (Object.assign(new Error('not authorized'), { returnCode: 4 }) as never), ok);
  };
  aedes.on('publish', (packet, client) => {
    if (client) received.push({ topic: packet.topic, message: JSON.parse(packet.payload.toString()) as DeviceMessage });
  });
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    clientIds,
    aedes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => aedes.close(() => resolve()));
        for (const c of Object.values((aedes as unknown as { clients: Record<string, { close(): void }> }).clients)) c.close();
      }),
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

function client(port: number, secret = SECRET) {
  const c = new TerminalClient({ orgId: ORG, terminalId: TERMINAL, secret, transport: 'mqtt', mqttUrl: `mqtt://127.0.0.1:${port}`, flushDelayMs: 0, mqtt: { reconnectPeriodMs: 100, connectTimeoutMs: 3_000 } });
  open.push({ close: () => c.close({ flush: false }) });
  return c;
}

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('MQTT channel', () => {
  it('signs in with terminal id and secret and a stable client id, and publishes each kind to its topic with QoS 1', async () => {
    const broker = await startBroker();
    open.push(broker);
    const c = client(broker.port);
    await c.connect();
    c.sendTelemetry({ tempC: 30 });
    c.sendEvent({ type: 'error', code: 'PAPER_OUT', message: '打印机缺纸' });
    c.sendTransaction({ entryMode: 'qr', outcome: 'approved', responseCode: '00' });
    await c.flush();
    await until(() => broker.received.length === 3);
    expect(broker.received.map((r) => r.topic)).toEqual([topicFor(ORG, TERMINAL, 'telemetry'), topicFor(ORG, TERMINAL, 'event'), topicFor(ORG, TERMINAL, 'txn')]);
    expect(broker.clientIds).toEqual([`poscare-${TERMINAL}`]);
    expect(c.stats.sent).toBe(3);
  });

  it('receives commands on its command topic and acknowledges them', async () => {
    const broker = await startBroker();
    open.push(broker);
    const c = client(broker.port);
    c.onCommand((cmd) => ({ status: 'succeeded', detail: `did ${cmd.name}` }));
    await c.connect();
    await until(() => Object.keys((broker.aedes as unknown as { clients: object }).clients).length === 1);
    await new Promise((r) => setTimeout(r, 100)); // the subscription follows the connection
    const commandId = randomUUID();
    broker.aedes.publish({ cmd: 'publish', topic: topicFor(ORG, TERMINAL, 'cmd'), payload: Buffer.from(JSON.stringify({ v: 1, commandId, at: new Date().toISOString(), name: 'sign_in' })), qos: 1, dup: false, retain: false }, () => undefined);
    await until(() => broker.received.filter((r) => r.message.kind === 'cmd_ack').length === 2);
    const acks = broker.received.filter((r) => r.message.kind === 'cmd_ack');
    expect(acks.map((a) => a.topic)).toEqual([topicFor(ORG, TERMINAL, 'cmd_ack'), topicFor(ORG, TERMINAL, 'cmd_ack')]);
    expect(acks.map((a) => a.message.data)).toEqual([
      { commandId, status: 'received' },
      { commandId, status: 'succeeded', detail: 'did sign_in' },
    ]);
  });

  it('refuses to go on with a wrong secret', async () => {
    const broker = await startBroker();
    open.push(broker);
    await expect(client(broker.port, 'wrong').connect()).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('buffers while the broker is away and sends what it buffered when it is back', async () => {
    const broker = await startBroker();
    const c = client(broker.port);
    await c.connect();
    await broker.close();
    await until(() => c.state === 'offline');
    for (let i = 0; i < 5; i++) c.sendTelemetry({ cpuPct: i });
    expect(c.stats.queued).toBe(5);
    const again = await startBroker(broker.port);
    open.push(again);
    await until(() => again.received.length === 5, 5_000);
    expect(again.received.map((r) => (r.message.kind === 'telemetry' ? r.message.data.cpuPct : -1))).toEqual([0, 1, 2, 3, 4]);
  });
});
