/**
 * Committed payment records, as they land: the ingest pipeline (terminal lines) and the host-record
 * ingest publish here after their transaction commits; the live findings engine subscribes. In one
 * process this is the whole path; across processes the subscriber also catches up from the tables.
 */
import type { TxnRecord } from '@poscare/contracts';

export type PaymentListener = (orgId: string, records: readonly TxnRecord[]) => void;

export class PaymentFeed {
  private listeners: PaymentListener[] = [];

  subscribe(fn: PaymentListener): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  /** Called after commit only. A failing listener never affects the publisher or the other listeners. */
  publish(orgId: string, records: readonly TxnRecord[], onError?: (err: unknown) => void): void {
    if (!records.length) return;
    for (const fn of this.listeners) {
      try {
        fn(orgId, records);
      } catch (err) {
        onError?.(err);
      }
    }
  }
}
