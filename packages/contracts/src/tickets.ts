/**
 * Service desk tickets: the handling flow of shared/docs/mission.md as a lifecycle, every transition
 * recorded with who, when and why; a customer-facing timeline and internal notes.
 */
import { z } from 'zod';
import { Id, pageOf, Timestamp } from './common.js';

export const TICKET_STATUSES = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'resolved', 'closed', 'waiting_merchant'] as const;
/** A ticket in one of these still needs somebody to act (queues, dedupe, SLAs, the overview count these). */
export const OPEN_TICKET_STATUSES = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatus>;

/** Which status may follow which. `waiting_merchant` pauses from any working status and returns to it. */
export const TICKET_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['triaged', 'waiting_merchant', 'closed'],
  triaged: ['locating', 'waiting_merchant', 'closed'],
  locating: ['planned', 'waiting_merchant'],
  planned: ['in_progress', 'locating', 'waiting_merchant'],
  in_progress: ['verifying', 'planned', 'waiting_merchant'],
  verifying: ['resolved', 'in_progress', 'waiting_merchant'],
  resolved: ['closed', 'in_progress'],
  closed: [],
  waiting_merchant: ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying'],
};

export const TICKET_PRIORITIES = ['p1', 'p2', 'p3', 'p4'] as const;
export const TicketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof TicketPriority>;

export const TICKET_SOURCES = ['merchant', 'agent', 'alert', 'api', 'troubleshooter'] as const;
export const TicketSource = z.enum(TICKET_SOURCES);

export const PLAN_KINDS = ['remote_fix', 'onsite_repair', 'replacement', 'software_update', 'data_recovery'] as const;
export const TicketPlan = z.object({
  kind: z.enum(PLAN_KINDS),
  summary: z.string().trim().min(1).max(2000),
  estimatedCostMinor: z.number().int().min(0).max(1e10).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).default('CNY'),
  estimatedMinutes: z.number().int().min(0).max(60 * 24 * 90).optional(),
  eta: Timestamp.optional(),
});
export type TicketPlan = z.infer<typeof TicketPlan>;

export const TicketCreate = z.object({
  terminalId: Id.optional(),
  siteId: Id.optional(),
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000).default(''),
  source: TicketSource.optional(),
  priority: TicketPriority.optional(),
  causeCode: z.string().max(64).optional(),
  /** Troubleshooter: the symptom the merchant picked and their answers; a diagnosis is attached from them. */
  symptom: z.string().max(64).optional(),
  answers: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
  /** The alert this ticket is about (the alert then links to the ticket). */
  alertId: Id.optional(),
});
export type TicketCreate = z.infer<typeof TicketCreate>;

export const TicketTransition = z.object({
  to: TicketStatus,
  reason: z.string().trim().max(2000).optional(),
  /** Triage. */
  category: z.string().max(40).optional(),
  causeCode: z.string().max(64).optional(),
  priority: TicketPriority.optional(),
  /** Planning. */
  plan: TicketPlan.optional(),
  /** Resolve although the terminal's signals do not show the fix yet (a reason is required). */
  override: z.boolean().optional(),
});
export type TicketTransition = z.infer<typeof TicketTransition>;

export const TicketComment = z.object({
  body: z.string().trim().min(1).max(5000),
  /** Internal notes are never shown to merchants. */
  internal: z.boolean().default(false),
});

export const TicketAssign = z.object({ assigneeId: Id.nullable() });
/** Several tickets chosen in the queue, given to one person (or to nobody) together; each is assigned on its own. */
export const BulkTicketAssign = TicketAssign.extend({ ids: z.array(Id).min(1).max(500) });
export type BulkTicketAssign = z.infer<typeof BulkTicketAssign>;
/** Staff a ticket can be given to, with how many open tickets each holds already (to spread the load). */
export const TicketAssignee = z.object({ id: Id, name: z.string(), role: z.string(), team: z.string().nullable(), openTickets: z.number().int() });
export const TicketAssigneeList = z.object({ items: z.array(TicketAssignee) });
export type TicketAssigneeList = z.infer<typeof TicketAssigneeList>;

export const TicketRow = z.object({
  id: Id,
  number: z.string(),
  title: z.string(),
  status: TicketStatus,
  priority: TicketPriority,
  source: TicketSource,
  category: z.string().nullable(),
  causeCode: z.string().nullable(),
  terminalId: Id.nullable(),
  serialNumber: z.string().nullable(),
  siteId: Id.nullable(),
  merchantId: Id.nullable(),
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  alertId: Id.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
  eta: Timestamp.nullable(),
  /** SLA deadlines as of the last change (first response only while unanswered); breached once either was missed. */
  firstResponseDue: Timestamp.nullable(),
  resolutionDue: Timestamp.nullable(),
  slaBreached: z.boolean(),
});
export type TicketRow = z.infer<typeof TicketRow>;

export const TicketEvent = z.object({
  at: Timestamp,
  type: z.enum(['created', 'status', 'comment', 'note', 'assigned', 'priority', 'plan', 'diagnosis', 'duplicate', 'linked_alert', 'sla', 'work_order', 'swap', 'rating', 'case_study', 'terminal_changed', 'notified']),
  actor: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  body: z.string().nullable(),
  internal: z.boolean(),
});
export type TicketEvent = z.infer<typeof TicketEvent>;

export const TicketDetail = TicketRow.extend({
  description: z.string(),
  plan: TicketPlan.nullable(),
  diagnosis: z.record(z.string(), z.unknown()).nullable(),
  answers: z.record(z.string(), z.unknown()).nullable(),
  events: z.array(TicketEvent),
  /** Statuses this caller may move the ticket to now. */
  next: z.array(TicketStatus),
  /** While verifying and after: what the terminal's own signals say about the fix. */
  verification: z
    .object({
      status: z.enum(['passed', 'failed', 'pending']),
      since: Timestamp.nullable(),
      checks: z.array(z.object({ id: z.string(), passed: z.boolean().nullable(), text: z.string() })),
    })
    .nullable(),
  /** SLA clocks (first response, next update, resolution) on the ticket's business calendar. */
  sla: z.object({
    clocks: z.array(
      z.object({
        clock: z.enum(['firstResponse', 'nextUpdate', 'resolution']),
        state: z.string(),
        paused: z.boolean(),
        due: Timestamp.nullable(),
        remainingMinutes: z.number(),
        outcome: z.string().nullable(),
        breachedAt: Timestamp.nullable(),
      }),
    ),
    escalations: z.array(z.object({ id: z.string(), dueAt: Timestamp, fired: z.boolean() })),
  }),
  /** What the merchant is told about where the ticket is, in the caller's language, with the expected time while open. */
  progress: z.object({ text: z.string(), eta: Timestamp.nullable() }),
  /** The reporter's answers in words, in the caller's language. */
  answerLines: z.array(z.object({ id: z.string(), question: z.string(), answer: z.string() })),
});
export type TicketDetail = z.infer<typeof TicketDetail>;

export const TicketQuery = z.object({
  status: z.enum(['open', 'all', ...TICKET_STATUSES]).default('open'),
  priority: TicketPriority.optional(),
  assigneeId: z.union([Id, z.literal('me'), z.literal('none')]).optional(),
  terminalId: Id.optional(),
  siteId: Id.optional(),
  merchantId: Id.optional(),
  /** at_risk: a deadline falls due within SLA_AT_RISK_MINUTES and none was missed yet; breached: a deadline was missed. */
  sla: z.enum(['at_risk', 'breached']).optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type TicketQuery = z.infer<typeof TicketQuery>;
/** The ticket queue as a file: the same filters and order, every matching ticket up to 50,000. */
export const TicketExportQuery = TicketQuery.omit({ limit: true, offset: true }).extend({ format: z.enum(['csv', 'xlsx']).default('xlsx') });
export const TicketPage = pageOf(TicketRow).extend({
  /**
   * When true, `total` is a lower bound (show "10,000+"): queues count up to 10,000; a text search does not
   * count, its total then says that at least one more ticket follows this page.
   */
  totalCapped: z.boolean().optional(),
});

/** A resolved ticket like this one (while locating): what was done, and why it is considered similar. */
export const SimilarTicket = z.object({
  id: Id,
  number: z.string(),
  title: z.string(),
  causeCode: z.string().nullable(),
  model: z.string().nullable(),
  appVersion: z.string().nullable(),
  resolvedAt: Timestamp.nullable(),
  planKind: z.enum(PLAN_KINDS).nullable(),
  planSummary: z.string().nullable(),
  /** Reopened after being resolved: the fix did not hold the first time. */
  reopened: z.boolean(),
  score: z.number(),
  because: z.array(z.enum(['cause', 'words', 'model', 'version'])),
});
export type SimilarTicket = z.infer<typeof SimilarTicket>;
export const SimilarTickets = z.object({ items: z.array(SimilarTicket) });

/** The answer to creating a ticket: a duplicate of an open ticket of the same terminal and cause returns that one. */
export const TicketCreated = z.object({ ticket: TicketDetail, duplicate: z.boolean() });
