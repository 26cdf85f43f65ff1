/** Where each role starts: the counts of the things waiting for them, each the size of a list it links to. */
import { z } from 'zod';
import { Timestamp } from './common.js';

/** A ticket is at risk of breaching its SLA when a deadline (first response, resolution) falls due within this many minutes. */
export const SLA_AT_RISK_MINUTES = 120;

export const MyOverview = z.object({
  at: Timestamp,
  /** Open alerts by severity, silenced and suppressed ones left out (as the alerts inbox shows them). Null: the caller does not read alerts. */
  alerts: z.object({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() }).nullable(),
  /** Open tickets the caller can see; `mine`: assigned to the caller. Null: the caller does not read tickets. */
  tickets: z
    .object({
      open: z.number().int(),
      atRisk: z.number().int(),
      breached: z.number().int(),
      mine: z.number().int(),
      unassigned: z.number().int(),
      waitingMerchant: z.number().int(),
    })
    .nullable(),
  /** Open work orders assigned to the caller, and those of them scheduled today (Beijing time). Null: no work orders. */
  workOrders: z.object({ mine: z.number().int(), today: z.number().int(), unassigned: z.number().int() }).nullable(),
});
export type MyOverview = z.infer<typeof MyOverview>;
