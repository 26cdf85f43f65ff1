/**
 * @poscare/terminal-sdk — what a terminal (or its vendor's agent) needs to report to PosCare over MQTT
 * or HTTPS: enrollment, message building and checking, a buffering, batching, retrying client.
 */
export { TerminalClient, systemClock, type Clock, type ClientStats, type CommandHandler, type CommandResult, type FlushResult, type TerminalClientOptions } from './client.js';
export { enroll, type Enrollment } from './enroll.js';
export { PackageRefusedError, signedMessage, verifyPackage, type TrustedKey } from './packages.js';
export { commandHandlers, PaymentLock, TerminalLockedError, uploadLogBundle, type LogUploadOptions, type RemoteHandlers, type RemoteResult } from './commands.js';
export {
  buildCommandAck,
  buildEvent,
  buildMessage,
  buildTelemetry,
  buildTransaction,
  checkOutgoing,
  type AckStatus,
  type CommandAckData,
  type EventData,
  type MessageData,
  type MessageOf,
  type TelemetryData,
  type TransactionData,
} from './messages.js';
export { MessageIdFactory, secureRandom, shortTerminalId, type RandomSource } from './messageIds.js';
export { BoundedQueue } from './queue.js';
export { StanCounter } from './stan.js';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './retry.js';
export {
  CardDataError,
  ClientClosedError,
  CommandInvalidError,
  ConfigError,
  EnrollError,
  HttpStatusError,
  MessageTooLargeError,
  MessageValidationError,
  NetworkError,
  TerminalSdkError,
  UnauthenticatedError,
  type FieldIssue,
  type SdkErrorCode,
} from './errors.js';
export type { DeliveryReport, Transport, TransportEvents } from './transports/transport.js';
export { HttpsTransport, type HttpsTransportOptions } from './transports/https.js';
export { MqttTransport, type MqttTransportOptions } from './transports/mqtt.js';
