import { z } from 'zod';
import { Id, Page, Timestamp } from './common.js';
import { FleetStatus } from './fleet.js';

export const LIFECYCLE_STATES = ['in_stock', 'installed', 'active', 'in_repair', 'swapped_out', 'retired'] as const;
export const LifecycleState = z.enum(LIFECYCLE_STATES);
export type LifecycleState = z.infer<typeof LifecycleState>;

/**
 * Which lifecycle moves are allowed. A terminal is installed at a site, accepted into service (active),
 * taken in for repair, swapped out for a replacement, returned to stock after refurbishment, or retired.
 */
export const LIFECYCLE_TRANSITIONS: Record<LifecycleState, readonly LifecycleState[]> = {
  in_stock: ['installed', 'retired'],
  installed: ['active', 'in_stock', 'in_repair'],
  active: ['in_repair', 'swapped_out', 'retired'],
  in_repair: ['active', 'in_stock', 'swapped_out', 'retired'],
  swapped_out: ['in_stock', 'in_repair', 'retired'],
  retired: [],
};

export const CONNECTIVITY = ['ethernet', 'wifi', 'cellular_4g', 'cellular_5g', 'dial_up'] as const;
export const Connectivity = z.enum(CONNECTIVITY);

export const Terminal = z.object({
  id: Id,
  orgId: Id,
  merchantId: Id.nullable(),
  siteId: Id.nullable(),
  serialNumber: z.string(),
  tid: z.string().nullable().describe('Terminal ID (终端号) issued by the acquirer'),
  vendor: z.string(),
  model: z.string(),
  osVersion: z.string().nullable(),
  appVersion: z.string().nullable(),
  firmwareVersion: z.string().nullable(),
  connectivity: Connectivity.nullable(),
  lifecycleState: LifecycleState,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Terminal = z.infer<typeof Terminal>;

/** A row of the terminal list: the terminal and its live status as the fleet page counts it. */
export const TerminalListItem = Terminal.extend({
  status: FleetStatus,
  lastSeenAt: Timestamp.nullable(),
  healthReasons: z.array(z.string()),
});
export type TerminalListItem = z.infer<typeof TerminalListItem>;

export const TerminalFields = z.object({
  serialNumber: z.string().trim().min(4).max(64).regex(/^[A-Za-z0-9\-_.]+$/),
  tid: z.string().trim().regex(/^[A-Za-z0-9]{1,16}$/).nullable().optional(),
  vendor: z.string().trim().min(1).max(60),
  model: z.string().trim().min(1).max(60),
  osVersion: z.string().trim().max(40).nullable().optional(),
  appVersion: z.string().trim().max(40).nullable().optional(),
  firmwareVersion: z.string().trim().max(40).nullable().optional(),
  connectivity: Connectivity.nullable().optional(),
  siteId: Id.nullable().optional(),
});
export const TerminalCreate = TerminalFields.extend({
  orgId: Id.optional(),
  lifecycleState: LifecycleState.default('in_stock'),
});
export const TerminalUpdate = TerminalFields.partial();

/** Lifecycle states in which a terminal is expected to report: the fleet counts and watches these. */
export const MONITORED_STATES = ['installed', 'active', 'in_repair'] as const satisfies readonly LifecycleState[];

export const TERMINAL_SORTS = ['serial', 'lastSeen', 'status'] as const;

export const TerminalQuery = Page.extend({
  merchantId: Id.optional(),
  siteId: Id.optional(),
  lifecycleState: LifecycleState.optional(),
  model: z.string().optional(),
  /** Reported app version (else the inventory's), as the fleet page groups it. */
  appVersion: z.string().max(40).optional(),
  /** Only terminals in monitored lifecycle states (what the fleet page counts). */
  inService: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Live status as the fleet page counts it: never_seen, offline, or the health of the latest sample. */
  status: FleetStatus.optional(),
  /** A health reason of the latest sample (only terminals still reporting). */
  reason: z.string().max(40).optional(),
  sort: z.enum(TERMINAL_SORTS).default('serial'),
  order: z.enum(['asc', 'desc']).default('asc'),
});

/** The most rows a list export holds (filter further for more). */
export const EXPORT_MAX_ROWS = 50_000;

/** The terminal list as a file: the same filters and order, every matching row up to EXPORT_MAX_ROWS. */
export const TerminalExportQuery = TerminalQuery.omit({ limit: true, offset: true }).extend({ format: z.enum(['csv', 'xlsx']).default('xlsx') });

export const LifecycleChange = z.object({
  to: LifecycleState,
  reason: z.string().trim().max(500).optional(),
});

/** The same lifecycle move for several terminals chosen in the list (each moved on its own; one refusal stops no other). */
export const BulkLifecycleChange = LifecycleChange.extend({ ids: z.array(z.string().uuid()).min(1).max(500) });
export const BulkResult = z.object({
  done: z.number().int(),
  failed: z.array(z.object({ id: z.string(), error: z.object({ id: z.string(), message: z.string() }) })),
});
export type BulkResult = z.infer<typeof BulkResult>;

export const LifecycleEvent = z.object({
  id: Id,
  fromState: LifecycleState.nullable(),
  toState: LifecycleState,
  reason: z.string().nullable(),
  actorName: z.string().nullable(),
  at: Timestamp,
});

/** The installation acceptance checklist, one result per check. */
export const ACCEPTANCE_CHECKS = ['receipt_print', 'keypad', 'chip_read', 'tap_read', 'swipe_read', 'network', 'time_sync'] as const;
export const AcceptanceCheck = z.enum(ACCEPTANCE_CHECKS);
export const CheckResult = z.enum(['pass', 'fail', 'not_applicable']);
export const AcceptanceItems = z.object(
  Object.fromEntries(ACCEPTANCE_CHECKS.map((c) => [c, CheckResult])) as Record<
    (typeof ACCEPTANCE_CHECKS)[number],
    typeof CheckResult
  >,
);
export const AcceptanceCreate = z.object({
  items: AcceptanceItems,
  notes: z.string().trim().max(1000).optional(),
});
export const Acceptance = z.object({
  id: Id,
  terminalId: Id,
  items: AcceptanceItems,
  passed: z.boolean(),
  notes: z.string().nullable(),
  actorName: z.string().nullable(),
  at: Timestamp,
});
export type Acceptance = z.infer<typeof Acceptance>;

export const TerminalDetail = Terminal.extend({
  siteName: z.string().nullable(),
  merchantName: z.string().nullable(),
  history: z.array(LifecycleEvent),
  acceptances: z.array(Acceptance),
  allowedTransitions: z.array(LifecycleState),
});

export const TerminalStats = z.object({
  total: z.number().int(),
  byState: z.record(LifecycleState, z.number().int()),
  byModel: z.array(z.object({ model: z.string(), count: z.number().int() })),
});
export type TerminalStats = z.infer<typeof TerminalStats>;
