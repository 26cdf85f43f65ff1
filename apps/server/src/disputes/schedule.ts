/**
 * The disputes pass (a scheduled job, like the SLA pass): reminders 5 and 2 business days before the
 * deadline to the merchant and the agents, escalation to admins and agents when nobody has acted one
 * business day before it, and `expired` when the deadline passes with no response. Each step fires
 * once (its id is stored in `fired` under the row lock); each dispute keeps when it next needs a look
 * (`wake_at`), so the pass reads only those. Time is the injected clock.
 */
import type { AppContext } from '../platform/context.js';
import { systemActor } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import * as repo from './repository.js';
import { DisputeService, tellOutward } from './service.js';
import { nextWake, stepsOf } from './steps.js';

export async function runDisputePass(ctx: AppContext, limit = 500): Promise<{ disputes: number; reminders: number; escalated: number; expired: number }> {
  const now = ctx.clock.now();
  const svc = new DisputeService(ctx);
  const due = await ctx.db.rawTransaction((tx) => repo.dueForPass(tx, now, limit));
  const out = { disputes: due.length, reminders: 0, escalated: 0, expired: 0 };
  for (const { id, org_id } of due) {
    // What goes beyond the inbox (SMS to merchant contacts, group robots) is queued once the step is stored.
    const outward: { d: repo.DisputeDbRow; what: 'reminder' | 'escalated'; days: number }[] = [];
    await ctx.db.rawTransaction(async (tx) => {
      // The row lock: a second pass over the same dispute waits, then reads the steps the first fired.
      const d = await repo.getDispute(tx, org_id, id, null, true);
      if (!d || (d.status !== 'needs_response' && d.status !== 'unmatched')) return;
      const dueAt = new Date(d.due_at);
      const fired = [...(d.fired ?? [])];
      const steps = stepsOf(dueAt).filter((s) => s.at.getTime() <= now.getTime() && !fired.includes(s.id));
      let escalatedAt: Date | null = null;
      if (steps.some((s) => s.id === 'expire')) {
        if (await repo.moveStatus(tx, org_id, id, [d.status], 'expired', now, true, false)) {
          await repo.addEvent(tx, { orgId: org_id, disputeId: id, at: now, type: 'expired', fromValue: d.status, toValue: 'expired' });
          await recordAuditTx(tx, systemActor(org_id, 'disputes'), org_id, { action: 'expire', entity: 'dispute', entityId: id, before: { status: d.status }, after: { status: 'expired' } }, now);
          await svc.tell(tx, d, 'expired', ['admin', 'agent'], now);
          out.expired++;
        }
        await repo.saveSchedule(tx, id, [...fired, ...steps.map((s) => s.id)], null, null);
        return;
      }
      // Several reminders due at once (a short deadline, or the pass was down): tell the nearest one only.
      const reminders = steps.filter((s) => s.id.startsWith('remind:'));
      const nearest = reminders[reminders.length - 1];
      if (nearest) {
        const days = Number(nearest.id.slice('remind:'.length));
        await svc.tell(tx, d, 'reminder', ['agent'], now, days);
        outward.push({ d, what: 'reminder', days });
        await repo.addEvent(tx, { orgId: org_id, disputeId: id, at: now, type: 'reminder', toValue: String(days) });
        out.reminders++;
      }
      if (steps.some((s) => s.id === 'escalate') && !d.acted_at) {
        await svc.tell(tx, d, 'escalated', ['admin', 'agent'], now);
        outward.push({ d, what: 'escalated', days: 0 });
        await repo.addEvent(tx, { orgId: org_id, disputeId: id, at: now, type: 'escalated' });
        escalatedAt = now;
        out.escalated++;
      }
      const nowFired = [...fired, ...steps.map((s) => s.id)];
      await repo.saveSchedule(tx, id, nowFired, nextWake(now, dueAt, nowFired, !!d.acted_at), escalatedAt);
    });
    for (const o of outward) await tellOutward(ctx, o.d, o.what, now, o.days);
  }
  return out;
}
