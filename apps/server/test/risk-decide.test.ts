/**
 * `POST /api/v1/risk/decide` as payment systems call it: the lean route of decision 016 keeps every
 * guarantee of the ordinary stack. Each request below is sent to the app (lean route) and to a second
 * app on the same services with the route as it was before (`leanDecide: false`: zod validation and
 * serialisation, helmet per request); status, body and security headers must be the same.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInStrings, MAX_INPUT_DEPTH, RiskDecideRequest, stringHasCardData } from '@poscare/contracts';
import { buildApp } from '../src/app.js';
import { inputProblem } from '../src/http/inputGuard.js';
import { securityHeaders } from '../src/http/securityHeaders.js';
import { quickDecideRequest } from '../src/risk/decideRoute.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let old: FastifyInstance;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let token: string;
let tokenB: string;
let merchantToken: string;
let analystCookie: string;
let withTid: { id: string };

const VISA = '4111111111111111';
const SECURITY = Object.keys(securityHeaders());

interface Call {
  token?: string;
  cookie?: string;
  lang?: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}
const send = (app: FastifyInstance, c: Call) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/risk/decide',
    headers: {
      ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
      ...(c.cookie ? { cookie: c.cookie } : {}),
      ...(c.lang ? { 'accept-language': c.lang } : {}),
      'content-type': c.contentType ?? 'application/json',
      ...c.headers,
    },
    payload: c.raw ?? JSON.stringify(c.body ?? {}),
  });
/** Sends the call to the lean route and to the route as before; they must answer alike. */
async function both(c: Call): Promise<LightMyRequestResponse> {
  const [lean, before] = await Promise.all([send(t.app, c), send(old, c)]);
  expect({ status: lean.statusCode, body: lean.json() }).toEqual({ status: before.statusCode, body: before.json() });
  for (const h of [...SECURITY, 'content-type']) expect([h, lean.headers[h]]).toEqual([h, before.headers[h]]);
  return lean;
}
const payment = (over: object = {}) => ({ terminalId: A.terminal.id, cardToken: 'tok_fresh', amountMinor: 1200, entryMode: 'chip', at: t.clock.now().toISOString(), ...over });

beforeAll(async () => {
  t = await createTestApp();
  old = (await buildApp(t.ctx, { leanDecide: false }, t.services)).app;
  await old.ready();
  A = await t.tenant();
  B = await t.tenant();
  withTid = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active', tid: 'TLEAN001' });
  const analyst = await t.f.user(A.org.id, 'risk_analyst');
  analystCookie = await t.login(analyst.email);
  const tokenOf = async (cookie: string) =>
    (await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { cookie }, payload: { name: 'gateway' } })).json().token as string;
  token = await tokenOf(analystCookie);
  tokenB = await tokenOf(await t.login(B.admin.email));
  merchantToken = await tokenOf(await t.login(A.merchantUser.email));
  await t.db.rawTransaction((tx) =>
    tx.query(`INSERT INTO risk_blocks (org_id, kind, value) VALUES ($1, 'card_token', 'tok_stolen'), ($1, 'terminal', $2)`, [A.org.id, B.terminal.id]),
  );
  await t.db.rawTransaction((tx) => tx.query(`INSERT INTO risk_blocks (org_id, kind, value) VALUES ($1, 'card_token', 'tok_stolen_b')`, [B.org.id]));
}, 120_000);
afterAll(async () => {
  await old?.close();
  await t?.close();
});

describe('the lean risk/decide route', () => {
  it('answers an API token of a risk analyst as before: allow, block, by TID, in the caller language or the user language', async () => {
    expect((await both({ token, body: payment() })).json()).toEqual({ verdict: 'allow', terminalId: A.terminal.id, reasons: [] });
    const en = (await both({ token, lang: 'en-US', body: payment({ cardToken: 'tok_stolen' }) })).json();
    expect(en).toMatchObject({ verdict: 'block', reasons: [{ code: 'card_blocked' }] });
    expect(en.reasons[0].text).toMatch(/card/i);
    const zh = (await both({ token, lang: 'zh-CN', body: payment({ cardToken: 'tok_stolen' }) })).json();
    expect(zh.reasons[0].text).toMatch(/[\u4e00-\u9fff]/);
    const byTid = (await both({ token, body: { ...payment(), terminalId: undefined, tid: 'TLEAN001' } })).json();
    expect(byTid).toMatchObject({ verdict: 'allow', terminalId: withTid.id });
    // Padded and with a key the schema does not know: the schema trims and drops, as before.
    const padded = (await both({ token, body: { ...payment(), terminalId: undefined, tid: ' TLEAN001 ', note: 'retry' } })).json();
    expect(padded).toMatchObject({ verdict: 'allow', terminalId: withTid.id });
    await both({ token, body: payment() }); // no accept-language: the user's language
    await both({ cookie: analystCookie, body: payment({ cardToken: 'tok_stolen' }) }); // an analyst's session still works
  });

  it('takes the organization from the token: another organization sees its own blocks, and not our terminal', async () => {
    expect((await both({ token: tokenB, body: payment({ terminalId: B.terminal.id, cardToken: 'tok_stolen_b' }) })).json().verdict).toBe('block');
    expect((await both({ token: tokenB, body: payment({ terminalId: B.terminal.id, cardToken: 'tok_stolen' }) })).json().verdict).toBe('allow');
    const foreignTerminal = await both({ token: tokenB, body: payment() });
    expect(foreignTerminal.statusCode).toBe(404);
    // A's block of B's terminal id is A's business: B's own decide does not see it.
    expect((await both({ token: tokenB, body: payment({ terminalId: B.terminal.id }) })).json().verdict).toBe('allow');
  });

  it('refuses a missing, unknown or revoked token, and a user without risk:decide', async () => {
    expect((await both({ body: payment() })).statusCode).toBe(401);
    const unknown = await both({ token: 'pc_not_a_token', lang: 'en-US', body: payment() });
    expect([unknown.statusCode, unknown.json().error.id]).toEqual([401, 'auth.token_invalid']);
    expect((await both({ token: merchantToken, body: payment() })).statusCode).toBe(403);
    const c = await t.login((await t.f.user(A.org.id, 'risk_analyst')).email);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { cookie: c }, payload: { name: 'soon revoked' } });
    const revoked = res.json();
    expect((await both({ token: revoked.token, body: payment() })).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${revoked.id}`, headers: { cookie: c } });
    expect((await both({ token: revoked.token, body: payment() })).statusCode).toBe(401);
  });

  it('refuses a card number in any field, naming the field in the caller language and never repeating it', async () => {
    for (const body of [payment({ cardToken: VISA }), payment({ tid: '4111 1111 1111 1111' }), { ...payment(), memo: `card ${VISA}` }, { ...payment(), nested: { pan: VISA } }]) {
      for (const lang of ['en-US', 'zh-CN']) {
        const res = await both({ token, lang, body });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.id).toBe('validation.card_data');
        expect(res.body).not.toContain('4111');
      }
    }
    const query = await t.app.inject({ method: 'POST', url: `/api/v1/risk/decide?pan=${VISA}`, headers: { authorization: `Bearer ${token}` }, payload: payment() });
    expect([query.statusCode, query.json().error.id]).toEqual([400, 'validation.card_data']);
  });

  it('refuses malformed JSON, another content type and an invalid body with the usual errors, in zh and en', async () => {
    for (const lang of ['en-US', 'zh-CN']) {
      const malformed = await both({ token, lang, raw: '{"terminalId": ' });
      expect([malformed.statusCode, malformed.json().error.id]).toEqual([400, 'validation.malformed_json']);
      expect((await both({ token, lang, raw: '<decide/>', contentType: 'application/xml' })).statusCode).toBe(415);
      const invalid = await both({ token, lang, body: { ...payment(), terminalId: undefined, amountMinor: -1, entryMode: 'telepathy', at: 'yesterday' } });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.amountMinor', 'body.at', 'body.entryMode']);
      await both({ token, lang, body: { ...payment(), terminalId: undefined } }); // neither terminalId nor tid
      await both({ token, lang, body: [payment()] });
      await both({ token, lang, body: payment({ terminalId: 'not-a-uuid', amountMinor: 1.5 }) });
    }
    const zh = (await both({ token, lang: 'zh-CN', raw: '{' })).json();
    expect(zh.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('refuses a browser posting from another site', async () => {
    const res = await both({ cookie: analystCookie, body: payment(), headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(res.statusCode).toBe(403);
  });

  it('sends the security headers of every other route on answers and refusals, and is timed in /metrics', async () => {
    const ordinary = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    for (const res of [await send(t.app, { token, body: payment() }), await send(t.app, { body: payment() }), await send(t.app, { token, raw: '{' })]) {
      for (const h of SECURITY) expect([h, res.headers[h]]).toEqual([h, ordinary.headers[h]]);
    }
    expect(SECURITY).toEqual(expect.arrayContaining(['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy']));
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/poscare_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/risk\/decide",status="200"\} [1-9]/);
  });

  it('is described in the OpenAPI document with its request and answer', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    const op = doc.paths['/api/v1/risk/decide'].post;
    expect(Object.keys(op.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['terminalId', 'tid', 'cardToken', 'amountMinor', 'entryMode', 'at']));
    expect(op.responses['200'].content['application/json'].schema.properties.verdict.enum).toEqual(['allow', 'review', 'block']);
  });
});

describe('the hand check of a decide request', () => {
  const base = { terminalId: '6a3b0f0e-8a4b-4f63-9d1e-1d2c3b4a5f60', cardToken: 'tok_1', amountMinor: 1200, entryMode: 'chip', at: '2026-03-02T09:00:00+08:00' };
  const variants: unknown[] = [
    base,
    { ...base, terminalId: undefined, tid: 'T0000001' },
    { ...base, cardToken: undefined },
    { ...base, tid: 'T1' },
    { ...base, at: '2026-03-02T01:00:00.123Z' },
    { ...base, at: '2026-02-29T01:00:00Z' },
    { ...base, at: '2028-02-29T01:00:00Z' },
    { ...base, at: '2026-13-02T01:00:00Z' },
    { ...base, at: '2026-03-02T01:00:00' },
    { ...base, at: '2026-03-02 01:00:00Z' },
    { ...base, at: '2026-03-02T24:00:00Z' },
    { ...base, terminalId: 'not-a-uuid' },
    { ...base, terminalId: '6A3B0F0E-8A4B-4F63-9D1E-1D2C3B4A5F60' },
    { ...base, terminalId: '6a3b0f0e-8a4b-0f63-9d1e-1d2c3b4a5f60' },
    { ...base, terminalId: '' },
    { ...base, terminalId: undefined },
    { ...base, terminalId: null },
    { ...base, tid: '' },
    { ...base, tid: ' ' },
    { ...base, tid: ' T1' },
    { ...base, tid: 'T'.repeat(32) },
    { ...base, tid: 'T'.repeat(33) },
    { ...base, cardToken: 'x'.repeat(128) },
    { ...base, cardToken: 'x'.repeat(129) },
    { ...base, cardToken: 'tok\t' },
    { ...base, cardToken: 7 },
    { ...base, amountMinor: 0 },
    { ...base, amountMinor: -0 },
    { ...base, amountMinor: -1 },
    { ...base, amountMinor: 1.5 },
    { ...base, amountMinor: 2 ** 53 },
    { ...base, amountMinor: '1200' },
    { ...base, amountMinor: Number.NaN },
    { ...base, entryMode: 'CHIP' },
    { ...base, entryMode: 'toString' },
    { ...base, extra: 1 },
    { ...base, at: undefined },
    [],
    null,
    'x',
    42,
  ];

  it('accepts only what the schema accepts, and then exactly what the schema would give', () => {
    let accepted = 0;
    for (const v of variants) {
      const quick = quickDecideRequest(v);
      const zod = RiskDecideRequest.safeParse(v);
      if (quick) {
        accepted++;
        expect(zod.success, JSON.stringify(v)).toBe(true);
        expect(JSON.parse(JSON.stringify(quick))).toEqual(JSON.parse(JSON.stringify(zod.data)));
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(10);
  });

  it('accepts the well-formed body a payment system sends (no keys to drop, nothing to trim)', () => {
    expect(quickDecideRequest(base)).toBe(base);
    expect(quickDecideRequest({ ...base, note: 'x' })).toBeNull();
    expect(quickDecideRequest({ ...base, tid: ' T1 ' })).toBeNull();
  });
});

describe("the input guard's short way for flat bodies", () => {
  const walk = (v: unknown, prefix: string) =>
    findInStrings(v, (x) => (x.includes('\u0000') ? 'nul_byte' : stringHasCardData(x) ? 'card_data' : null), { prefix, maxDepth: MAX_INPUT_DEPTH, tooDeep: 'too_deep' });

  it('finds what the full walk finds, at the same path, for objects of plain values', () => {
    const cases: unknown[] = [
      { terminalId: '6a3b0f0e-8a4b-4f63-9d1e-1d2c3b4a5f60', cardToken: 'tok_1', amountMinor: 1200, entryMode: 'chip', at: '2026-03-02T09:00:00.123+08:00' },
      { a: VISA },
      { a: 'x', b: `pan ${VISA}`, c: 'nul\u0000' },
      { a: 'nul\u0000', b: VISA },
      { [VISA]: 1, b: 'x' },
      { a: 1, [`k${VISA}`]: 'x', [`j${VISA}`]: 'y' },
      { 'k\u0000': VISA },
      { a: null, b: true, c: 3.5, d: '4111 1111 1111 1111' },
      {},
    ];
    for (const v of cases) {
      expect([JSON.stringify(v), inputProblem(v, 'body')]).toEqual([JSON.stringify(v), walk(v, 'body')]);
      expect(inputProblem(v, '')).toEqual(walk(v, ''));
    }
    // Nested values and arrays still take the full walk.
    expect(inputProblem({ a: { b: VISA } }, 'body')).toEqual({ path: 'body.a.b', problem: 'card_data' });
    expect(inputProblem([VISA], 'body')).toEqual({ path: 'body.0', problem: 'card_data' });
  });
});
