/**
 * What one terminal does in one minute, as a context shared by the parts of the model (power, printer,
 * payments, software, daily routines, commands): the terminal's state, this minute's conditions, and
 * the messages it produces, which are stamped, ordered and then sent or buffered at the end.
 */
import type { DeviceMessage, DeviceMessageKind } from '@poscare/contracts';
import { buildMessage, type MessageData } from '@poscare/terminal-sdk';
import type { Conditions } from '../conditions.js';
import type { LocalTime } from '../curves.js';
import { renderEvent, type MessageCode } from '../terminalMessages.js';
import { OUTBOX_LIMIT, type TerminalState } from './state.js';

interface Produced {
  atMs: number;
  kind: DeviceMessageKind;
  data: MessageData<DeviceMessageKind>;
}

export type Deliver = (message: DeviceMessage, sentAtMs: number) => void;

export class Minute {
  readonly endMs: number;
  private readonly produced: Produced[] = [];

  constructor(
    readonly s: TerminalState,
    readonly c: Conditions,
    readonly startMs: number,
    readonly local: LocalTime,
  ) {
    this.endMs = startMs + 60_000;
  }

  /** Keeps a time inside this minute: retries and follow-ups never spill into the next one. */
  clamp(atMs: number): number {
    return Math.min(this.endMs - 1, Math.max(this.startMs, Math.round(atMs)));
  }

  emit<K extends DeviceMessageKind>(kind: K, data: MessageData<K>, atMs: number): void {
    this.produced.push({ atMs: this.clamp(atMs), kind, data });
  }

  event(code: MessageCode, atMs: number, vars?: Record<string, string | number>): void {
    const e = renderEvent(code, this.s.merchant.language, vars);
    this.emit('event', e, atMs);
    this.s.lastShownMs.set(code, atMs);
    // The terminal's own log, which upload_logs sends.
    this.s.log.push(`${new Date(this.clamp(atMs)).toISOString()} ${e.type.toUpperCase()} ${code} ${e.message ?? ''}`);
    if (this.s.log.length > 500) this.s.log.splice(0, this.s.log.length - 500);
  }

  /** For conditions a terminal keeps showing (paper out, batch full): logged at most once per `everyMs`. */
  eventEvery(code: MessageCode, atMs: number, everyMs: number, vars?: Record<string, string | number>): void {
    const last = this.s.lastShownMs.get(code);
    if (last === undefined || atMs - last >= everyMs) this.event(code, atMs, vars);
  }

  /** The terminal is rebooting at this moment. */
  isDown(atMs: number): boolean {
    return this.s.off || atMs < this.s.downUntilMs;
  }

  /** Stamps the minute's messages in time order and sends them, or keeps them until the link is back. */
  finish(deliver: Deliver): void {
    this.produced.sort((a, b) => a.atMs - b.atMs);
    const s = this.s;
    for (const p of this.produced) {
      const at = new Date(p.atMs);
      const message = buildMessage(p.kind, p.data, at, s.ids.next(at)) as DeviceMessage;
      if (s.linkUp) deliver(message, p.atMs);
      else {
        s.outbox.push(message);
        if (s.outbox.length > OUTBOX_LIMIT) {
          s.outbox.shift();
          s.outboxDropped++;
        }
      }
    }
  }
}

/** Sends what the terminal buffered while its link was down, right after the link comes back. */
export function flushOutbox(s: TerminalState, atMs: number, deliver: Deliver): void {
  for (const m of s.outbox) deliver(m, Math.max(atMs, Date.parse(m.at)));
  s.outbox = [];
}
