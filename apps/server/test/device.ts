/** Helpers for device-channel tests: enrol a terminal and build protocol messages. */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './harness.js';

export async function enrol(t: TestApp, adminCookie: string, serialNumber: string) {
  const code = await t.app.inject({ method: 'POST', url: '/api/v1/enrollment-codes', headers: { cookie: adminCookie }, payload: { label: 'test', maxUses: 1 } });
  if (code.statusCode !== 201) throw new Error(code.body);
  const res = await t.app.inject({ method: 'POST', url: '/device/v1/enroll', payload: { code: code.json().code, serialNumber } });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json() as { terminalId: string; orgId: string; secret: string; mqtt: { topicPrefix: string } };
}

export const telemetry = (at: Date, data: Record<string, unknown> = {}, msgId: string = randomUUID()) => ({ v: 1, msgId, at: at.toISOString(), kind: 'telemetry', data });
export const txn = (at: Date, data: Record<string, unknown>, msgId: string = randomUUID()) => ({ v: 1, msgId, at: at.toISOString(), kind: 'txn', data });
export const event = (at: Date, data: Record<string, unknown>, msgId: string = randomUUID()) => ({ v: 1, msgId, at: at.toISOString(), kind: 'event', data });

export function send(t: TestApp, cred: { terminalId: string; secret: string }, messages: unknown[], lang = 'en-US') {
  return t.app.inject({
    method: 'POST',
    url: '/device/v1/messages',
    headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}`, 'accept-language': lang },
    payload: { messages },
  });
}
