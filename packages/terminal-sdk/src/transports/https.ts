/**
 * HTTPS channel: POST /device/v1/messages with the terminal's bearer credential, one batch per request.
 * HTTP has no connection to watch, so "online" means the last request reached the server.
 */
import { MAX_BATCH, type DeviceMessage } from '@poscare/contracts';
import { HttpStatusError, NetworkError, UnauthenticatedError, parseServerError } from '../errors.js';
import type { DeliveryReport, Transport, TransportEvents } from './transport.js';

export interface HttpsTransportOptions {
  baseUrl: string;
  terminalId: string;
  secret: string;
  /** Abort a request that has not been answered after this long. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class HttpsTransport implements Transport {
  readonly name = 'https';
  readonly maxBatch = MAX_BATCH;
  private events: TransportEvents | null = null;
  private reachable = true;
  private readonly url: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: HttpsTransportOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/device/v1/messages`;
    this.fetchFn = opts.fetch ?? fetch;
  }

  get online(): boolean {
    // Always worth a try: a request is the only way to find out that the network is back.
    return true;
  }

  setEvents(events: TransportEvents): void {
    this.events = events;
  }

  async connect(): Promise<void> {}

  async send(messages: readonly DeviceMessage[]): Promise<DeliveryReport> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.terminalId}:${this.opts.secret}` },
        body: JSON.stringify({ messages }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      this.setReachable(false, (err as Error).message);
      throw new NetworkError(`could not reach ${this.url}: ${(err as Error).message}`, err);
    }
    this.setReachable(true);
    if (!res.ok) {
      const e = parseServerError(text);
      if (res.status === 401) throw new UnauthenticatedError(`server refused the terminal's credential${e.id ? ` (${e.id})` : ''}`);
      throw new HttpStatusError(res.status, e.id, e.message);
    }
    return this.readReport(text, messages.length);
  }

  async close(): Promise<void> {}

  private readReport(text: string, sent: number): DeliveryReport {
    let body: { accepted?: unknown; duplicates?: unknown; rejected?: unknown; commands?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // A 2xx without the expected body still means the batch was taken.
      return { accepted: sent, duplicates: 0, rejected: [] };
    }
    // The protocol may one day hand pending commands back in this answer; pass them on if it does.
    if (Array.isArray(body.commands)) for (const c of body.commands) this.events?.command(c);
    const rejected = Array.isArray(body.rejected)
      ? body.rejected.filter((r): r is DeliveryReport['rejected'][number] => typeof r === 'object' && r !== null && typeof (r as { index?: unknown }).index === 'number')
      : [];
    return {
      accepted: typeof body.accepted === 'number' ? body.accepted : sent - rejected.length,
      duplicates: typeof body.duplicates === 'number' ? body.duplicates : 0,
      rejected,
    };
  }

  private setReachable(reachable: boolean, reason = ''): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    if (reachable) this.events?.online();
    else this.events?.offline(reason);
  }
}
