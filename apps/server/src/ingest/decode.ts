/**
 * From the bytes a terminal sent to a checked device message, or the reason it is refused. The
 * order of the checks is part of the contract: size first (nothing of an oversized message is kept),
 * then NUL characters, JSON, depth (nothing deeper than MAX_DEPTH is walked further, by us or by
 * anything after us), card data (before validation, so that not even a rejected sample keeps a card
 * number), then the schema. A message given already parsed (HTTPS) has its depth checked first, as
 * measuring its size means serialising it. Telemetry, nearly all of the traffic, takes the compiled
 * checks of fastCheck.ts; anything they cannot vouch for, and every other kind, is judged by zod itself.
 *
 * Whatever a terminal sends, the answer is a Decoded: nothing here throws for a message's content.
 */
import { DeviceMessage, MAX_MESSAGE_BYTES, type RejectionReason } from '@poscare/contracts';
import { compileSchema, scanMessage, UNSURE, type Scan } from './fastCheck.js';

/**
 * Deepest nesting of arrays and objects a device message may have, the message itself being level 1.
 * The contract's deepest field is level 4 (data.reader.chip.attempts); the headroom is for versions to
 * come. A limit keeps every walk of device data (ours, zod's, JSON.stringify's) far from the stack's end.
 */
export const MAX_DEPTH = 32;
export const TOO_DEEP_DETAIL = `nested deeper than ${MAX_DEPTH} levels`;
export const NUL_DETAIL = 'NUL character in message';

/** True when a parsed message nests deeper than MAX_DEPTH; never walks further than that. */
export const tooDeep = (message: unknown): boolean => scanMessage(message, MAX_DEPTH).tooDeep;

export type Decoded =
  | { ok: true; msg: DeviceMessage }
  | { ok: false; reason: RejectionReason; detail?: string; size: number; /** What may be kept of the message for admins to read. */ sample: string | null };

const telemetrySchema = DeviceMessage.options.find((o) => o.shape.kind.value === 'telemetry')!;
const checkTelemetry = compileSchema(telemetrySchema);

export function decodeMessage(payload: Buffer | string | unknown): Decoded {
  try {
    return decode(payload);
  } catch (err) {
    // A defect of ours, not the terminal's: still an answer for this message alone.
    return { ok: false, reason: 'invalid', detail: `could not be checked: ${(err as Error)?.message ?? String(err)}`.replace(/\u0000/g, ''), size: 0, sample: null };
  }
}

function decode(payload: Buffer | string | unknown): Decoded {
  const raw = Buffer.isBuffer(payload) || typeof payload === 'string';
  let scan: Scan | null = null;
  if (!raw) {
    scan = scanMessage(payload, MAX_DEPTH);
    // Its size is not known without serialising it, which is what must not happen.
    if (scan.tooDeep) return { ok: false, reason: 'invalid', detail: TOO_DEEP_DETAIL, size: 0, sample: null };
  }
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
  if (text.includes('\\u0000') || text.includes('\u0000')) return refuse('invalid', NUL_DETAIL, false);
  let body: unknown = payload;
  if (raw) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      return refuse('malformed_json', (e as Error).message);
    }
    scan = scanMessage(body, MAX_DEPTH);
    // No sample: the walk stopped before it could rule out card data.
    if (scan.tooDeep) return refuse('invalid', TOO_DEEP_DETAIL, false);
  }
  if (scan!.cardData) return refuse('card_data', 'full card number or track data', false);
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
