/**
 * From the bytes a terminal sent to a checked device message, or the reason it is refused. The
 * order of the checks is part of the contract: size first (nothing of an oversized message is kept),
 * then NUL characters, JSON, card data (before validation, so that not even a rejected sample keeps a
 * card number), then the schema. Telemetry, nearly all of the traffic, takes the compiled checks of
 * fastCheck.ts; anything they cannot vouch for, and every other kind, is judged by zod itself.
 */
import { DeviceMessage, MAX_MESSAGE_BYTES, type RejectionReason } from '@poscare/contracts';
import { compileSchema, hasCardData, UNSURE } from './fastCheck.js';

export type Decoded =
  | { ok: true; msg: DeviceMessage }
  | { ok: false; reason: RejectionReason; detail?: string; size: number; /** What may be kept of the message for admins to read. */ sample: string | null };

const telemetrySchema = DeviceMessage.options.find((o) => o.shape.kind.value === 'telemetry')!;
const checkTelemetry = compileSchema(telemetrySchema);

export function decodeMessage(payload: Buffer | string | unknown): Decoded {
  const raw = Buffer.isBuffer(payload) || typeof payload === 'string';
  const text = raw ? payload.toString() : (JSON.stringify(payload) ?? '');
  const size = Buffer.isBuffer(payload) ? payload.length : Buffer.byteLength(text);
  const refuse = (reason: RejectionReason, detail?: string, keepSample = true): Decoded => ({
    ok: false,
    reason,
    ...(detail ? { detail } : {}),
    size,
    sample: keepSample ? text.slice(0, 500) : null,
  });
  if (size > MAX_MESSAGE_BYTES) return refuse('oversized', `${size} bytes > ${MAX_MESSAGE_BYTES}`, false);
  // PostgreSQL cannot store NUL in text or json; such a message would fail its whole batch.
  if (text.includes('\\u0000') || text.includes('\u0000')) return refuse('invalid', 'NUL character in message', false);
  let body: unknown = payload;
  if (raw) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      return refuse('malformed_json', (e as Error).message);
    }
  }
  // The envelope (msgId, at) is the terminal's own bookkeeping and is not searched: a numeric msgId is no card.
  const content = body && typeof body === 'object' && 'data' in body ? (body as { data: unknown }).data : body;
  if (hasCardData(content)) return refuse('card_data', 'full card number or track data', false);
  if (body && typeof body === 'object' && (body as { kind?: unknown }).kind === 'telemetry') {
    const fast = checkTelemetry(body);
    if (fast !== UNSURE) return { ok: true, msg: fast as DeviceMessage };
  }
  const parsed = DeviceMessage.safeParse(body);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
      .join('; ');
    return refuse('invalid', detail);
  }
  return { ok: true, msg: parsed.data };
}
