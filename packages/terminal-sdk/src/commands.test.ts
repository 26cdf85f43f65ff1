import { randomUUID } from 'node:crypto';
import type { DeviceCommand } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { commandHandlers, PaymentLock, TerminalLockedError, uploadLogBundle } from './commands.js';

const cmd = (name: DeviceCommand['name'], args?: Record<string, unknown>): DeviceCommand => ({ v: 1, commandId: randomUUID(), at: new Date().toISOString(), name, ...(args ? { args } : {}) });

describe('remote commands on the terminal', () => {
  it('check arguments before the handler runs, and refuse commands the terminal does not implement', async () => {
    const seen: unknown[] = [];
    const handle = commandHandlers({
      install: (args) => {
        seen.push(args);
        return { status: 'succeeded', detail: `installed ${args.version}` };
      },
    });
    expect(await handle(cmd('install', { kind: 'app' }))).toMatchObject({ status: 'failed', detail: expect.stringContaining('version') });
    expect(seen).toEqual([]);
    expect(await handle(cmd('install', { kind: 'app', version: '3.2.1' }))).toEqual({ status: 'succeeded', detail: 'installed 3.2.1' });
    expect(await handle(cmd('locate'))).toMatchObject({ status: 'failed', detail: 'locate is not supported by this terminal' });
  });

  it('a locked terminal refuses to start a payment until unlocked, and remembers it', () => {
    const saved: unknown[] = [];
    const lock = new PaymentLock((s) => saved.push(s));
    lock.assertCanPay();
    lock.lock('stolen');
    expect(() => lock.assertCanPay()).toThrow(TerminalLockedError);
    lock.unlock();
    lock.assertCanPay();
    expect(saved).toEqual([{ locked: true, message: 'stolen' }, { locked: false, message: null }]);
  });

  it('uploads a log bundle as multipart with the command id and the terminal credential; a refusal is an error', async () => {
    const calls: { url: string; auth: string | null; commandId: unknown; file: string }[] = [];
    const fake = (async (url: string, init: RequestInit) => {
      const form = init.body as FormData;
      calls.push({ url, auth: new Headers(init.headers).get('authorization'), commandId: form.get('commandId'), file: await (form.get('file') as Blob).text() });
      return calls.length === 1 ? new Response(JSON.stringify({ id: 'x', bytes: 5 }), { status: 201 }) : new Response(JSON.stringify({ error: { id: 'command.log_card_data' } }), { status: 400 });
    }) as unknown as typeof fetch;
    const o = { baseUrl: 'https://poscare.example/', terminalId: 't1', secret: 's', commandId: 'c1', filename: 'l.txt', content: 'hello', fetch: fake };
    expect(await uploadLogBundle(o)).toEqual({ id: 'x', bytes: 5 });
    expect(calls[0]).toEqual({ url: 'https://poscare.example/device/v1/logs', auth: 'Bearer t1:s', commandId: 'c1', file: 'hello' });
    await expect(uploadLogBundle(o)).rejects.toThrow(/400 command.log_card_data/);
  });
});
