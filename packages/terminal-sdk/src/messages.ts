/**
 * Building and checking protocol messages. Builders only assemble the envelope (cheap enough for a
 * simulator producing millions of messages); `checkOutgoing` is the gate every message passes before it
 * leaves a terminal: no card data, valid against the contract, within the size limit.
 */
import { containsCardData, DeviceMessage, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type DeviceMessageKind } from '@poscare/contracts';
import { CardDataError, MessageTooLargeError, MessageValidationError, type FieldIssue } from './errors.js';

export type MessageOf<K extends DeviceMessageKind> = Extract<DeviceMessage, { kind: K }>;
export type MessageData<K extends DeviceMessageKind> = MessageOf<K>['data'];
export type TelemetryData = MessageData<'telemetry'>;
export type EventData = MessageData<'event'>;
export type TransactionData = MessageData<'txn'>;
export type CommandAckData = MessageData<'cmd_ack'>;
export type AckStatus = CommandAckData['status'];

export function buildMessage<K extends DeviceMessageKind>(kind: K, data: MessageData<K>, at: Date | string, msgId: string): MessageOf<K> {
  return { v: PROTOCOL_VERSION, msgId, at: typeof at === 'string' ? at : at.toISOString(), kind, data } as MessageOf<K>;
}

export const buildTelemetry = (data: TelemetryData, at: Date | string, msgId: string) => buildMessage('telemetry', data, at, msgId);
export const buildEvent = (data: EventData, at: Date | string, msgId: string) => buildMessage('event', data, at, msgId);
export const buildTransaction = (data: TransactionData, at: Date | string, msgId: string) => buildMessage('txn', data, at, msgId);
export const buildCommandAck = (data: CommandAckData, at: Date | string, msgId: string) => buildMessage('cmd_ack', data, at, msgId);

export function zodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(message)', message: i.message }));
}

/**
 * Returns the message as the contract parses it (unknown fields dropped), or throws CardDataError,
 * MessageValidationError (naming the first bad field) or MessageTooLargeError.
 */
export function checkOutgoing(message: unknown): DeviceMessage {
  const kind = typeof message === 'object' && message && 'kind' in message ? String((message as { kind: unknown }).kind) : 'device';
  // Before validation, so that a card number never appears in an error message either.
  if (containsCardData(message)) throw new CardDataError(kind);
  const parsed = DeviceMessage.safeParse(message);
  if (!parsed.success) throw new MessageValidationError(kind, zodIssues(parsed.error.issues));
  const bytes = Buffer.byteLength(JSON.stringify(parsed.data));
  if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(bytes, MAX_MESSAGE_BYTES);
  return parsed.data;
}
