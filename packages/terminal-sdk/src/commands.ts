/**
 * Remote management on the terminal side (issue 18): typed command handlers with each command's
 * arguments checked against the protocol before the handler runs, the payment lock a `lock` command
 * sets, and the log upload `upload_logs` asks for.
 *
 *   client.onCommand(commandHandlers({
 *     self_test: () => ({ status: 'succeeded', detail: 'all passed', result: { checks } }),
 *     lock: ({ message }) => { paymentLock.lock(message); return { status: 'succeeded', detail: 'locked' }; },
 *     upload_logs: async ({ hours }, cmd) => { await uploadLogBundle({ ..., commandId: cmd.commandId, content: readLogs(hours) }); … },
 *   }));
 */
import { type CommandArgs, type CommandName, type DeviceCommand, MAX_LOG_BUNDLE_BYTES, parseCommandArgs } from '@poscare/contracts';
import type { CommandResult } from './client.js';
import { HttpStatusError, TerminalSdkError } from './errors.js';

/** A command handler's answer; `result` carries a checklist or a position (protocol 1 addition). */
export type RemoteResult = CommandResult & { result?: Record<string, unknown> };
export type RemoteHandlers = {
  [N in CommandName]?: (args: CommandArgs<N>, command: DeviceCommand) => RemoteResult | Promise<RemoteResult>;
};

/**
 * One handler for the client's `onCommand`: checks the arguments against the command's schema (a bad
 * one is answered `failed` naming the field, and the handler never runs) and answers a command this
 * terminal does not implement with `failed: not supported`.
 */
export function commandHandlers(handlers: RemoteHandlers) {
  return async (command: DeviceCommand): Promise<RemoteResult> => {
    const handler = handlers[command.name] as ((args: unknown, c: DeviceCommand) => RemoteResult | Promise<RemoteResult>) | undefined;
    if (!handler) return { status: 'failed', detail: `${command.name} is not supported by this terminal` };
    const parsed = parseCommandArgs(command.name, command.args);
    if (!parsed.ok) return { status: 'failed', detail: `invalid arguments: ${parsed.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`.slice(0, 500) };
    return handler(parsed.args, command);
  };
}

export class TerminalLockedError extends TerminalSdkError {
  constructor(readonly screenMessage: string | null) {
    super('locked', `terminal locked by remote command${screenMessage ? `: ${screenMessage}` : ''}`);
  }
}

/** The payment lock: `lock` sets it, `unlock` clears it; the payment app calls `assertCanPay()` before every sale. */
export class PaymentLock {
  private state: { locked: boolean; message: string | null } = { locked: false, message: null };
  constructor(private readonly persist?: (s: { locked: boolean; message: string | null }) => void) {}
  get locked(): boolean {
    return this.state.locked;
  }
  get message(): string | null {
    return this.state.message;
  }
  lock(message?: string): void {
    this.state = { locked: true, message: message ?? null };
    this.persist?.(this.state);
  }
  unlock(): void {
    this.state = { locked: false, message: null };
    this.persist?.(this.state);
  }
  /** Throws TerminalLockedError while locked: no payment may start. */
  assertCanPay(): void {
    if (this.state.locked) throw new TerminalLockedError(this.state.message);
  }
}

export interface LogUploadOptions {
  baseUrl: string;
  terminalId: string;
  secret: string;
  commandId: string;
  filename: string;
  content: Uint8Array | string;
  contentType?: string;
  fetch?: typeof fetch;
}

/**
 * Posts a log bundle in answer to an upload_logs command (POST /device/v1/logs, multipart). Gzip it
 * first when it is large; PosCare takes at most MAX_LOG_BUNDLE_BYTES and refuses a bundle holding card data.
 */
export async function uploadLogBundle(o: LogUploadOptions): Promise<{ id: string; bytes: number }> {
  const bytes = typeof o.content === 'string' ? new TextEncoder().encode(o.content) : o.content;
  if (bytes.length > MAX_LOG_BUNDLE_BYTES) throw new TerminalSdkError('message_too_large', `log bundle of ${bytes.length} bytes > ${MAX_LOG_BUNDLE_BYTES}`);
  const form = new FormData();
  form.set('commandId', o.commandId);
  form.set('file', new Blob([new Uint8Array(bytes)], { type: o.contentType ?? 'text/plain' }), o.filename);
  const res = await (o.fetch ?? fetch)(`${o.baseUrl.replace(/\/+$/, '')}/device/v1/logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.terminalId}:${o.secret}` },
    body: form,
  });
  if (res.status !== 201) {
    const body = (await res.json().catch(() => null)) as { error?: { id?: string; message?: string } } | null;
    throw new HttpStatusError(res.status, body?.error?.id, body?.error?.message);
  }
  return (await res.json()) as { id: string; bytes: number };
}
