/**
 * Every error the SDK raises is a TerminalSdkError with a stable `code`, so a terminal application can
 * branch on the code and show its own message instead of parsing English text.
 */
import type { DeviceMessageKind } from '@poscare/contracts';

export type SdkErrorCode =
  | 'message_invalid'
  | 'message_too_large'
  | 'card_data'
  | 'command_invalid'
  | 'http_status'
  | 'network'
  | 'unauthenticated'
  | 'enroll_failed'
  | 'config_invalid'
  | 'closed'
  | 'locked'
  | 'package_refused';

export class TerminalSdkError extends Error {
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Whether sending the same thing again later may succeed (network trouble, server busy). */
  get retryable(): boolean {
    return false;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** An outgoing message does not match the device protocol; `field` is the first offending path, e.g. `data.battery.pct`. */
export class MessageValidationError extends TerminalSdkError {
  readonly field: string;
  constructor(
    readonly kind: string,
    readonly issues: readonly FieldIssue[],
  ) {
    const first = issues[0] ?? { path: '(message)', message: 'invalid' };
    super('message_invalid', `invalid ${kind} message: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
    this.field = first.path;
  }
}

export class MessageTooLargeError extends TerminalSdkError {
  constructor(
    readonly bytes: number,
    readonly max: number,
  ) {
    super('message_too_large', `message is ${bytes} bytes, more than the ${max} bytes the protocol allows`);
  }
}

/** Full card numbers and track data must never leave the terminal; send a token or a masked number. */
export class CardDataError extends TerminalSdkError {
  constructor(readonly kind: DeviceMessageKind | string) {
    super('card_data', `refused to send a ${kind} message that contains a full card number or track data; send a token or a masked number (first 6 / last 4) instead`);
  }
}

export class CommandInvalidError extends TerminalSdkError {
  constructor(readonly issues: readonly FieldIssue[]) {
    super('command_invalid', `ignored a command that does not match the protocol: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** The server answered with a status other than 2xx. 5xx and 429 are worth retrying; other 4xx are not. */
export class HttpStatusError extends TerminalSdkError {
  constructor(
    readonly status: number,
    readonly errorId: string | undefined,
    serverMessage: string | undefined,
  ) {
    super('http_status', `server answered ${status}${errorId ? ` ${errorId}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
  }

  override get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

export class NetworkError extends TerminalSdkError {
  constructor(message: string, cause?: unknown) {
    super('network', message, { cause });
  }

  override get retryable(): boolean {
    return true;
  }
}

/** The server refused the terminal's credential (wrong secret, unknown or revoked terminal). */
export class UnauthenticatedError extends TerminalSdkError {
  constructor(message: string) {
    super('unauthenticated', message);
  }
}

export class EnrollError extends TerminalSdkError {
  constructor(
    readonly status: number | undefined,
    readonly errorId: string | undefined,
    message: string,
  ) {
    super('enroll_failed', message);
  }
}

export class ConfigError extends TerminalSdkError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}

export class ClientClosedError extends TerminalSdkError {
  constructor() {
    super('closed', 'the terminal client is closed');
  }
}

/** Reads `{error: {id, message}}`, the server's error body, from a response text; tolerates anything else. */
export function parseServerError(text: string): { id?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { id?: unknown; message?: unknown } };
    const id = typeof body.error?.id === 'string' ? body.error.id : undefined;
    const message = typeof body.error?.message === 'string' ? body.error.message : undefined;
    return { ...(id ? { id } : {}), ...(message ? { message } : {}) };
  } catch {
    return text ? { message: text.slice(0, 200) } : {};
  }
}
