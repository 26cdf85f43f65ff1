/**
 * A minimal MQTT 3.1.1 publisher for load tests: CONNECT, QoS 1 PUBLISH, PUBACK — nothing else. The
 * simulated terminals of a benchmark must cost the machine as little as possible, because on a 2-core
 * box every cycle they use is taken from the server under test; mqtt.js does far more per message
 * (outgoing store, events, promises) than a terminal's firmware would.
 */
import net from 'node:net';

export interface LeanPublisher {
  /** Sends one QoS 1 PUBLISH; `onAck` runs when its PUBACK arrives. Returns the packet id. */
  publish(topic: Buffer, payload: string, onAck: () => void): void;
  /** Writes everything queued by publish() in one socket write. */
  flush(): void;
  inFlight(): number;
  close(): void;
}

export function connectLean(opts: { port: number; host?: string; clientId: string; username: string; password: string }): Promise<LeanPublisher> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: opts.port, host: opts.host ?? '127.0.0.1', noDelay: true });
    const pending = new Map<number, () => void>();
    let nextId = 1;
    let out: Buffer[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let connected = false;

    const publisher: LeanPublisher = {
      publish(topic, payload, onAck) {
        const id = nextId;
        nextId = nextId === 65535 ? 1 : nextId + 1;
        const body = Buffer.byteLength(payload);
        const remaining = 2 + topic.length + 2 + body;
        const header = Buffer.allocUnsafe(1 + varintSize(remaining) + 2 + topic.length + 2);
        let o = 0;
        header[o++] = 0x32; // PUBLISH, QoS 1
        o = writeVarint(header, o, remaining);
        header.writeUInt16BE(topic.length, o);
        o += 2;
        topic.copy(header, o);
        o += topic.length;
        header.writeUInt16BE(id, o);
        out.push(header, Buffer.from(payload));
        pending.set(id, onAck);
      },
      flush() {
        if (out.length === 0) return;
        socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
        out = [];
      },
      inFlight: () => pending.size,
      close: () => socket.destroy(),
    };

    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let o = 0;
      for (;;) {
        if (buf.length - o < 2) break;
        const type = buf[o]! >> 4;
        let len = 0;
        let mul = 1;
        let p = o + 1;
        let complete = false;
        while (p < buf.length) {
          const b = buf[p++]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if ((b & 0x80) === 0) {
            complete = true;
            break;
          }
        }
        if (!complete || buf.length - p < len) break;
        if (type === 2) {
          // CONNACK: return code in the second byte of the variable header.
          if (buf[p + 1] !== 0) return reject(new Error(`CONNACK refused: ${buf[p + 1]}`));
          connected = true;
          resolve(publisher);
        } else if (type === 4) {
          const id = buf.readUInt16BE(p);
          const cb = pending.get(id);
          if (cb) {
            pending.delete(id);
            cb();
          }
        }
        o = p + len;
      }
      buf = o >= buf.length ? Buffer.alloc(0) : buf.subarray(o);
    });
    socket.on('error', (err) => (connected ? undefined : reject(err)));
    socket.on('close', () => {
      if (!connected) reject(new Error('connection closed before CONNACK'));
      else if (pending.size) process.emitWarning(`${opts.clientId}: connection closed with ${pending.size} messages unacknowledged`);
    });
    socket.on('connect', () => socket.write(connectPacket(opts.clientId, opts.username, opts.password)));
  });
}

function connectPacket(clientId: string, username: string, password: string): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s);
    const l = Buffer.allocUnsafe(2);
    l.writeUInt16BE(b.length);
    return Buffer.concat([l, b]);
  };
  // Protocol "MQTT" level 4, flags: username + password + clean session, keep-alive 0 (off).
  const variable = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 0]), str(clientId), str(username), str(password)]);
  const head = Buffer.allocUnsafe(1 + varintSize(variable.length));
  head[0] = 0x10;
  writeVarint(head, 1, variable.length);
  return Buffer.concat([head, variable]);
}

function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

function writeVarint(b: Buffer, o: number, n: number): number {
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    b[o++] = digit;
  } while (n > 0);
  return o;
}
