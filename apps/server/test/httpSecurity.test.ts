/**
 * What every HTTP answer and every log line promises: security headers the console works within,
 * no cross-site posts, no query strings or SQL parameters in the logs.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { FakeClock } from '../src/platform/clock.js';
import { LOG_REDACT, LOG_SERIALIZERS } from '../src/platform/logging.js';
import { createTestApp, testDatabase, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let cookie: string;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp();
  const A = await t.tenant();
  orgId = A.org.id;
  cookie = await t.login(A.admin.email);
});
afterAll(() => t.close());

describe('security headers', () => {
  it('sends a content security policy, no sniffing, no framing and no referrer on every answer', async () => {
    for (const url of ['/api/v1/health', '/api/v1/me', '/no-such-page']) {
      const r = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBeDefined();
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('sends HSTS only over HTTPS', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('cross-site requests', () => {
  it('refuses a state-changing request from another site, in the caller\'s language', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/merchants',
      headers: { cookie, origin: 'https://evil.example', 'accept-language': 'en-US' },
      payload: { mid: 'X-1', name: 'Evil' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({ id: 'auth.cross_site' });
    const zh = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie, 'sec-fetch-site': 'cross-site' }, payload: { mid: 'X-1', name: 'Evil' } });
    expect(zh.json().error.message).toContain('其他网站');
  });

  it('refuses a cross-site multipart import (SameSite alone is not relied on)', async () => {
    const mp = multipartFile('fleet.csv', 'serial_number,vendor,model\nCS-1,PAX,A920\n');
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-imports?mode=valid_only', headers: { ...mp.headers, cookie, origin: 'null' }, payload: mp.payload });
    expect(r.statusCode).toBe(403);
  });

  it('accepts the same request from PosCare\'s own pages and from programs that send no origin', async () => {
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie, origin: 'http://localhost:80', host: 'localhost:80' }, payload: { mid: 'OWN-1', name: 'Own' } });
    expect(own.statusCode).toBe(201);
    const program = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie }, payload: { mid: 'OWN-2', name: 'Program' } });
    expect(program.statusCode).toBe(201);
    expect(orgId).toBeTruthy();
  });
});

describe('logs', () => {
  it('write the route of a request, never its query string', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    const { db, drop } = await testDatabase();
    const log = pino({ level: 'info', serializers: LOG_SERIALIZERS, redact: LOG_REDACT }, sink);
    const { app } = await buildApp({ db, config: loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'info' }), clock: new FakeClock(new Date()), log });
    try {
      await app.ready();
      await app.inject({ method: 'GET', url: '/api/v1/kb/search?q=4111111111111111&caption=secret-words' });
      await app.inject({ method: 'GET', url: '/api/v1/health?token=pc_abcdef' });
      const text = lines.join('');
      expect(text).toContain('/api/v1/kb/search');
      expect(text).toContain('/api/v1/health');
      expect(text).not.toContain('4111');
      expect(text).not.toContain('secret-words');
      expect(text).not.toContain('pc_abcdef');
    } finally {
      await app.close();
      await drop();
    }
  });

  it('write a failed query without its parameters', () => {
    const err = Object.assign(new Error('Failed query: insert into merchants (name) values ($1)\nparams: Zhang San,13800138000'), {
      query: 'insert into merchants (name) values ($1)',
      params: ['Zhang San', '13800138000'],
      cause: Object.assign(new Error('invalid byte sequence'), { parameters: ['Zhang San'] }),
    });
    const out = JSON.stringify((LOG_SERIALIZERS.err as (e: unknown) => unknown)(err));
    expect(out).toContain('Failed query: insert into merchants');
    expect(out).toContain('invalid byte sequence');
    expect(out).not.toContain('Zhang San');
    expect(out).not.toContain('13800138000');
  });
});
