/**
 * What the client needs from a channel. MQTT and HTTPS implement it; tests and other channels
 * (a vendor's own gateway, say) can pass their own object.
 */
import type { DeviceMessage } from '@poscare/contracts';

export interface DeliveryReport {
  /** Messages the server took (stored, or refused and logged, on MQTT where PUBACK does not say which). */
  accepted: number;
  duplicates: number;
  /** Messages the server refused, by index in the batch; re-sending them would not help. */
  rejected: { index: number; reason: string; detail?: string }[];
}

export interface TransportEvents {
  /** The channel is (again) able to send: the client sends what it buffered. */
  online(): void;
  offline(reason: string): void;
  /** A raw command payload addressed to this terminal (the client parses and validates it). */
  command(payload: unknown): void;
  /** Something went wrong that no send call will see (e.g. credentials refused while reconnecting). */
  error(err: Error): void;
}

export interface Transport {
  readonly name: string;
  /** Most messages one `send` may carry. */
  readonly maxBatch: number;
  /** Whether sending is worth attempting now. */
  readonly online: boolean;
  setEvents(events: TransportEvents): void;
  connect(): Promise<void>;
  /** Resolves once the server has taken the batch; rejects with a TerminalSdkError (see `retryable`). */
  send(messages: readonly DeviceMessage[]): Promise<DeliveryReport>;
  close(): Promise<void>;
}
