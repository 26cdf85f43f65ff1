/** Software faults: a crashing app, a bad release, lost keys, a wrong clock, a full disk. */
import { APP_VERSIONS } from '../catalog.js';
import { reboot } from '../terminal/software.js';
import type { FaultDefinition, TerminalPlan } from './types.js';

/** The release after the newest one in the catalogue, e.g. 3.9.1 → 3.9.2. */
export function nextVersion(): string {
  const newest = APP_VERSIONS[APP_VERSIONS.length - 1]![0];
  const parts = newest.split('.').map(Number);
  parts[parts.length - 1] = (parts[parts.length - 1] ?? 0) + 1;
  return parts.join('.');
}

export const SOFTWARE_FAULTS: readonly FaultDefinition[] = [
  {
    // A crash loop: the app dies every minute or so and the watchdog keeps rebooting the terminal.
    id: 'sw.app.crash',
    scopes: ['terminal', 'fleet'],
    apply(ctx) {
      ctx.cond.app.crashesPerMinute += 0.3 + 1.7 * ctx.severity;
      ctx.cond.app.txnErrorChance = Math.max(ctx.cond.app.txnErrorChance, 0.2 * ctx.severity);
      ctx.cond.attemptFactor *= 0.7;
    },
  },
  {
    // A release goes out to a segment; terminals on it crash, freeze and fail payments more than on the one before.
    id: 'sw.update.regression',
    scopes: ['fleet', 'terminal'],
    affects: (t, inj) => t.appVersion !== (inj.params?.toVersion ?? nextVersion()),
    plan(ctx) {
      const rollout = (ctx.injection.params?.rolloutMinutes ?? 60) * 60_000;
      return ctx.affected.map((terminal): TerminalPlan => ({ terminal, fromMs: ctx.startMs + Math.floor(ctx.rng.next() * rollout), toMs: ctx.endMs }));
    },
    begin(ctx, atMs) {
      const s = ctx.minute.s;
      const version = ctx.params.toVersion ?? nextVersion();
      s.previousAppVersion = s.appVersion;
      s.appVersion = version;
      ctx.minute.event('UPDATE', atMs, { version });
      reboot(ctx.minute, atMs + 1_000);
    },
    apply(ctx) {
      if (ctx.minute.s.appVersion !== (ctx.params.toVersion ?? nextVersion())) return;
      const sev = ctx.severity;
      const app = ctx.cond.app;
      app.crashesPerMinute += 0.02 + 0.1 * sev;
      app.anrsPerMinute += 0.05 * sev;
      app.txnErrorChance += 0.08 * sev;
      app.leakMbPerMinute += 0.5 * sev;
      app.cpuPct += 15 * sev;
    },
    end(ctx, atMs) {
      const s = ctx.minute.s;
      if (!s.previousAppVersion || s.appVersion !== (ctx.params.toVersion ?? nextVersion())) return;
      // Rolled back (or a fixed build pushed): back to the version before.
      s.appVersion = s.previousAppVersion;
      ctx.minute.event('UPDATE', atMs, { version: s.appVersion });
      reboot(ctx.minute, atMs + 1_000);
    },
  },
  {
    id: 'sw.keys.missing',
    scopes: ['terminal'],
    begin(ctx, atMs) {
      const s = ctx.minute.s;
      s.keysLoaded = false;
      s.lastKeyExchangeOk = false;
      ctx.minute.event('KEYS_MISSING', atMs);
    },
    end(ctx) {
      ctx.minute.s.keysLoaded = true;
      ctx.minute.s.lastKeyExchangeOk = true;
    },
  },
  {
    id: 'sw.clock.skew',
    scopes: ['terminal'],
    apply(ctx) {
      ctx.cond.clockSkewS = -Math.round(600 + 7_200 * ctx.severity);
      ctx.minute.eventEvery('CLOCK_WRONG', ctx.minute.startMs + 30_000, 60 * 60_000);
    },
  },
  {
    id: 'sw.storage.full',
    scopes: ['terminal'],
    apply(ctx) {
      ctx.cond.storageFull = true;
      ctx.cond.app.txnErrorChance += 0.1 * ctx.severity;
      ctx.cond.app.anrsPerMinute += 0.02 * ctx.severity;
      ctx.minute.eventEvery('STORAGE_FULL', ctx.minute.startMs + 40_000, 60 * 60_000);
    },
  },
];
