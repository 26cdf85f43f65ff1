/**
 * Remote commands (issue 18): the arguments each command takes, checked here once for the API, the
 * console's forms and the terminal SDK; what `self_test` and `locate` report back; bulk commands to
 * every terminal a filter matches. The command itself on the wire is `DeviceCommand` (device.ts).
 */
import { z } from 'zod';
import { Id } from './common.js';
import { COMMAND_NAMES, type CommandName, CommandRow } from './device.js';
import { FleetStatus } from './fleet.js';

const none = z.object({}).strict();
const version = z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, . _ + - only');
export const PACKAGE_KINDS = ['app', 'firmware', 'os'] as const;
export const PackageKind = z.enum(PACKAGE_KINDS);

/** The parameters a terminal can be given with push_config (parameter sets, issue 18). */
export const TerminalParams = z
  .object({
    receiptMerchantName: z.string().trim().min(1).max(40).describe('Merchant name printed on the receipt'),
    tipEnabled: z.boolean(),
    contactlessLimitMinor: z.number().int().min(0).max(100_000_00).describe('Largest contactless payment without PIN, in minor units (fen)'),
    hostAddress: z.string().trim().regex(/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/, 'host:port').describe('Acquirer host as host:port'),
    receiptCopies: z.number().int().min(1).max(3),
    idleSleepMinutes: z.number().int().min(1).max(120),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'at least one parameter' });
export type TerminalParams = z.infer<typeof TerminalParams>;
export const PARAM_KEYS = ['receiptMerchantName', 'tipEnabled', 'contactlessLimitMinor', 'hostAddress', 'receiptCopies', 'idleSleepMinutes'] as const;

/** The arguments of each command. A command without arguments takes none (an empty object or nothing). */
export const COMMAND_ARGS = {
  reboot: none,
  restart_app: none,
  sync_time: none,
  key_exchange: none,
  sign_in: none,
  settle_batch: none,
  print_test: none,
  network_diag: none,
  update_app: z.object({ version: version.optional() }).strict(),
  upload_logs: z.object({ hours: z.number().int().min(1).max(168).default(24).describe('How many hours of logs, back from now') }).strict(),
  self_test: none,
  push_config: z.object({ params: TerminalParams, label: z.string().trim().max(60).optional().describe('Which parameter set, for people') }).strict(),
  install: z
    .object({
      kind: PackageKind,
      version,
      packageId: Id.optional().describe('The catalogue package; the terminal downloads and verifies it'),
      url: z.string().max(500).optional(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      signature: z.string().max(200).optional(),
      keyId: z.string().max(64).optional().describe('The vendor key the signature is made with (filled from the catalogue)'),
    })
    .strict(),
  rollback: z.object({ kind: PackageKind, version: version.describe('The version to go back to') }).strict(),
  lock: z.object({ message: z.string().trim().max(80).optional().describe('Shown on the locked screen') }).strict(),
  unlock: none,
  locate: none,
} satisfies Record<CommandName, z.ZodTypeAny>;

export type CommandArgs<N extends CommandName> = z.infer<(typeof COMMAND_ARGS)[N]>;

/** Checks a command's arguments; returns the issues with `args.` paths, or the parsed arguments. */
export function parseCommandArgs(name: CommandName, args: unknown): { ok: true; args: Record<string, unknown> } | { ok: false; issues: z.ZodIssue[] } {
  const r = COMMAND_ARGS[name].safeParse(args ?? {});
  return r.success ? { ok: true, args: r.data as Record<string, unknown> } : { ok: false, issues: r.error.issues };
}

const withArgs = <T extends { name: CommandName; args?: Record<string, unknown> | undefined }>(v: T, ctx: z.RefinementCtx) => {
  const r = parseCommandArgs(v.name, v.args);
  if (!r.ok) for (const i of r.issues) ctx.addIssue({ ...i, path: ['args', ...i.path] } as z.IssueData);
};

const commandBase = {
  name: z.enum(COMMAND_NAMES),
  args: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().trim().max(500).optional().describe('Why, for the audit log, e.g. the diagnosis that suggested it'),
};

/** An operator asks a terminal to do something; the arguments are checked against the command's own schema. */
export const CommandRequest = z.object(commandBase).superRefine(withArgs);
export type CommandRequest = z.infer<typeof CommandRequest>;

/** Which terminals a bulk command goes to: the terminal list's filters (merchant, site, model, version, health). */
export const CommandFilter = z
  .object({
    merchantId: Id.optional(),
    siteId: Id.optional(),
    model: z.string().trim().max(60).optional(),
    appVersion: z.string().trim().max(40).optional(),
    status: FleetStatus.optional(),
  })
  .strict();
export type CommandFilter = z.infer<typeof CommandFilter>;

/** The preview of a bulk command: with a catalogue package, terminals it does not fit are counted out. */
export const BulkPreviewRequest = CommandFilter.extend({
  packageId: Id.optional().describe('An install of this package: incompatible terminals are not counted'),
  install: z.object({ kind: PackageKind, version, packageId: Id.optional() }).strict().optional().describe("The install command's arguments, when it names a version rather than a package"),
}).strict();
export type BulkPreviewRequest = z.infer<typeof BulkPreviewRequest>;

/** The most terminals one bulk command may reach; a larger fleet is a rollout's job. */
export const BULK_MAX = 5000;

export const BulkPreview = z.object({
  matched: z.number().int().describe('Terminals in service the filter matches'),
  reachable: z.number().int().describe('Of them, enrolled ones (with a device credential) the command will go to'),
  incompatible: z.number().int().optional().describe('Enrolled terminals left out because the package does not fit their model or OS (install only)'),
});
export type BulkPreview = z.infer<typeof BulkPreview>;

export const BulkCommandRequest = z
  .object({
    ...commandBase,
    filter: CommandFilter,
    /** The count the person confirmed; refused (409) when the filter now reaches a different number. */
    expectedCount: z.number().int().min(1).max(BULK_MAX),
  })
  .superRefine(withArgs);
export type BulkCommandRequest = z.infer<typeof BulkCommandRequest>;

export const BatchSummary = z.object({
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  noAnswer: z.number().int().describe('Expired without an answer'),
  pending: z.number().int().describe('Sent or received, still within the answer time'),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

export const CommandBatch = z.object({
  id: Id,
  name: z.enum(COMMAND_NAMES),
  args: z.record(z.string(), z.unknown()).nullable(),
  filter: CommandFilter,
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: z.string(),
  summary: BatchSummary,
});
export type CommandBatch = z.infer<typeof CommandBatch>;

export const CommandBatchDetail = CommandBatch.extend({
  terminals: z.array(CommandRow.extend({ serialNumber: z.string(), siteName: z.string().nullable() })),
});
export type CommandBatchDetail = z.infer<typeof CommandBatchDetail>;

/** self_test: one line per check, pass or fail, with what the terminal saw. */
export const SELF_TEST_CHECKS = ['reader.chip', 'reader.contactless', 'reader.magstripe', 'printer', 'network', 'keys', 'storage', 'battery'] as const;
export const SelfTestResult = z.object({
  checks: z.array(z.object({ check: z.enum(SELF_TEST_CHECKS), ok: z.boolean(), detail: z.string().max(200) })).max(16),
});
export type SelfTestResult = z.infer<typeof SelfTestResult>;

/** locate: where the terminal thinks it is, and how it knows. */
export const LOCATION_SOURCES = ['gps', 'cell', 'wifi', 'ip'] as const;
export const LocateResult = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accuracyM: z.number().min(0),
  source: z.enum(LOCATION_SOURCES),
});
export type LocateResult = z.infer<typeof LocateResult>;

/** Log bundles a terminal uploaded in answer to upload_logs. */
export const LogBundle = z.object({
  id: Id,
  terminalId: Id,
  commandId: Id.nullable(),
  filename: z.string(),
  contentType: z.string(),
  bytes: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type LogBundle = z.infer<typeof LogBundle>;
/** Largest log bundle a terminal may upload. */
export const MAX_LOG_BUNDLE_BYTES = 2 * 1024 * 1024;
