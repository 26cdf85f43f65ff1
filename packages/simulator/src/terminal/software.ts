/**
 * The payment app and the OS: crashes, freezes (ANRs) and the watchdog that reboots a terminal whose
 * app keeps crashing. A reboot takes the terminal away for a minute or two.
 */
import type { Minute } from './minute.js';

/** The watchdog reboots after this many crashes within ten minutes. */
const CRASHES_BEFORE_REBOOT = 3;

export function crashTimes(m: Minute): number[] {
  const { s, c } = m;
  const n = s.rng.poisson(c.app.crashesPerMinute);
  return Array.from({ length: n }, () => m.startMs + s.rng.int(0, 59_000)).sort((a, b) => a - b);
}

export function crash(m: Minute, atMs: number): void {
  const s = m.s;
  if (m.isDown(atMs)) return;
  m.event('APP_CRASH', atMs);
  s.since.crashes++;
  s.appStartedAtMs = atMs + s.rng.int(5_000, 15_000);
  s.recentCrashesMs = s.recentCrashesMs.filter((t) => atMs - t < 10 * 60_000);
  s.recentCrashesMs.push(atMs);
  if (s.recentCrashesMs.length >= CRASHES_BEFORE_REBOOT) {
    s.recentCrashesMs = [];
    reboot(m, atMs + 2_000);
  }
}

export function reboot(m: Minute, atMs: number): void {
  const s = m.s;
  m.event('REBOOT', atMs);
  s.since.reboots++;
  s.downUntilMs = atMs + s.rng.int(60_000, 120_000);
  s.bootPending = true;
  s.bootedAtMs = s.downUntilMs;
  s.appStartedAtMs = s.downUntilMs + 15_000;
}

export function freezes(m: Minute): void {
  const { s, c } = m;
  const n = s.rng.poisson(c.app.anrsPerMinute);
  for (let i = 0; i < n; i++) {
    const at = m.startMs + s.rng.int(0, 59_000);
    if (m.isDown(at)) continue;
    s.since.anrs++;
    m.event('APP_ANR', at);
  }
}
