/**
 * Field service and parts: work orders for on-site visits (checklist, parts used, photos, customer
 * sign-off), spare-parts stock per depot with every change as a movement, and terminal swaps that keep
 * the chain of custody.
 */
import { z } from 'zod';
import { Id, pageOf, Timestamp } from './common.js';
import { LifecycleState } from './terminals.js';
import { TicketPlan, TicketPriority, TicketStatus } from './tickets.js';

// ---- Work orders ------------------------------------------------------------------------------

export const WORK_ORDER_STATUSES = ['assigned', 'en_route', 'on_site', 'completed', 'cancelled'] as const;
export const WorkOrderStatus = z.enum(WORK_ORDER_STATUSES);
export type WorkOrderStatus = z.infer<typeof WorkOrderStatus>;

/** Which status may follow which. Completing needs the customer's sign-off and every required checklist item. */
export const WORK_ORDER_TRANSITIONS: Record<WorkOrderStatus, readonly WorkOrderStatus[]> = {
  assigned: ['en_route', 'on_site', 'cancelled'],
  en_route: ['on_site', 'assigned', 'cancelled'],
  on_site: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};
export const OPEN_WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = ['assigned', 'en_route', 'on_site'];

export const WORK_ORDER_KINDS = ['repair', 'replacement', 'installation', 'maintenance'] as const;
export const WorkOrderKind = z.enum(WORK_ORDER_KINDS);
export type WorkOrderKind = z.infer<typeof WorkOrderKind>;

export const WORK_ORDER_OUTCOMES = ['fixed', 'not_fixed', 'swapped'] as const;
export const WorkOrderOutcome = z.enum(WORK_ORDER_OUTCOMES);
export type WorkOrderOutcome = z.infer<typeof WorkOrderOutcome>;

const Localized = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });

export const ChecklistItem = z.object({
  id: z.string(),
  text: Localized,
  required: z.boolean(),
  done: z.boolean(),
  doneAt: Timestamp.nullable(),
  doneBy: z.string().nullable(),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

/** A signature drawn on the phone: a PNG data URL, at most 300 KB. */
export const SIGNATURE_MAX_BYTES = 300 * 1024;
export const SignatureDataUrl = z
  .string()
  .max(Math.ceil((SIGNATURE_MAX_BYTES * 4) / 3) + 32)
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'a PNG data URL (data:image/png;base64,…)');

export const WorkOrderSignoffInput = z.object({
  signerName: z.string().trim().min(1).max(100),
  signature: SignatureDataUrl,
});
export const WorkOrderSignoff = z.object({
  signerName: z.string(),
  signature: z.string(),
  at: Timestamp,
  by: z.string().nullable(),
});

export const WorkOrderCreate = z.object({
  ticketId: Id.optional(),
  /** A standalone work order names its terminal; one from a ticket takes the ticket's terminal. */
  terminalId: Id.optional(),
  kind: WorkOrderKind,
  assigneeId: Id,
  scheduledAt: Timestamp.optional(),
  /** Defaults to the site's address. */
  address: z.string().trim().max(500).optional(),
  instructions: z.string().trim().max(4000).optional(),
  /** The depot the engineer takes parts (and a replacement terminal) from. */
  depotId: Id.optional(),
});
export type WorkOrderCreate = z.infer<typeof WorkOrderCreate>;

export const WorkOrderUpdate = z.object({
  notes: z.string().trim().max(8000).optional(),
  instructions: z.string().trim().max(4000).optional(),
  address: z.string().trim().max(500).optional(),
  scheduledAt: Timestamp.nullable().optional(),
  depotId: Id.nullable().optional(),
});
export type WorkOrderUpdate = z.infer<typeof WorkOrderUpdate>;

export const WorkOrderMove = z.object({
  to: WorkOrderStatus,
  /** Required to cancel. */
  reason: z.string().trim().max(2000).optional(),
  /** Required to complete. */
  outcome: WorkOrderOutcome.optional(),
});
export type WorkOrderMove = z.infer<typeof WorkOrderMove>;

export const WorkOrderAssign = z.object({ assigneeId: Id, scheduledAt: Timestamp.nullable().optional() });

export const ChecklistTick = z.object({ itemId: z.string().min(1).max(64), done: z.boolean() });

export const PartUse = z.object({
  partId: Id,
  quantity: z.number().int().min(1).max(1000),
  /** Defaults to the work order's depot. */
  depotId: Id.optional(),
  note: z.string().trim().max(500).optional(),
});

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
export const WorkOrderPhoto = z.object({
  id: Id,
  contentType: z.enum(PHOTO_TYPES),
  bytes: z.number().int(),
  caption: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  /** Served only to signed-in users of the organization with workorders:read. */
  url: z.string(),
});

export const PartUsed = z.object({
  movementId: z.number().int(),
  partId: Id,
  sku: z.string(),
  name: z.string(),
  unit: z.string(),
  quantity: z.number().int(),
  depotId: Id,
  depotCode: z.string(),
  actor: z.string().nullable(),
  at: Timestamp,
});

export const WorkOrderRow = z.object({
  id: Id,
  number: z.string(),
  status: WorkOrderStatus,
  kind: WorkOrderKind,
  ticketId: Id.nullable(),
  ticketNumber: z.string().nullable(),
  terminalId: Id.nullable(),
  serialNumber: z.string().nullable(),
  siteId: Id.nullable(),
  siteName: z.string().nullable(),
  merchantName: z.string().nullable(),
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  depotId: Id.nullable(),
  depotName: z.string().nullable(),
  address: z.string().nullable(),
  scheduledAt: Timestamp.nullable(),
  outcome: WorkOrderOutcome.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  arrivedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
});
export type WorkOrderRow = z.infer<typeof WorkOrderRow>;

export const TerminalSwap = z.object({
  id: Id,
  workOrderId: Id.nullable(),
  ticketId: Id.nullable(),
  oldTerminalId: Id,
  oldSerialNumber: z.string(),
  newTerminalId: Id,
  newSerialNumber: z.string(),
  depotId: Id.nullable(),
  status: z.enum(['installed', 'returned']),
  actor: z.string().nullable(),
  at: Timestamp,
});
export type TerminalSwap = z.infer<typeof TerminalSwap>;

export const WorkOrderDetail = WorkOrderRow.extend({
  instructions: z.string().nullable(),
  notes: z.string().nullable(),
  cancelReason: z.string().nullable(),
  checklist: z.array(ChecklistItem),
  signoff: WorkOrderSignoff.nullable(),
  createdBy: z.string().nullable(),
  parts: z.array(PartUsed),
  photos: z.array(WorkOrderPhoto),
  swap: TerminalSwap.nullable(),
  /** Statuses this caller may move the work order to now. */
  next: z.array(WorkOrderStatus),
  /** What still stands between the work order and "completed". */
  missing: z.array(z.enum(['signoff', 'checklist', 'swap'])),
  terminal: z
    .object({
      id: Id,
      serialNumber: z.string(),
      tid: z.string().nullable(),
      vendor: z.string(),
      model: z.string(),
      osVersion: z.string().nullable(),
      appVersion: z.string().nullable(),
      firmwareVersion: z.string().nullable(),
      lifecycleState: LifecycleState,
      history: z.array(z.object({ fromState: LifecycleState.nullable(), toState: LifecycleState, reason: z.string().nullable(), actorName: z.string().nullable(), at: Timestamp })),
      tickets: z.array(z.object({ id: Id, number: z.string(), title: z.string(), status: TicketStatus, causeCode: z.string().nullable(), createdAt: Timestamp })),
    })
    .nullable(),
  site: z.object({ id: Id, name: z.string(), code: z.string(), address: z.string().nullable(), region: z.string().nullable() }).nullable(),
  merchant: z.object({ id: Id, name: z.string(), contactName: z.string().nullable(), contactPhone: z.string().nullable() }).nullable(),
  ticket: z
    .object({
      id: Id,
      number: z.string(),
      title: z.string(),
      description: z.string(),
      status: TicketStatus,
      priority: TicketPriority,
      category: z.string().nullable(),
      causeCode: z.string().nullable(),
      plan: TicketPlan.nullable(),
      causes: z.array(z.object({ code: z.string(), confidence: z.number(), title: z.string() })),
    })
    .nullable(),
});
export type WorkOrderDetail = z.infer<typeof WorkOrderDetail>;

export const WorkOrderQuery = z.object({
  status: z.enum(['open', 'all', ...WORK_ORDER_STATUSES]).default('open'),
  assigneeId: z.union([Id, z.literal('me'), z.literal('none')]).optional(),
  ticketId: Id.optional(),
  terminalId: Id.optional(),
  kind: WorkOrderKind.optional(),
  /** Number, serial number, site or address. */
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type WorkOrderQuery = z.infer<typeof WorkOrderQuery>;
export const WorkOrderPage = pageOf(WorkOrderRow);

export const Assignee = z.object({ id: Id, name: z.string(), role: z.string(), team: z.string().nullable(), openWorkOrders: z.number().int() });
export const AssigneeList = z.object({ items: z.array(Assignee) });

export const SwapCandidate = z.object({
  id: Id,
  serialNumber: z.string(),
  vendor: z.string(),
  model: z.string(),
  depotId: Id.nullable(),
  depotName: z.string().nullable(),
  /** The terminal sits in the work order's depot. */
  inWorkOrderDepot: z.boolean(),
  sameModel: z.boolean(),
});
export const SwapCandidateList = z.object({ items: z.array(SwapCandidate) });

export const SwapCreate = z.object({ newTerminalId: Id, note: z.string().trim().max(500).optional() });

// ---- Chain of custody -------------------------------------------------------------------------

export const CUSTODY_HOLDERS = ['depot', 'engineer', 'site'] as const;
export const CustodyEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  holderKind: z.enum(CUSTODY_HOLDERS),
  holderId: z.string().nullable(),
  holderLabel: z.string().nullable(),
  lifecycleFrom: LifecycleState.nullable(),
  lifecycleTo: LifecycleState.nullable(),
  workOrderId: Id.nullable(),
  workOrderNumber: z.string().nullable(),
  swapId: Id.nullable(),
  actor: z.string().nullable(),
  note: z.string().nullable(),
});
export type CustodyEntry = z.infer<typeof CustodyEntry>;
export const CustodyChain = z.object({
  terminalId: Id,
  serialNumber: z.string(),
  lifecycleState: LifecycleState,
  /** Oldest first; the last entry is who holds the terminal now. */
  items: z.array(CustodyEntry),
  swaps: z.array(TerminalSwap),
});

/** A swapped-out terminal handed in at a depot: swapped_out → in_repair. */
export const CustodyReturn = z.object({ depotId: Id, note: z.string().trim().max(500).optional() });

// ---- Depots, parts and stock ------------------------------------------------------------------

export const PART_KINDS = ['reader', 'battery', 'printer', 'paper_roll', 'pin_pad', 'cable', 'terminal_other'] as const;
export const PartKind = z.enum(PART_KINDS);
export type PartKind = z.infer<typeof PartKind>;

export const DepotInput = z.object({
  code: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9\-_.]+$/),
  name: z.string().trim().min(1).max(120),
  address: z.string().trim().max(500).nullable().optional(),
  region: z.string().trim().max(60).nullable().optional(),
});
export const DepotUpdate = DepotInput.partial();
export const Depot = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  region: z.string().nullable(),
  /** Parts at or under their reorder level in this depot. */
  lowStock: z.number().int(),
  /** Spare terminals (in_stock) held here. */
  spareTerminals: z.number().int(),
  createdAt: Timestamp,
});
export type Depot = z.infer<typeof Depot>;
export const DepotList = z.object({ items: z.array(Depot) });

export const PartInput = z.object({
  sku: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9\-_.]+$/),
  kind: PartKind,
  name: Localized.extend({ 'zh-CN': z.string().trim().min(1).max(120), 'en-US': z.string().trim().min(1).max(120) }),
  unit: z.string().trim().min(1).max(16).default('pcs'),
  reorderLevel: z.number().int().min(0).max(100000).default(0),
});
export const PartUpdate = z.object({
  kind: PartKind.optional(),
  name: Localized.partial().optional(),
  unit: z.string().trim().min(1).max(16).optional(),
  reorderLevel: z.number().int().min(0).max(100000).optional(),
});
export const Part = z.object({
  id: Id,
  sku: z.string(),
  kind: PartKind,
  name: Localized,
  unit: z.string(),
  reorderLevel: z.number().int(),
  /** Over all depots. */
  onHand: z.number().int(),
  createdAt: Timestamp,
});
export type Part = z.infer<typeof Part>;
export const PartList = z.object({ items: z.array(Part) });

export const StockQuery = z.object({
  depotId: Id.optional(),
  kind: PartKind.optional(),
  /** Only parts at or under their reorder level. */
  low: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export const StockRow = z.object({
  depotId: Id,
  depotCode: z.string(),
  depotName: z.string(),
  partId: Id,
  sku: z.string(),
  kind: PartKind,
  name: z.string(),
  unit: z.string(),
  quantity: z.number().int(),
  reorderLevel: z.number().int(),
  low: z.boolean(),
});
export type StockRow = z.infer<typeof StockRow>;
export const StockPage = pageOf(StockRow);

export const StockReceive = z.object({
  depotId: Id,
  partId: Id,
  quantity: z.number().int().min(1).max(100000),
  note: z.string().trim().max(500).optional(),
});
export const StockTransfer = z.object({
  fromDepotId: Id,
  toDepotId: Id,
  partId: Id,
  quantity: z.number().int().min(1).max(100000),
  note: z.string().trim().max(500).optional(),
});
export const StockAdjust = z.object({
  depotId: Id,
  partId: Id,
  /** Positive or negative; stock never goes under zero. */
  delta: z
    .number()
    .int()
    .min(-100000)
    .max(100000)
    .refine((d) => d !== 0, 'must not be 0'),
  /** Why (stock count, damaged, found…): required. */
  note: z.string().trim().min(1).max(500),
});

export const MOVEMENT_REASONS = ['receive', 'use', 'transfer_out', 'transfer_in', 'adjust'] as const;
export const StockMovement = z.object({
  id: z.number().int(),
  depotId: Id,
  depotCode: z.string(),
  partId: Id,
  sku: z.string(),
  name: z.string(),
  delta: z.number().int(),
  reason: z.enum(MOVEMENT_REASONS),
  workOrderId: Id.nullable(),
  workOrderNumber: z.string().nullable(),
  ticketId: Id.nullable(),
  actor: z.string().nullable(),
  note: z.string().nullable(),
  at: Timestamp,
});
export type StockMovement = z.infer<typeof StockMovement>;
export const MovementQuery = z.object({
  depotId: Id.optional(),
  partId: Id.optional(),
  workOrderId: Id.optional(),
  reason: z.enum(MOVEMENT_REASONS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export const MovementPage = pageOf(StockMovement);
/** The stock of the changed depot(s) and part after a receive, transfer or adjustment. */
export const StockChange = z.object({ items: z.array(StockRow) });
