import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('smoke', () => {
  it('answers health', async () => {
    const res = await t.app.inject({ url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
  });
  it('logs in and lists terminals', async () => {
    const { admin } = await t.tenant();
    const cookie = await t.login(admin.email);
    const res = await t.app.inject({ url: '/api/v1/terminals', headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().total).toBe(1);
  });
});
