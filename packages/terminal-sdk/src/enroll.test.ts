import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enroll } from './enroll.js';
import { EnrollError, MessageValidationError } from './errors.js';
import { DeviceServer } from './testing/deviceServer.js';

let server: DeviceServer;
beforeEach(async () => {
  server = await new DeviceServer().start();
});
afterEach(async () => {
  await server.stop();
});

const RESULT = {
  terminalId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  orgId: '6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10',
  secret: 'c2VjcmV0LXNob3duLW9uY2U',
  mqtt: { topicPrefix: 'poscare/v1/6f1c1f3e-7a52-4c1e-9a55-0c6a4c2b7f10/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' },
};

describe('enroll', () => {
  it('trades a code and serial number for a credential', async () => {
    server.replies.push({ status: 200, body: RESULT });
    expect(await enroll(server.url, 'K7Q2M9X4PZ8A', 'PAX24A920K3J9QZ')).toEqual(RESULT);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/device/v1/enroll', body: { code: 'K7Q2M9X4PZ8A', serialNumber: 'PAX24A920K3J9QZ' } });
  });

  it('reports a refusal with the status and the server\'s error id', async () => {
    server.replies.push({ status: 401, body: { error: { id: 'device.enrollment_invalid', message: 'code invalid or used up' } } });
    const err = await enroll(server.url, 'K7Q2M9X4PZ8A', 'PAX24A920K3J9QZ').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrollError);
    expect(err).toMatchObject({ status: 401, errorId: 'device.enrollment_invalid', code: 'enroll_failed' });
  });

  it('checks its input before calling the server', async () => {
    await expect(enroll(server.url, 'short', 'PAX24A920K3J9QZ')).rejects.toBeInstanceOf(MessageValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an answer that does not match the protocol', async () => {
    server.replies.push({ status: 200, body: { terminalId: 'nope' } });
    await expect(enroll(server.url, 'K7Q2M9X4PZ8A', 'PAX24A920K3J9QZ')).rejects.toThrow(/does not match the protocol/);
  });
});
