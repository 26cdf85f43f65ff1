/**
 * One terminal's minute, in order: power and reboots, the link (and the backlog it releases), the
 * surroundings, the day's routine, remote commands, then everything that happens at a moment —
 * crashes, customers paying, a card-scoped fault's card, the telemetry sample — in time order, so the
 * sample counts exactly what happened since the previous one.
 */
import { MERCHANT_KINDS } from '../catalog.js';
import type { CardPresentation } from '../conditions.js';
import { tradingIntensity } from '../curves.js';
import { applyRelease, carryOut, type CommandOutcome, type Releases } from './commands.js';
import { dailyRoutine } from './daily.js';
import { updateEnvironment } from './environment.js';
import { flushOutbox, type Deliver, type Minute } from './minute.js';
import { cardPresented, customerPays } from './payments.js';
import { tryPowerOn, updatePower } from './power.js';
import { replacePaperIfDue } from './printer.js';
import { crash, crashTimes, freezes } from './software.js';
import type { PendingCommand } from './state.js';
import { telemetrySample } from './telemetry.js';

interface Moment {
  atMs: number;
  what: 'crash' | 'payment' | 'card' | 'telemetry';
  card: CardPresentation | null;
}

export type CommandDone = (cmd: PendingCommand, outcome: CommandOutcome, atMs: number) => void;

export interface MinuteOptions {
  /** Acknowledge commands as `received` too (off when a real SDK client already did). */
  ackReceived: boolean;
  /** Known defects of app versions (bad releases): a terminal on one shows them. */
  releases?: Releases;
}

export function runMinute(m: Minute, deliver: Deliver, onCommand: CommandDone, opts: MinuteOptions): void {
  const { s, c } = m;
  if (opts.releases?.size) applyRelease(m, opts.releases);
  // Switched off: nothing happens, nothing is recorded.
  if (s.off && !tryPowerOn(m)) return;
  // Rebooting all minute: only what happened before the reboot (an update, a crash) is recorded.
  if (s.downUntilMs >= m.endMs) return m.finish(deliver);
  if (s.bootPending) {
    s.bootPending = false;
    m.event('BOOT', Math.max(m.startMs, s.downUntilMs));
  }

  const linkUp = !c.network.linkDown && !s.rng.chance(c.network.dropChance);
  if (linkUp && !s.linkUp) flushOutbox(s, Math.max(m.startMs, s.downUntilMs) + 1_000, deliver);
  s.linkUp = linkUp;

  updateEnvironment(m, Math.min(1, s.paymentsLastMinute / 3));
  updatePower(m, s.paymentsLastMinute);
  if (s.off) return m.finish(deliver);
  s.leakMb = c.app.leakMbPerMinute > 0 ? s.leakMb + c.app.leakMbPerMinute : 0;
  replacePaperIfDue(m);
  dailyRoutine(m);
  if (s.linkUp && !m.isDown(m.startMs)) runCommands(m, onCommand, opts);

  // Plain records rather than closures: this runs for every terminal every minute.
  const moments: Moment[] = [];
  for (const at of crashTimes(m)) moments.push({ atMs: at, what: 'crash', card: null });
  const spec = MERCHANT_KINDS.find((k) => k.kind === s.merchant.kind)!;
  const rate = spec.peakPerMinute * tradingIntensity(s.merchant.kind, m.local) * s.site.volumeFactor * c.attemptFactor;
  const payments = s.rng.poisson(rate);
  for (let i = 0; i < payments; i++) moments.push({ atMs: m.startMs + s.rng.int(0, 45_000), what: 'payment', card: null });
  for (const card of c.cards) moments.push({ atMs: card.atMs, what: 'card', card });
  moments.push({ atMs: m.startMs + s.terminal.reportSecond * 1_000, what: 'telemetry', card: null });
  moments.sort((a, b) => a.atMs - b.atMs);
  for (const moment of moments) {
    if (m.isDown(moment.atMs)) continue;
    if (moment.what === 'crash') crash(m, moment.atMs);
    else if (moment.what === 'payment') customerPays(m, moment.atMs);
    else if (moment.card) cardPresented(m, moment.card);
    else m.emit('telemetry', telemetrySample(m, moment.atMs), moment.atMs);
  }
  s.paymentsLastMinute = payments;

  freezes(m);
  m.finish(deliver);
}

function runCommands(m: Minute, onCommand: CommandDone, opts: MinuteOptions): void {
  const s = m.s;
  const ready = s.pendingCommands;
  s.pendingCommands = [];
  let at = m.startMs + s.rng.int(500, 3_000);
  for (const cmd of ready) {
    if (opts.ackReceived) m.emit('cmd_ack', { commandId: cmd.commandId, status: 'received' }, at);
    const outcome = carryOut(m, cmd, at, opts.releases);
    m.emit('cmd_ack', { commandId: cmd.commandId, status: outcome.status, detail: outcome.detail, ...(outcome.result ? { result: outcome.result } : {}) }, at + 400);
    onCommand(cmd, outcome, at);
    at += 1_000;
  }
}
