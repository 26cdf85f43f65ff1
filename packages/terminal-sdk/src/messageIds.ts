/**
 * Message ids. The server stores a message once per (terminal, msgId), so an id must never repeat for
 * one terminal, even across restarts of the terminal's software, which reset any counter.
 *
 * Format: `<terminal short id>_<message time, base-36 seconds>_<counter, base 36>_<random, 6 × base 36>`.
 * The time makes ids from different runs differ even when the random source is seeded (the simulator);
 * the counter separates messages of the same second; the random part separates restarts.
 * Parts are joined with `_`, not `-`: the card-data check ignores dashes when it looks for runs of
 * 13+ digits, and no part here is longer than 8 characters, so an id can never look like a card number.
 */
import { randomInt } from 'node:crypto';

const RANDOM_SPACE = 36 ** 6;

export type RandomSource = () => number;

/** A uniform number in [0, 1) from the operating system's generator. */
export const secureRandom: RandomSource = () => randomInt(0, RANDOM_SPACE) / RANDOM_SPACE;

export function shortTerminalId(terminalId: string): string {
  const alnum = terminalId.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return alnum.slice(0, 8) || 'term';
}

export class MessageIdFactory {
  private counter = 0;
  private readonly prefix: string;

  constructor(
    terminalId: string,
    private readonly random: RandomSource = secureRandom,
  ) {
    this.prefix = shortTerminalId(terminalId);
  }

  next(at: Date): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    const seconds = Math.max(0, Math.floor(at.getTime() / 1000)).toString(36);
    const random = Math.floor(this.random() * RANDOM_SPACE)
      .toString(36)
      .padStart(6, '0');
    return `${this.prefix}_${seconds}_${this.counter.toString(36)}_${random}`;
  }
}
