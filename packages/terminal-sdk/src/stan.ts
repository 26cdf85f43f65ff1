/**
 * The terminal's System Trace Audit Number (ISO 8583 field 11): six digits, one per message the
 * terminal sends its host, wrapping from 999999 to 000001. A payment is every line with the same
 * terminal, STAN and day, so a payment-aware terminal reports the STAN of each line, and the
 * original's STAN on a void or reversal (device protocol 1, `txn`).
 */
export class StanCounter {
  private last: number;

  /** `last`: the STAN used most recently (0 for a new terminal), e.g. restored from the terminal's storage. */
  constructor(last = 0) {
    if (!Number.isInteger(last) || last < 0 || last > 999_999) throw new RangeError('a STAN is 0–999999');
    this.last = last;
  }

  /** The next STAN, six digits. */
  next(): string {
    this.last = (this.last % 999_999) + 1;
    return this.current();
  }

  /** The STAN used most recently, six digits. */
  current(): string {
    return String(this.last).padStart(6, '0');
  }
}
