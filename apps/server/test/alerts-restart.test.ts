/**
 * Storing alert changes is idempotent per fingerprint: after a crash, an engine that never restored an
 * open alert (the dying process's last write landed after the new one started) raises the same
 * condition again; the change goes to the stored alert, nothing is lost and nothing fails.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlertRuntime } from '../src/alerts/runtime.js';
import type { Accepted } from '../src/ingest/store.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
});
afterAll(async () => t?.close());

const chip = (attempts: number, failures: number) => ({ reader: { chip: { attempts, failures } }, network: { connected: true } });

describe('alert changes after a restart', () => {
  it('a new engine that fires a fingerprint already open in storage continues the stored alert: one open alert, the change recorded, no error', async () => {
    const cookie = await t.login(A.admin.email);
    const cred = await enrol(t, cookie, A.terminal.serialNumber);
    const errors = vi.spyOn(t.ctx.log, 'error');

    // The restarted process: its engine restored what was stored when it started, which was nothing yet.
    const restarted = new AlertRuntime(t.ctx, { localIngest: true });
    await restarted.start();

    // The process that died: it saw the failing reads and its write of the alert landed after that.
    const dying = new AlertRuntime(t.ctx, { localIngest: true });
    await dying.start();
    const committed: [Accepted[], boolean[]][] = [];
    t.services.pipeline.onCommitted((batch, stored) => committed.push([[...batch], [...stored]]));
    const at = (k: number) => new Date(t.clock.now().getTime() - 120_000 + k * 1000);
    expect((await send(t, cred, [telemetry(at(1), chip(12, 5)), telemetry(at(2), chip(12, 5)), telemetry(at(3), chip(12, 5))])).json()).toMatchObject({ accepted: 3 });
    for (const [batch, stored] of committed) dying.feed(batch, stored);
    await dying.settled();
    dying.stop();
    const open = () =>
      t.db.rawTransaction((tx) => tx.query<{ id: string; status: string }>(`SELECT id, status FROM alerts WHERE terminal_id = $1 AND rule_code = 'reader.chip.failing' AND status <> 'resolved'`, [A.terminal.id]));
    const [stored] = await open();
    expect(stored).toMatchObject({ status: 'firing' });

    // The same condition reaches the restarted engine, which opens the fingerprint again.
    for (const [batch, s] of committed) restarted.feed(batch, s);
    await restarted.settled();
    restarted.stop();

    expect(errors).not.toHaveBeenCalled();
    expect(await open()).toEqual([stored]);
    const events = await t.db.rawTransaction((tx) => tx.query<{ type: string }>('SELECT type FROM alert_events WHERE alert_id = $1 ORDER BY id', [stored!.id]));
    expect(events.filter((e) => e.type === 'fired')).toHaveLength(2);
    // The engine goes on with the stored alert: what it does next is written to that row.
    expect(restarted.engine.getOpen(stored!.id)).not.toBeNull();
    expect(restarted.acknowledge(stored!.id, 'agent@example.test')).not.toBeNull();
    await restarted.settled();
    expect(await open()).toEqual([{ id: stored!.id, status: 'acknowledged' }]);
  });
});
