/**
 * A stand-in for the PosCare device endpoints on 127.0.0.1 (port 0), for tests: records every request
 * and answers with whatever status the test lines up.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export class DeviceServer {
  readonly requests: RecordedRequest[] = [];
  /** Replies for the next requests, in order; after they run out, `fallback` answers. */
  readonly replies: Reply[] = [];
  fallback: (req: RecordedRequest) => Reply = (req) => {
    const n = Array.isArray((req.body as { messages?: unknown[] })?.messages) ? (req.body as { messages: unknown[] }).messages.length : 0;
    return { status: 200, body: { accepted: n, duplicates: 0, rejected: [] } };
  };
  private server: Server | null = null;

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('server not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  start(): Promise<this> {
    return this.startOn(0);
  }

  async startOn(port: number): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Kept as text.
        }
        const recorded = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body };
        this.requests.push(recorded);
        const reply = this.replies.shift() ?? this.fallback(recorded);
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
