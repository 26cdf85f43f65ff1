/**
 * Fuzzing the device channel with a fixed budget, in the normal test run: arbitrary JSON (deep, wide,
 * odd unicode, huge numbers, NUL characters, broken envelopes) through the decode path every MQTT and
 * HTTPS message takes, and through POST /device/v1/messages. The answer is always "stored" or a
 * refusal with one of the protocol's reasons: never an exception, never a 5xx.
 *
 * The seed changes from run to run so CI keeps exploring; a failure prints its seed and
 * counterexample, and FUZZ_SEED=<seed> replays it. Counterexamples found so far are plain tests below.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECTION_REASONS } from '@poscare/contracts';
import { decodeMessage, type Decoded } from '../src/ingest/decode.js';
import { prepare } from '../src/ingest/store.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol } from './device.js';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const budget = (numRuns: number, interruptAfterTimeLimit: number) => ({ numRuns, interruptAfterTimeLimit, ...(seed === undefined ? {} : { seed }) });
/** Longest one message may take to check: far above a real message's cost (tens of µs), far below a hang. */
const SLOW_MS = 250;

const KINDS = ['telemetry', 'event', 'txn', 'cmd_ack'] as const;
const ODD_STRINGS = ['', '\u0000', 'a\u0000b', '\\u0000', '\ud800', '\udfff\ud800', '🙂'.repeat(50), '读卡失败', 'x'.repeat(5_000), '4111111111111111', '%B4111111111111111^DOE/J^2512', '__proto__', 'constructor', '\u202e', '\ufeff'];
const ODD_NUMBERS = [1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 5e-324, -0, 0.1, 1e21, 101, -151];

const oddString = fc.oneof(fc.constantFrom(...ODD_STRINGS), fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
const oddNumber = fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), oddNumber, oddString, tie('arr'), tie('obj')),
  arr: fc.array(tie('any'), { maxLength: 6 }),
  obj: fc.dictionary(fc.oneof(oddString, fc.constantFrom('battery', 'pct', 'reader', 'chip', 'attempts', 'failures', 'network', 'type', 'message', 'commandId', 'status', 'data')), tie('any'), { maxKeys: 6 }),
})).any;

/** Data that is nearly right for its kind, with any field possibly replaced by anything. */
const nearData = fc.record(
  {
    battery: fc.oneof(fc.record({ pct: fc.oneof(oddNumber, value), charging: fc.oneof(fc.boolean(), value) }, { requiredKeys: [] }), value),
    reader: fc.oneof(fc.record({ chip: fc.oneof(fc.record({ attempts: oddNumber, failures: oddNumber }), value) }, { requiredKeys: [] }), value),
    network: fc.oneof(fc.record({ type: fc.oneof(fc.constantFrom('wifi', 'cellular'), oddString), signalDbm: oddNumber, ip: oddString }, { requiredKeys: [] }), value),
    peripherals: fc.oneof(fc.array(fc.record({ kind: oddString, connected: fc.boolean() }), { maxLength: 20 }), value),
    type: oddString,
    message: oddString,
    entryMode: fc.oneof(fc.constantFrom('chip', 'contactless', 'magstripe'), oddString),
    outcome: fc.oneof(fc.constantFrom('approved', 'declined'), oddString),
    amountMinor: oddNumber,
    tvr: fc.oneof(fc.constantFrom('0000008000', 'zz00008000'), oddString),
    commandId: fc.oneof(fc.uuid(), oddString),
    status: fc.oneof(fc.constantFrom('received', 'succeeded', 'failed'), oddString),
    detail: oddString,
  },
  { requiredKeys: [] },
);

const envelope = fc.record(
  {
    v: fc.oneof(fc.constant(1), value),
    msgId: fc.oneof(fc.uuid(), oddString, value),
    at: fc.oneof(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2026-03-02T10:00:00+08:00', '0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z'), oddString, value),
    kind: fc.oneof(fc.constantFrom(...KINDS), value),
    data: fc.oneof(nearData, value),
  },
  { requiredKeys: [] },
);

/** Valid messages with odd but allowed content (unicode, control characters, lone surrogates, boundary numbers): these are stored. */
const validText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('读卡失败', 'tab\there', 'back\\slash', 'line\nbreak', '\ud800', '🙂'), fc.string({ maxLength: 40 }));
const validMessage = fc.oneof(
  fc.record({
    kind: fc.constant('telemetry'),
    data: fc.record(
      {
        battery: fc.record({ pct: fc.double({ min: 0, max: 100, noNaN: true }), cycles: fc.nat() }, { requiredKeys: [] }),
        tempC: fc.double({ min: -50, max: 150, noNaN: true }),
        reader: fc.record({ chip: fc.nat({ max: 1e6 }).chain((a) => fc.record({ attempts: fc.constant(a), failures: fc.nat({ max: a }) })) }, { requiredKeys: [] }),
        network: fc.record({ ip: validText, latencyMs: fc.double({ min: 0, max: 1e300, noNaN: true }) }, { requiredKeys: [] }),
        app: fc.record({ version: validText, crashes: fc.nat() }, { requiredKeys: [] }),
        peripherals: fc.array(fc.record({ kind: validText, connected: fc.boolean() }), { maxLength: 16 }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ kind: fc.constant('event'), data: fc.record({ type: validText.filter((x) => x.length > 0), message: validText, code: validText }, { requiredKeys: ['type'] }) }),
  fc.record({ kind: fc.constant('txn'), data: fc.record({ entryMode: fc.constantFrom('chip', 'qr'), outcome: fc.constantFrom('approved', 'timeout'), amountMinor: fc.nat(), cardToken: validText }, { requiredKeys: ['entryMode', 'outcome'] }) }),
  fc.record({ kind: fc.constant('cmd_ack'), data: fc.record({ commandId: fc.uuid(), status: fc.constantFrom('received', 'failed'), detail: validText }, { requiredKeys: ['commandId', 'status'] }) }),
);
const validEnvelope = fc
  .tuple(validMessage, fc.date({ min: new Date('2026-02-28T00:00:00Z'), max: new Date('2026-03-04T00:00:00Z'), noInvalidDate: true }))
  .map(([m, at]) => JSON.stringify({ v: 1, msgId: randomUUID(), at: at.toISOString(), ...m }));

/** A message as text: valid with odd content, an envelope with anything in it, any JSON, or a valid envelope whose data nests thousands of levels. */
const messageText = fc.oneof(
  { weight: 3, arbitrary: validEnvelope },
  { weight: 5, arbitrary: envelope.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 8_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom(...KINDS)).map(([depth, open, kind]) => {
      const close = open === '[' ? ']' : '}';
      return `{"v":1,"msgId":"${randomUUID()}","at":"2026-03-02T10:00:00+08:00","kind":"${kind}","data":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
    }),
  },
);

const REASONS = new Set<string>(REJECTION_REASONS);
const TERMINAL = randomUUID();
const ORG = randomUUID();

/** A clean answer: a message, or a refusal with a protocol reason that is not a defect of ours. */
function expectClean(d: Decoded, input: unknown): void {
  if (d.ok) {
    expect(() => prepare(d.msg, ORG, TERMINAL, '2026-03-02T02:00:00.000Z'), String(input).slice(0, 300)).not.toThrow();
    return;
  }
  expect(REASONS.has(d.reason), d.reason).toBe(true);
  // A check that threw is answered as a refusal too, but it is a defect, and the fuzzer is there to find it.
  expect(d.detail ?? '', String(input).slice(0, 300)).not.toMatch(/^could not be checked/);
}

function timed<T>(fn: () => T): T {
  const started = performance.now();
  const out = fn();
  const took = performance.now() - started;
  if (took > SLOW_MS) throw new Error(`took ${took.toFixed(0)} ms`);
  return out;
}

describe('fuzzing the decode path of every device message', () => {
  it('answers any message text, as MQTT delivers it, with a checked message or a clean refusal', () => {
    fc.assert(
      fc.property(messageText, (text) => {
        expectClean(timed(() => decodeMessage(Buffer.from(text))), text);
      }),
      budget(2_000, 6_000),
    );
  });

  it('answers any parsed message, as HTTPS hands it over, with a checked message or a clean refusal', () => {
    fc.assert(
      fc.property(messageText, (text) => {
        const parsed = JSON.parse(text) as unknown;
        expectClean(timed(() => decodeMessage(parsed)), text);
      }),
      budget(2_000, 5_000),
    );
  });

  it('answers any bytes, not even JSON, with a clean refusal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)), fc.string({ unit: 'binary', maxLength: 400 }).map((s) => Buffer.from(s))), (bytes) => {
        expectClean(timed(() => decodeMessage(bytes)), bytes.toString('hex'));
      }),
      budget(2_000, 2_000),
    );
  });
});

describe('fuzzing POST /device/v1/messages', () => {
  let t: TestApp;
  let cred: { terminalId: string; secret: string };
  beforeAll(async () => {
    t = await createTestApp();
    const A = await t.tenant();
    cred = await enrol(t, await t.login(A.admin.email), A.terminal.serialNumber);
  });
  afterAll(async () => t?.close());

  it('answers any batch with 200 and one outcome per message, or 400 for a message nested too deep (or a prototype key): never a 5xx', async () => {
    let deep = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(messageText, { minLength: 1, maxLength: 6 }), fc.constantFrom('en-US', 'zh-CN'), async (messages, lang) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/device/v1/messages',
          headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}`, 'content-type': 'application/json', 'accept-language': lang },
          payload: `{"messages":[${messages.join(',')}]}`,
        });
        const sample = messages.join(',');
        expect(res.statusCode, `${res.body.slice(0, 300)} for ${sample.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode === 400) {
          const id = res.json().error.id as string;
          // The JSON reader refuses prototype keys in any request, before the device channel sees it.
          if (id === 'validation.malformed_json') expect(sample).toContain('__proto__');
          else expect(id, res.body).toBe('device.too_deep');
          if (id === 'device.too_deep') deep++;
          return;
        }
        expect(res.statusCode, res.body).toBe(200);
        const r = res.json() as { accepted: number; duplicates: number; rejected: { reason: string }[] };
        expect(r.accepted + r.duplicates + r.rejected.length).toBe(messages.length);
        accepted += r.accepted;
        for (const x of r.rejected) expect(REASONS.has(x.reason), x.reason).toBe(true);
      }),
      budget(120, 8_000),
    );
    // The storing path was exercised too, not only refusals.
    expect(accepted).toBeGreaterThan(0);
    await t.services.pipeline.flush();
    // Every refusal reached the rejected-message log: none of them failed its COPY.
    const logged = await t.db.rawTransaction((tx) => tx.query<{ n: string }>('SELECT count(*) AS n FROM rejected_messages WHERE terminal_id = $1', [cred.terminalId]));
    expect(Number(logged[0]!.n)).toBeGreaterThanOrEqual(deep);
  });
});
