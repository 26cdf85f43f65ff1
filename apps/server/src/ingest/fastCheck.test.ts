import { describe, expect, it } from 'vitest';
import { containsCardData, DeviceMessage, MAX_MESSAGE_BYTES } from '@poscare/contracts';
import { createFleet, injectEveryFault, mulberry32, Simulator } from '@poscare/simulator';
import { compileSchema, hasCardData, scanMessage, UNSURE } from './fastCheck.js';
import { decodeMessage, type Decoded } from './decode.js';

/** What ingest did before the fast path: the contract's card check and zod, nothing else. */
function referenceDecode(payload: string): Decoded {
  const size = Buffer.byteLength(payload);
  const refuse = (reason: string, detail?: string, keep = true) => ({ ok: false, reason, ...(detail ? { detail } : {}), size, sample: keep ? payload.slice(0, 500) : null }) as Decoded;
  if (size > MAX_MESSAGE_BYTES) return refuse('oversized', `${size} bytes > ${MAX_MESSAGE_BYTES}`, false);
  if (payload.includes('\\u0000') || payload.includes('\u0000')) return refuse('invalid', 'NUL character in message', false);
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch (e) {
    return refuse('malformed_json', (e as Error).message);
  }
  const content = body && typeof body === 'object' && 'data' in body ? (body as { data: unknown }).data : body;
  if (containsCardData(content)) return refuse('card_data', 'full card number or track data', false);
  const parsed = DeviceMessage.safeParse(body);
  if (!parsed.success) return refuse('invalid', parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; '));
  return { ok: true, msg: parsed.data };
}

/** Every message a fleet with every fault injected sends from midnight to 15:00: telemetry, events, transactions. */
function fleetMessages() {
  const midnight = new Date('2026-03-02T16:00:00Z');
  const local = (h: number) => new Date(midnight.getTime() + h * 3_600_000);
  const sim = new Simulator(createFleet({ seed: 11, terminals: 50, merchants: 14, sitesPerMerchant: [1, 3], startAt: midnight }));
  injectEveryFault(sim, { startAt: local(8), durationMinutes: 240 });
  return sim.step(local(15)).map((d) => d.message as unknown as Record<string, unknown>);
}

const telemetrySchema = DeviceMessage.options.find((o) => o.shape.kind.value === 'telemetry')!;
const fast = compileSchema(telemetrySchema);

const PAN = ['4111111111111111', '4111 1111 1111 1111', '5500-0000-0000-0004', '3782 822463 10005', '%B4111111111111111^DOE/J^2512', ';4111111111111111=2512101'];
const ODD: unknown[] = [null, undefined, '', 'x'.repeat(70), 'has spaces inside', '2026-13-01T00:00:00Z', '2026-03-02T10:00:00+08:00', 'm-0000000001', '😀'.repeat(30), 0, -0, -1, 0.5, 1e21, 2 ** 53, -(2 ** 53), 101, -151, 151, Infinity, NaN, true, false, [], [1], {}, { attempts: 3 }, 'ok', 'cellular', 'paper_low'];

/** A copy of `value` with one random change somewhere in it. */
function mutate(value: unknown, rand: () => number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const copy = structuredClone(value) as Record<string, unknown>;
  // Walk down to a random object or array.
  let node: Record<string, unknown> | unknown[] = copy;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(node);
    const children = keys.filter((k) => typeof (node as Record<string, unknown>)[k] === 'object' && (node as Record<string, unknown>)[k] !== null);
    if (!children.length || rand() < 0.3) break;
    node = (node as Record<string, unknown>)[pick(children)] as Record<string, unknown>;
  }
  const keys = Object.keys(node);
  const target = node as Record<string, unknown>;
  const r = rand();
  if (r < 0.2 && keys.length) delete target[pick(keys)];
  else if (r < 0.3) target[pick(['extra', 'constructor', 'toString', '__unknown'])] = pick(ODD);
  else if (r < 0.4 && keys.length) target[pick(keys)] = pick(PAN) + (rand() < 0.5 ? '' : ' tail');
  else if (keys.length) {
    const k = pick(keys);
    const v = target[k];
    target[k] = typeof v === 'number' && rand() < 0.5 ? v * pick([-1, 2, 1000, 0.5, 1e6]) + pick([0, 0.5, 1]) : pick(ODD);
  }
  return copy;
}

describe('the fast checks of the hot ingest path', () => {
  const messages = fleetMessages();

  it('accept every telemetry sample of a fleet with every fault, with exactly what zod returns', () => {
    const telemetry = messages.filter((m) => m.kind === 'telemetry');
    expect(telemetry.length).toBeGreaterThan(20_000);
    for (const m of telemetry) {
      const out = fast(m);
      expect(out).not.toBe(UNSURE);
      expect(JSON.stringify(out)).toBe(JSON.stringify(DeviceMessage.parse(m)));
      expect(out).toEqual(DeviceMessage.parse(m));
    }
  });

  it('never accept what zod refuses, nor return anything but what zod returns, for 30,000 broken samples', () => {
    const rand = mulberry32(20_261_123);
    const telemetry = messages.filter((m) => m.kind === 'telemetry');
    let refused = 0;
    let unsureButValid = 0;
    for (let i = 0; i < 30_000; i++) {
      let m = telemetry[Math.floor(rand() * telemetry.length)]!;
      for (let j = 0, n = 1 + Math.floor(rand() * 3); j < n; j++) m = mutate(m, rand) as Record<string, unknown>;
      const z = DeviceMessage.safeParse(m);
      const out = fast(m);
      if (out === UNSURE) {
        if (!z.success) refused++;
        // Valid, yet left to zod: only for strings longer in UTF-16 units than in characters (zod counts characters).
        else if (!/[\uD800-\uDBFF]/.test(JSON.stringify(m))) unsureButValid++;
        continue;
      }
      expect(z.success, JSON.stringify(m)).toBe(true);
      expect(out).toEqual(z.data);
      expect(JSON.stringify(out)).toBe(JSON.stringify(z.data));
    }
    // The mutations do break samples, and the fast path knows every construct of the schema.
    expect(refused).toBeGreaterThan(5_000);
    expect(unsureButValid).toBe(0);
  });

  it('find card data exactly where the contract finds it', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 20_000; i++) {
      const m = mutate(messages[Math.floor(rand() * messages.length)], rand) as { data?: unknown };
      expect(hasCardData(m.data, 32)).toBe(containsCardData(m.data));
      expect(hasCardData(m, 32)).toBe(containsCardData(m));
    }
    for (const s of [...PAN, '411111111111', '1234567890123', '2026-03-02T00:00:00Z', '0000000000000']) expect(hasCardData({ a: [s] }, 32)).toBe(containsCardData({ a: [s] }));
  });

  it('never walk deeper than the limit, however deep a message nests, and always know that it does', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep] : { a: deep };
    expect(hasCardData(deep, 32)).toBeUndefined();
    expect(scanMessage({ v: 1, data: deep }, 32)).toEqual({ tooDeep: true, cardData: false });
    // Card data found first does not end the walk: the depth is still measured.
    expect(scanMessage({ v: 1, data: { pan: PAN[0], more: deep } }, 32)).toEqual({ tooDeep: true, cardData: true });
    // Exactly at the limit: the message is level 1, data (the outermost of these 31 objects) level 2.
    let fits: unknown = PAN[0];
    for (let i = 0; i < 31; i++) fits = { a: fits };
    expect(scanMessage({ v: 1, data: fits }, 32)).toEqual({ tooDeep: false, cardData: true });
    expect(scanMessage({ v: 1, data: { a: fits } }, 32).tooDeep).toBe(true);
    // The envelope's own strings are not card data; its depth counts all the same.
    expect(scanMessage({ v: 1, msgId: '4111111111111111', data: {} }, 32)).toEqual({ tooDeep: false, cardData: false });
    expect(scanMessage({ v: 1, extra: deep, data: {} }, 32).tooDeep).toBe(true);
  });

  it('decode every message of the fleet, and thousands of broken ones, as ingest did with zod alone', () => {
    const rand = mulberry32(11);
    const texts = messages.slice(0, 5_000).map((m) => JSON.stringify(m));
    for (let i = 0; i < 10_000; i++) texts.push(JSON.stringify(mutate(messages[Math.floor(rand() * messages.length)], rand)) ?? 'null');
    texts.push('{"v":1', '[]', 'null', '"text"', '{"v":1,"kind":"telemetry"}', JSON.stringify({ ...messages[0], data: { battery: { pct: 50 }, note: 'x\u0000' } }));
    for (const text of texts) expect(decodeMessage(Buffer.from(text))).toEqual(referenceDecode(text));
  });
});
