/**
 * The network runner against stand-ins for PosCare on 127.0.0.1: an HTTP server answering
 * /device/v1/messages, and an in-process aedes MQTT broker. No external services.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { DeviceMessage, MAX_BATCH, topicFor } from '@poscare/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';
import { runFleet, type RunProgress, type TerminalCredential } from './runner.js';

const ORG = '6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Two hours of trading at lunchtime, local time. */
const START = new Date('2026-03-03T03:30:00Z');

function credentialsFor(fleet: ReturnType<typeof createFleet>, leaveOut = 0) {
  const creds = new Map<string, TerminalCredential>();
  fleet.terminals.slice(leaveOut).forEach((t, i) => {
    // Half by fleet id, half by serial number with the server's own id, as after enrolment by serial.
    if (i % 2) creds.set(t.id, { orgId: ORG, secret: `secret-${t.id}` });
    else creds.set(t.serialNumber, { orgId: ORG, secret: `secret-${t.id}`, terminalId: t.id });
  });
  return creds;
}

describe('runFleet over HTTPS', () => {
  it('sends every simulated terminal\'s messages with its own credential, in batches, and reports progress', async () => {
    const fleet = createFleet({ seed: 4, terminals: 20, merchants: 6, sitesPerMerchant: [1, 2], startAt: START });
    const received = new Map<string, DeviceMessage[]>();
    const problems: string[] = [];
    const server: HttpServer = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [terminalId = '', secret = ''] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split(':');
        if (secret !== `secret-${terminalId}`) {
          res.writeHead(401).end();
          return;
        }
        const { messages } = JSON.parse(Buffer.concat(chunks).toString()) as { messages: unknown[] };
        if (messages.length > MAX_BATCH) problems.push('batch too large');
        for (const m of messages) {
          const parsed = DeviceMessage.safeParse(m);
          if (!parsed.success) problems.push(JSON.stringify(parsed.error.issues));
          else received.set(terminalId, [...(received.get(terminalId) ?? []), parsed.data]);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: messages.length, duplicates: 0, rejected: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const progress: RunProgress[] = [];
    const summary = await runFleet({ fleet, transport: 'https', url, credentials: credentialsFor(fleet, 2), speed: 3_600, durationMs: 1_500, tickMs: 100, progressIntervalMs: 300, onProgress: (p) => progress.push(p) });

    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ done: true, terminals: 18, skipped: 2, errors: 0, queued: 0 });
    const total = [...received.values()].reduce((n, ms) => n + ms.length, 0);
    expect(summary.sent).toBe(total);
    expect(summary.generated).toBe(total);
    expect(total).toBeGreaterThan(18 * 60);
    expect(received.size).toBe(18);
    expect(received.has(fleet.terminals[0]!.id)).toBe(false);
    expect(summary.simulatedTime.getTime() - START.getTime()).toBeGreaterThanOrEqual(60 * 60_000);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.some((p) => !p.done && p.ratePerSecond > 0)).toBe(true);
    expect(progress.at(-1)!.done).toBe(true);
  });
});

describe('runFleet over MQTT', () => {
  it('publishes to each terminal\'s topics and answers commands through the simulated terminal', async () => {
    const fleet = createFleet({ seed: 5, terminals: 10, merchants: 3, sitesPerMerchant: 1, startAt: START });
    const aedes = await Aedes.createBroker();
    const received: { topic: string; message: DeviceMessage }[] = [];
    aedes.authenticate = (_client, username, password, done) => {
      const ok = password?.toString() === `secret-${username}`;
      done(ok ? null : (Object.assign(new Error('not authorized'), { returnCode: 4 }) as never), ok);
    };
    aedes.on('publish', (packet, client) => {
      if (client) received.push({ topic: packet.topic, message: JSON.parse(packet.payload.toString()) as DeviceMessage });
    });
    const broker = createNetServer(aedes.handle);
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => broker.close(() => aedes.close(() => r()))));
    const url = `mqtt://127.0.0.1:${(broker.address() as AddressInfo).port}`;

    const target = fleet.terminals[3]!;
    const commandId = randomUUID();
    let commandSent = false;
    const summary = await runFleet({
      fleet,
      transport: 'mqtt',
      url,
      credentials: credentialsFor(fleet),
      speed: 1_800,
      durationMs: 2_000,
      tickMs: 100,
      progressIntervalMs: 200,
      onProgress: () => {
        if (commandSent || received.length === 0) return;
        commandSent = true;
        const payload = Buffer.from(JSON.stringify({ v: 1, commandId, at: new Date().toISOString(), name: 'print_test' }));
        aedes.publish({ cmd: 'publish', topic: topicFor(ORG, target.id, 'cmd'), payload, qos: 1, dup: false, retain: false }, () => undefined);
      },
    });

    expect(summary).toMatchObject({ done: true, terminals: 10, errors: 0 });
    expect(received.length).toBe(summary.sent);
    for (const r of received) expect(r.topic).toMatch(new RegExp(`^poscare/v1/${ORG}/[0-9a-f-]{36}/(telemetry|event|txn|cmd_ack)$`));
    expect(new Set(received.map((r) => r.topic.split('/')[3])).size).toBe(10);
    const acks = received.filter((r) => r.message.kind === 'cmd_ack' && r.topic.includes(target.id)).map((r) => r.message.data);
    expect(acks).toEqual([
      { commandId, status: 'received' },
      expect.objectContaining({ commandId, status: expect.stringMatching(/succeeded|failed/) }),
    ]);
  });
});
