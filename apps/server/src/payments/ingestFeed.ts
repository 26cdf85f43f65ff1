/**
 * Terminal payment lines into the payment feed: after each committed ingest batch, the batch's newly
 * stored txn rows (not re-deliveries) become analysis records and are published, per organization.
 */
import type { TxnRecord } from '@poscare/contracts';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { TXN_COLUMNS, type PreparedOther } from '../ingest/store.js';
import type { AppContext } from '../platform/context.js';
import type { PaymentFeed } from './feed.js';
import { terminalTxnRecord, type TerminalTxnRow } from './records.js';

const col = Object.fromEntries(TXN_COLUMNS.map((c, i) => [c, i])) as Record<(typeof TXN_COLUMNS)[number], number>;

/** A prepared txn row (ingest/store.ts, in TXN_COLUMNS order) as the stored row records.ts reads. */
export function storedTxnRow(row: readonly unknown[]): TerminalTxnRow {
  const s = (c: (typeof TXN_COLUMNS)[number]) => (row[col[c]] ?? null) as string | null;
  return {
    terminal_id: s('terminal_id')!,
    msg_id: s('msg_id')!,
    merchant_id: s('merchant_id'),
    at: s('at')!,
    type: s('type') ?? 'sale',
    stan: s('stan'),
    rrn: s('rrn'),
    auth_code: s('auth_code'),
    amount_minor: row[col.amount_minor] as number | null,
    currency: s('currency'),
    entry_mode: s('entry_mode')!,
    outcome: s('outcome')!,
    response_code: s('response_code'),
    card_token: s('card_token'),
    original_stan: s('original_stan'),
    original_rrn: s('original_rrn'),
  };
}

/** Publishes every committed batch's new payment lines to `feed`; returns the pipeline for chaining. */
export function feedPaymentsFrom(pipeline: IngestPipeline, feed: PaymentFeed, ctx: Pick<AppContext, 'log'>): IngestPipeline {
  pipeline.onCommitted((batch, stored) => {
    let byOrg: Map<string, TxnRecord[]> | null = null;
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      if (item.rec.kind !== 'txn' || !stored[i]) continue;
      const rec = terminalTxnRecord(storedTxnRow((item.rec as PreparedOther).row));
      if (!rec) continue;
      byOrg ??= new Map();
      let list = byOrg.get(item.orgId);
      if (!list) byOrg.set(item.orgId, (list = []));
      list.push(rec);
    }
    if (!byOrg) return;
    for (const [orgId, records] of byOrg) feed.publish(orgId, records, (err) => ctx.log.error({ err }, 'a payment feed listener failed'));
  });
  return pipeline;
}
