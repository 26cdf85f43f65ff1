/** What each job does, bound to this process's services. The registry (registry.ts) says what each job is. */
import { lt } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { AlertService } from '../alerts/service.js';
import { storeAlertDiagnosis } from '../alerts/repository.js';
import { runSlaPass } from '../tickets/sla.js';
import { runDisputePass } from '../disputes/schedule.js';
import { pruneHistory } from '../fleet/retention.js';
import { loginChallenges, sessions, trustedDevices } from '../db/schema.js';
import { clearExpiredLimits } from '../security/rateLimitStore.js';
import { pruneLogBundles } from '../commands/logs.js';
import type { JobHandlers } from './registry.js';
import { CommandService } from '../commands/service.js';
import { runRolloutPass } from '../rollouts/runner.js';
import type { RolloutService } from '../rollouts/service.js';

export function jobHandlers(ctx: AppContext, services: { alerts: AlertService; rollouts?: RolloutService }): JobHandlers {
  return {
    'alert.diagnose': async ({ alertId, orgId, terminalId }) => {
      if (!terminalId) return null;
      const summary = await services.alerts.diagnosisFor(orgId, terminalId);
      if (summary) await ctx.db.rawTransaction((tx) => storeAlertDiagnosis(tx, alertId, orgId, ctx.clock.now(), null, summary));
      return summary ? { causes: summary.causes.length } : null;
    },
    'sla.pass': () => runSlaPass(ctx),
    'disputes.pass': () => runDisputePass(ctx),
    // The process's own command service (with its MQTT publisher) when it has one.
    'rollouts.pass': () => (services.rollouts ? services.rollouts.pass() : runRolloutPass(ctx, new CommandService(ctx))),
    'retention.prune': async () => {
      const now = ctx.clock.now();
      const { db } = ctx;
      // Each step on its own: one failing does not keep the others from running; the job fails (and is retried) if any did.
      const steps: [string, () => Promise<unknown>][] = [
        ['sessions', () => db.orm.delete(sessions).where(lt(sessions.expiresAt, now))],
        ['telemetry history', () => pruneHistory(db, now, ctx.config)],
        ['sign-in challenges', () => db.orm.delete(loginChallenges).where(lt(loginChallenges.expiresAt, now))],
        ['remembered browsers', () => db.orm.delete(trustedDevices).where(lt(trustedDevices.expiresAt, now))],
        ['rate limits', () => clearExpiredLimits(db)],
        ['log bundles', () => pruneLogBundles(db, now)],
      ];
      const failed: string[] = [];
      for (const [what, step] of steps) {
        await step().catch((err: unknown) => {
          ctx.log.warn({ err, what }, 'retention step failed');
          failed.push(what);
        });
      }
      if (failed.length) throw new Error(`retention steps failed: ${failed.join(', ')}`);
      return null;
    },
  };
}
