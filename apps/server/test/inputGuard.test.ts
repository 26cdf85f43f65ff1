/**
 * No card number enters PosCare through the API, whatever field and however it is disguised; NUL
 * bytes and absurd nesting are refused as the caller's mistake, never a 500; nothing is echoed.
 * The last test searches a backup of everything the other tests did for card data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTANCE_CHECKS, stringHasCardData } from '@poscare/contracts';
import { backup } from '../src/backup/backup.js';
import { storableHeader } from '../src/http/inputGuard.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol } from './device.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let platform: string;
let alertId: string;
let ticketId: string;
let depotId: string;

/** The numbers an attacker tried, in the disguises that got through before. */
const VISA = '4111111111111111';
const UNIONPAY = '6212345678901232';
const DISGUISES = [
  VISA,
  UNIONPAY,
  '%B4111111111111111^DOE/JOHN^2812101000000000?',
  ';6212345678901232=28121010000000000?',
  '4111.1111.1111.1111',
  '4111  1111  1111  1111',
  '4111\t1111\t1111\t1111',
  '4111\n1111\n1111\n1111',
  '4111/1111/1111/1111',
  '4111 -1111.1111/1111',
  '4111\u00a01111\u00a01111\u00a01111',
  '4111\u200b1111\u200b1111\u200b1111',
  '４１１１１１１１１１１１１１１１',
];

const req = (method: string, url: string, payload?: unknown, lang = 'en-US', cookie = admin) =>
  t.app.inject({ method: method as 'POST', url, headers: { cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  admin = await t.login(A.admin.email);
  // The walk reaches platform-only routes; the second factor of platform admins is tested in mfa.test.ts.
  (t.ctx.config as { MFA_PLATFORM_ADMINS?: string }).MFA_PLATFORM_ADMINS = 'optional';
  const p = await t.f.user(A.org.id, 'admin', { platformAdmin: true });
  platform = await t.login(p.email);
  alertId = randomUUID();
  const now = t.clock.now();
  await t.db.rawTransaction((tx) =>
    tx.query(
      `INSERT INTO alerts (id, org_id, fingerprint, rule_code, rule_version, severity, status, group_by, scope_key, scope_label, terminal_id, site_id, merchant_id, members, member_count, started_at, last_change_at)
       VALUES ($1, $2, 'sec.tamper:x', 'sec.tamper', 1, 'critical', 'firing', 'terminal', $3::text, 'A', $3::uuid, $4, $5, '[]', 1, $6, $6)`,
      [alertId, A.org.id, A.terminal.id, A.site.id, A.merchant.id, now],
    ),
  );
  ticketId = (await req('POST', '/api/v1/tickets', { terminalId: A.terminal.id, title: 'Reader fails' })).json().ticket.id;
  depotId = (await req('POST', '/api/v1/depots', { code: 'D1', name: 'Depot' })).json().id;
  await enrol(t, admin, A.terminal.serialNumber); // commands go to enrolled terminals only
});
afterAll(() => t.close());

/** Each place the attacker test stored a card number; `body(v)` puts the value into the field. */
function storedFields() {
  const later = () => new Date(t.clock.now().getTime() + 3_600_000).toISOString();
  const at = () => t.clock.now().toISOString();
  return [
    { field: 'name', method: 'POST', url: '/api/v1/merchants', body: (v: string) => ({ mid: `M${randomUUID().slice(0, 8)}`, name: v }) },
    { field: 'contactPhone', method: 'POST', url: '/api/v1/merchants', body: (v: string) => ({ mid: `M${randomUUID().slice(0, 8)}`, name: 'Shop', contactPhone: v }) },
    { field: 'address', method: 'POST', url: '/api/v1/sites', body: (v: string) => ({ merchantId: A.merchant.id, code: `S${randomUUID().slice(0, 8)}`, name: 'Site', address: v }) },
    { field: 'name', method: 'PATCH', url: () => `/api/v1/users/${A.merchantUser.id}`, body: (v: string) => ({ name: v }) },
    { field: 'vendor', method: 'POST', url: '/api/v1/terminals', body: (v: string) => ({ serialNumber: `SN${randomUUID().slice(0, 8)}`, vendor: v, model: 'A920' }) },
    { field: 'osVersion', method: 'PATCH', url: () => `/api/v1/terminals/${A.terminal.id}`, body: (v: string) => ({ osVersion: v }) },
    { field: 'comment', method: 'POST', url: () => `/api/v1/alerts/${alertId}/ack`, body: (v: string) => ({ comment: v }) },
    { field: 'comment', method: 'POST', url: '/api/v1/silences', body: (v: string) => ({ matchers: { siteId: A.site.id }, endsAt: later(), comment: v }) },
    { field: 'reason', method: 'POST', url: '/api/v1/maintenance-windows', body: (v: string) => ({ siteId: A.site.id, startsAt: at(), endsAt: later(), reason: v }) },
    { field: 'name', method: 'POST', url: '/api/v1/webhooks', body: (v: string) => ({ name: v, url: 'https://hooks.example.test/x' }) },
    { field: 'label', method: 'POST', url: '/api/v1/enrollment-codes', body: (v: string) => ({ label: v }) },
    { field: 'name', method: 'POST', url: '/api/v1/me/tokens', body: (v: string) => ({ name: v }) },
    { field: 'reason', method: 'POST', url: () => `/api/v1/terminals/${A.terminal.id}/lifecycle`, body: (v: string) => ({ to: 'active', reason: v }) },
    { field: 'notes', method: 'POST', url: () => `/api/v1/terminals/${A.terminal.id}/acceptance`, body: (v: string) => ({ items: Object.fromEntries(ACCEPTANCE_CHECKS.map((c) => [c, 'pass'])), notes: v }) },
    { field: 'address', method: 'PATCH', url: () => `/api/v1/depots/${depotId}`, body: (v: string) => ({ address: v }) },
    { field: 'reason', method: 'POST', url: () => `/api/v1/terminals/${A.terminal.id}/commands`, body: (v: string) => ({ name: 'reboot', reason: v }) },
    // The message a locked terminal shows is free text a person types (the lock command's argument).
    { field: 'args.message', method: 'POST', url: () => `/api/v1/terminals/${A.terminal.id}/commands`, body: (v: string) => ({ name: 'lock', args: { message: v } }) },
    { field: 'answers', method: 'POST', url: '/api/v1/tickets', body: (v: string) => ({ terminalId: A.terminal.id, title: 'Card stuck', answers: { [v]: 'yes' } }) },
  ];
}

describe('card numbers are refused in every field that stored them, in any disguise', () => {
  it('refuses each disguise in each field, naming the field in the caller\'s language, and stores nothing', async () => {
    for (const f of storedFields()) {
      const url = typeof f.url === 'function' ? f.url() : f.url;
      for (const pan of DISGUISES) {
        const r = await req(f.method, url, f.body(pan));
        expect(r.statusCode, `${f.method} ${url} ${f.field} ${JSON.stringify(pan)}`).toBe(400);
        const err = r.json().error;
        expect(err.id).toBe('validation.card_data');
        // A key holding the number is named by its place, never by itself.
        expect(err.details[0].path).toBe(f.field === 'answers' ? 'body.answers.[key]' : `body.${f.field}`);
        expect(r.body).not.toMatch(/4111|6212|４１/);
      }
      const zh = await req(f.method, url, f.body(VISA), 'zh-CN');
      expect(zh.json().error.message).toContain('银行卡号');
    }
  });

  it('accepts the same requests without the card number (they were refused for the card alone)', async () => {
    for (const f of storedFields()) {
      const url = typeof f.url === 'function' ? f.url() : f.url;
      const r = await req(f.method, url, f.body(f.field === 'answers' ? 'reader_ok' : 'card ending 1111, 4-4-4 digits'));
      expect(r.statusCode, `${f.method} ${url}: ${r.body}`).toBeLessThan(300);
    }
  });

  it('refuses card numbers in query strings without writing them to the answer', async () => {
    const r = await req('GET', `/api/v1/tickets?q=${encodeURIComponent('4111 1111 1111 1111')}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].path).toBe('query.q');
    const jpeg = multipartFile('p.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64)]));
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/work-orders/${randomUUID()}/photos?caption=${VISA}`, headers: { cookie: admin, ...jpeg.headers }, payload: jpeg.payload });
    expect(up.statusCode).toBe(400);
  });

  it('walks every route of the OpenAPI document with a card number in each string field: all refused, none fails', async () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, Operation>> };
    let tried = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!p.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const url = p.replace(/\{[^}]+\}/g, randomUUID());
        const schema = op.requestBody?.content?.['application/json']?.schema;
        for (const [i, pan] of [VISA, '6212 3456 7890 1232', '４１１１.１１１１.１１１１.１１１１'].entries()) {
          if (schema && hasString(schema)) {
            const r = await req(method.toUpperCase(), url, sample(schema, pan), 'en-US', platform);
            expect(r.statusCode, `${method} ${p} body: ${r.body}`).toBe(400);
            expect(r.json().error.id).toBe('validation.card_data');
            tried++;
          }
          const queryNames = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
          for (const name of queryNames.slice(i, i + 1).concat(i === 0 ? queryNames : [])) {
            const r = await req(method.toUpperCase(), `${url}?${name}=${encodeURIComponent(pan)}`, method === 'get' || method === 'delete' ? undefined : {}, 'en-US', platform);
            expect(r.statusCode, `${method} ${p}?${name}: ${r.body}`).toBe(400);
            tried++;
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(150);
  });
});

describe('NUL bytes and deep nesting are the caller\'s mistake, answered in words', () => {
  it('answers 400 naming the field for NUL in titles, searches, names, comments and versions', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/tickets', { terminalId: A.terminal.id, title: 'a\u0000b' }, 'body.title'],
      ['GET', '/api/v1/tickets?q=a%00b', undefined, 'query.q'],
      ['POST', '/api/v1/merchants', { mid: 'M-NUL', name: 'Shop\u0000' }, 'body.name'],
      ['POST', '/api/v1/sites', { merchantId: A.merchant.id, code: 'NUL', name: '\u0000' }, 'body.name'],
      ['POST', `/api/v1/tickets/${ticketId}/comments`, { body: 'x\u0000' }, 'body.body'],
      ['PATCH', `/api/v1/terminals/${A.terminal.id}`, { osVersion: '9\u0000' }, 'body.osVersion'],
    ];
    for (const [method, url, body, field] of cases) {
      for (const lang of ['en-US', 'zh-CN']) {
        const r = await req(method, url, body, lang);
        expect(r.statusCode, `${method} ${url}`).toBe(400);
        expect(r.json().error.details[0]).toMatchObject({ path: field });
        expect(r.json().error.details[0].message).toMatch(lang === 'en-US' ? /NUL character/ : /空字符/);
      }
    }
  });

  it('refuses a body nested deeper than any PosCare document, without exhausting the stack', async () => {
    // Written as text: the test client's JSON.stringify could not serialise it either.
    const deep = `${'{"d":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { cookie: admin, 'accept-language': 'en-US', 'content-type': 'application/json' },
      payload: `{"terminalId":"${A.terminal.id}","title":"t","answers":${deep}}`,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].message).toContain('nested too deeply');
    expect((await req('GET', '/api/v1/health')).statusCode).toBe(200);
  });
});

describe('headers PosCare keeps', () => {
  it('keeps a browser name for a remembered device only without card data or NUL, and cut short', () => {
    expect(storableHeader('Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0')).toBe('Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0');
    expect(storableHeader(`Mozilla/5.0 ${'4111 1111 1111 1111'}`)).toBeNull();
    expect(storableHeader('agent\u0000')).toBeNull();
    expect(storableHeader('x'.repeat(500))).toHaveLength(200);
    expect(storableHeader(undefined)).toBeNull();
  });
});

describe('what a backup holds', () => {
  it('holds no card number anywhere after all of the above', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'poscare-bk-'));
    try {
      const file = path.join(dir, 'b.gz');
      await backup(t.db, file);
      const text = gunzipSync(readFileSync(file)).toString('utf8');
      expect(text.length).toBeGreaterThan(1000);
      expect(text).toContain('card ending 1111'); // the clean requests were stored
      const found = text.split(/\\n|\n/).filter((line) => stringHasCardData(line));
      expect(found).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- a small JSON-schema sampler: a body of the route's shape with every string set to `pan` ----
interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string }[];
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
}

function hasString(s: JsonSchema, depth = 0): boolean {
  if (depth > 8) return false;
  const types = [s.type].flat();
  if (types.includes('string') && !s.enum && s.const === undefined && !s.format) return true;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return true;
  if (types.includes('object') && !s.properties) return true;
  return [...Object.values(s.properties ?? {}), ...(s.items ? [s.items] : []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])].some((c) => hasString(c, depth + 1));
}

function sample(s: JsonSchema, pan: string, depth = 0): unknown {
  if (depth > 8) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt.find((a) => a.type !== 'null') ?? alt[0]!, pan, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((a) => sample(a, pan, depth + 1) as object));
  const type = [s.type].flat().find((x) => x !== 'null');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sample(v, pan, depth + 1);
      if (!s.properties || (s.additionalProperties && typeof s.additionalProperties === 'object')) out.note = pan;
      return out;
    }
    case 'array':
      return s.items ? [sample(s.items, pan, depth + 1)] : [pan];
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email') return 'someone@example.test';
      if (s.format === 'uri') return 'https://example.test/x';
      return pan;
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return pan;
  }
}
