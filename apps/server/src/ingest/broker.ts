/**
 * The embedded MQTT broker (aedes). Terminals sign in with their terminal id and secret, may publish
 * only under their own topic and subscribe only to their own command topic. A QoS 1 publish is
 * acknowledged only after the ingest pipeline has committed it. A revoked terminal is cut off at once.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { Logger } from 'pino';
import { MAX_MESSAGE_BYTES, TOPIC_PATTERN } from '@poscare/contracts';
import type { DeviceService } from '../devices/service.js';
import type { IngestPipeline } from './pipeline.js';

export interface EmbeddedBroker {
  port: number;
  aedes: Aedes;
  close(): Promise<void>;
}

interface Authed {
  terminalId: string;
  orgId: string;
}

export async function startBroker(opts: { port: number; devices: DeviceService; pipeline: IngestPipeline; log: Logger }): Promise<EmbeddedBroker> {
  const { devices, pipeline, log } = opts;
  const aedes = await Aedes.createBroker({ concurrency: 1000, maxClientsIdLength: 128 });
  const who = new WeakMap<Client, Authed>();
  const byTerminal = new Map<string, Set<Client>>();

  aedes.authenticate = (client, username, password, done) => {
    const terminalId = username ?? '';
    devices
      .authenticate(terminalId, password?.toString() ?? '', { address: (client.conn as { remoteAddress?: string }).remoteAddress, channel: 'mqtt' })
      .then((r) => {
        if (!r.ok) {
          pipeline.refuse({ channel: 'mqtt', orgId: null, terminalId: /^[0-9a-f-]{36}$/i.test(terminalId) ? terminalId : null }, r.reason, 'MQTT sign-in refused', 0, null);
          const err = Object.assign(new Error('not authorized'), { returnCode: 5 });
          return done(err as never, false);
        }
        who.set(client, r.identity);
        let set = byTerminal.get(terminalId);
        if (!set) byTerminal.set(terminalId, (set = new Set()));
        set.add(client);
        devices.touchConnected(terminalId).catch(() => undefined);
        done(null, true);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'device authentication failed');
        done(err as never, false);
      });
  };

  aedes.authorizePublish = (client, packet, done) => {
    const id = client ? who.get(client) : undefined;
    try {
      const m = TOPIC_PATTERN.exec(packet.topic);
      if (!id || !m || m[1] !== id.orgId || m[2] !== id.terminalId || m[3] === 'cmd') {
        pipeline.refuse({ channel: 'mqtt', orgId: id?.orgId ?? null, terminalId: id?.terminalId ?? null, topic: packet.topic }, 'wrong_topic', 'a terminal may publish only under its own topic', packet.payload.length, null);
        return done(new Error('publish not authorized'));
      }
      pipeline
        .submit({ channel: 'mqtt', orgId: id.orgId, terminalId: id.terminalId, topic: packet.topic }, packet.payload as Buffer)
        // Refused messages are acknowledged too: they are logged, and re-sending them would not help.
        .then(() => done(null))
        // Not stored (database trouble): withhold the PUBACK by dropping the connection; the terminal re-sends.
        .catch((err: unknown) => done(err as Error));
    } catch (err) {
      // Nothing one message does may end the process that serves every tenant: refuse it and go on.
      log.error({ err, terminalId: id?.terminalId, topic: String(packet.topic) }, 'handling an MQTT publish failed; the message is refused');
      pipeline.refuse({ channel: 'mqtt', orgId: id?.orgId ?? null, terminalId: id?.terminalId ?? null, topic: String(packet.topic) }, 'invalid', 'could not be handled', 0, null);
      done(null);
    }
  };

  // What a terminal publishes has been stored by the pipeline and may go to nobody else (see
  // authorizeForward): routing it through the broker's subscriptions would be work for nothing.
  const route = aedes.publish.bind(aedes) as (packet: unknown, client: unknown, done?: (err?: Error | null) => void) => void;
  aedes.publish = ((packet: unknown, client: unknown, done?: (err?: Error | null) => void) => {
    if (client && typeof client === 'object' && who.has(client as Client)) return done?.(null);
    return route(packet, client, done);
  }) as typeof aedes.publish;

  aedes.authorizeSubscribe = (client, sub, done) => {
    const id = client ? who.get(client) : undefined;
    const m = typeof sub.topic === 'string' ? TOPIC_PATTERN.exec(sub.topic) : null;
    if (!id || !m || m[1] !== id.orgId || m[2] !== id.terminalId || m[3] !== 'cmd') return done(new Error('subscribe not authorized'), null);
    done(null, sub);
  };

  // Device messages are for PosCare, not for other subscribers.
  aedes.authorizeForward = (client, packet) => {
    const id = client ? who.get(client) : undefined;
    const m = typeof packet.topic === 'string' ? TOPIC_PATTERN.exec(packet.topic) : null;
    return id && m && m[2] === id.terminalId && m[3] === 'cmd' ? packet : null;
  };

  aedes.on('clientDisconnect', (client) => {
    const id = who.get(client);
    if (id) byTerminal.get(id.terminalId)?.delete(client);
  });

  const onRevoked = (terminalId: string) => {
    for (const c of byTerminal.get(terminalId) ?? []) c.close();
    byTerminal.delete(terminalId);
  };
  devices.events.on('revoked', onRevoked);

  const server: Server = createServer((socket) => {
    const client = aedes.handle(socket);
    // aedes buffers a whole packet before anyone sees it, whatever length it announces (up to 256 MB):
    // a packet larger than any message may be is cut off at its header, signed in or not.
    limitPacketSize(socket, MAX_PACKET_BYTES, (announced) => {
      const id = who.get(client);
      pipeline.refuse({ channel: 'mqtt', orgId: id?.orgId ?? null, terminalId: id?.terminalId ?? null }, 'oversized', `MQTT packet of ${announced} bytes > ${MAX_PACKET_BYTES}`, announced, null);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  log.info({ port }, 'embedded MQTT broker listening');
  return {
    port,
    aedes,
    close: () =>
      new Promise<void>((resolve) => {
        devices.events.off('revoked', onRevoked);
        server.close(() => aedes.close(() => resolve()));
        for (const set of byTerminal.values()) for (const c of set) c.close();
      }),
  };
}

/** Largest MQTT packet accepted: the largest message, its topic and MQTT 5 properties. Larger ones are refused as `oversized` by ingest. */
export const MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 4096;

/**
 * Watches the bytes aedes reads from a connection (it reads with `read()` on 'readable') and closes the
 * connection when a packet's fixed header announces more than `max` bytes, before they are buffered.
 */
export function limitPacketSize(socket: Socket, max: number, onTooLarge: (announced: number) => void): void {
  // Where the stream is: a packet's type byte, its remaining-length bytes, or inside its body.
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let shift = 0;
  let left = 0;
  const read = socket.read.bind(socket);
  socket.read = ((n?: number) => {
    const chunk = read(n) as Buffer | null;
    if (!chunk) return chunk;
    for (let i = 0; i < chunk.length; ) {
      if (state === 'body') {
        const skip = Math.min(left, chunk.length - i);
        i += skip;
        left -= skip;
        if (left === 0) state = 'type';
        continue;
      }
      const b = chunk[i++]!;
      if (state === 'type') {
        state = 'length';
        length = 0;
        shift = 0;
        continue;
      }
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b & 0x80 && shift < 28) continue;
      // A fifth length byte is malformed: the parser refuses it; the count stops here.
      if (length > max) {
        onTooLarge(length);
        socket.destroy();
        return null;
      }
      left = length;
      state = left === 0 ? 'type' : 'body';
    }
    return chunk;
  }) as typeof socket.read;
}
