/** A transport in memory, for tests: records batches, can go offline, fail on demand, deliver commands. */
import type { DeviceMessage } from '@poscare/contracts';
import { HttpStatusError, NetworkError } from '../errors.js';
import type { DeliveryReport, Transport, TransportEvents } from '../transports/transport.js';

export class FakeTransport implements Transport {
  readonly name = 'fake';
  readonly batches: DeviceMessage[][] = [];
  private events: TransportEvents | null = null;
  private up: boolean;
  /** Statuses to answer the next sends with, one each (e.g. [503, 503] then success). */
  readonly failures: number[] = [];

  constructor(
    readonly maxBatch = 500,
    online = true,
  ) {
    this.up = online;
  }

  get online(): boolean {
    return this.up;
  }

  get messages(): DeviceMessage[] {
    return this.batches.flat();
  }

  setEvents(events: TransportEvents): void {
    this.events = events;
  }

  async connect(): Promise<void> {}

  async send(messages: readonly DeviceMessage[]): Promise<DeliveryReport> {
    if (!this.up) throw new NetworkError('offline');
    const status = this.failures.shift();
    if (status !== undefined) throw new HttpStatusError(status, 'test.failure', undefined);
    this.batches.push([...messages]);
    return { accepted: messages.length, duplicates: 0, rejected: [] };
  }

  async close(): Promise<void> {}

  setOnline(online: boolean): void {
    this.up = online;
    if (online) this.events?.online();
    else this.events?.offline('test');
  }

  deliverCommand(payload: unknown): void {
    this.events?.command(payload);
  }
}
