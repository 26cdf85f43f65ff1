/**
 * The device protocol, version 1: what a terminal sends (telemetry, events, transactions, command
 * acknowledgements) and receives (commands), over MQTT or HTTPS. docs/device-protocol.md explains it.
 * Telemetry and transactions carry what shared/contracts/diagnosis-case.schema.json calls
 * `telemetry` and `transaction`.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** Largest message accepted, in bytes, on either channel. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Largest HTTPS batch, in messages. */
export const MAX_BATCH = 500;

const num = z.number().finite();
const counter = z.object({ attempts: z.number().int().min(0), failures: z.number().int().min(0) }).refine((c) => c.failures <= c.attempts, {
  message: 'failures cannot exceed attempts',
});

export const Telemetry = z.object({
  battery: z.object({ pct: num.min(0).max(100).optional(), charging: z.boolean().optional(), healthPct: num.min(0).max(100).optional(), cycles: z.number().int().min(0).optional() }).optional(),
  power: z.object({ source: z.enum(['mains', 'battery']).optional(), mainsVoltage: num.optional() }).optional(),
  tempC: num.min(-50).max(150).optional(),
  ambientTempC: num.min(-50).max(80).optional(),
  humidityPct: num.min(0).max(100).optional(),
  network: z
    .object({
      type: z.enum(['wifi', 'cellular', 'ethernet']).optional(),
      connected: z.boolean().optional(),
      signalDbm: num.min(-150).max(0).optional(),
      latencyMs: num.min(0).optional(),
      lossPct: num.min(0).max(100).optional(),
      dnsOk: z.boolean().optional(),
      hostReachable: z.boolean().optional(),
      ip: z.string().max(64).optional(),
      ipConflict: z.boolean().optional(),
      simState: z.enum(['ready', 'absent', 'locked', 'no_data_plan']).optional(),
    })
    .optional(),
  printer: z.object({ status: z.enum(['ok', 'paper_out', 'paper_low', 'jam', 'overheat', 'fault', 'absent']).optional(), headTempC: num.optional() }).optional(),
  reader: z.object({ chip: counter.optional(), contactless: counter.optional(), magstripe: counter.optional() }).optional(),
  keypad: z.object({ stuckKeys: z.number().int().min(0).optional() }).optional(),
  touch: z.object({ deadZones: z.number().int().min(0).optional() }).optional(),
  pinpad: z.object({ connected: z.boolean().optional() }).optional(),
  peripherals: z.array(z.object({ kind: z.string().max(40), connected: z.boolean() })).max(16).optional(),
  memory: z.object({ freeMb: num.min(0).optional(), totalMb: num.min(0).optional() }).optional(),
  storage: z.object({ freeMb: num.min(0).optional(), totalMb: num.min(0).optional() }).optional(),
  cpuPct: num.min(0).max(100).optional(),
  app: z.object({ version: z.string().max(40).optional(), crashes: z.number().int().min(0).optional(), anrs: z.number().int().min(0).optional(), uptimeS: z.number().int().min(0).optional() }).optional(),
  os: z.object({ version: z.string().max(40).optional(), reboots: z.number().int().min(0).optional() }).optional(),
  clockSkewS: num.optional(),
  tamper: z.boolean().optional(),
  keys: z.object({ loaded: z.boolean().optional(), lastKeyExchangeOk: z.boolean().optional() }).optional(),
  batch: z.object({ count: z.number().int().min(0).optional(), capacity: z.number().int().min(0).optional() }).optional(),
  session: z.object({ signedIn: z.boolean().optional() }).optional(),
});
export type Telemetry = z.infer<typeof Telemetry>;

export const DeviceEvent = z.object({
  type: z.string().min(1).max(40).describe('e.g. error, warning, info, boot, update'),
  code: z.string().max(40).optional(),
  message: z.string().max(500).optional().describe("What the terminal showed or logged, e.g. 'COMM ERROR', '读卡失败'"),
});

export const ENTRY_MODES = ['chip', 'contactless', 'magstripe', 'fallback', 'manual', 'qr'] as const;
export const TXN_OUTCOMES = ['approved', 'declined', 'timeout', 'error', 'reversed', 'card_read_error'] as const;

/** What a transaction line records: a sale, a refund (of an earlier sale, by RRN), a void or a reversal (of an earlier line, by STAN). */
export const TXN_TYPES = ['sale', 'refund', 'void', 'reversal'] as const;
export const STAN_PATTERN = /^\d{1,12}$/;
export const RRN_PATTERN = /^[A-Za-z0-9]{1,12}$/;

export const DeviceTransaction = z
  .object({
    id: z.string().max(64).optional(),
    /**
     * Payment fields (protocol 1, issue 15). A terminal that sends `type` is a payment-aware terminal and
     * must send `stan` too: a payment is all lines with the same terminal, STAN and day. Lines without
     * `type` are the first terminals' lines: sales, STAN optional.
     */
    type: z.enum(TXN_TYPES).optional().describe('sale (default), refund, void, reversal'),
    stan: z.string().regex(STAN_PATTERN).optional(),
    rrn: z.string().regex(RRN_PATTERN).optional(),
    authCode: z.string().regex(/^[A-Za-z0-9]{1,8}$/).optional().describe("The issuer's approval code (ISO 8583 field 38)"),
    originalStan: z.string().regex(STAN_PATTERN).optional().describe('void and reversal: the STAN of the line undone'),
    originalRrn: z.string().regex(RRN_PATTERN).optional().describe('refund: the RRN of the sale refunded'),
    amountMinor: z.number().int().min(0).max(1e12).optional(),
    currency: z.string().regex(/^[A-Z]{3}$|^\d{3}$/).optional(),
    entryMode: z.enum(ENTRY_MODES),
    outcome: z.enum(TXN_OUTCOMES),
    responseCode: z.string().regex(/^[A-Za-z0-9]{2}$/).optional(),
    tvr: z.string().regex(/^[0-9A-Fa-f]{10}$/).optional(),
    tsi: z.string().regex(/^[0-9A-Fa-f]{4}$/).optional(),
    cardToken: z.string().max(128).optional().describe('A token or a masked number (first 6 / last 4); never a full card number'),
    durationMs: z.number().int().min(0).optional(),
  })
  .refine((t) => t.type === undefined || t.stan !== undefined, { message: 'a line with a type must carry its stan', path: ['stan'] });

export const CommandAck = z.object({
  commandId: z.string().uuid(),
  status: z.enum(['received', 'succeeded', 'failed']),
  detail: z.string().max(500).optional(),
  /**
   * What the command found, for commands that report more than a line (protocol 1 addition, issue 18):
   * `self_test` a checklist, `locate` a position. Terminals that do not send it keep working.
   */
  result: z.record(z.string(), z.unknown()).optional(),
});

const envelope = {
  v: z.literal(PROTOCOL_VERSION),
  /** Unique per message from one terminal: duplicates (QoS 1 re-delivery, HTTPS retries) are stored once. */
  msgId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_\-:.]+$/),
  at: z.string().datetime({ offset: true }),
};

export const DeviceMessage = z.discriminatedUnion('kind', [
  z.object({ ...envelope, kind: z.literal('telemetry'), data: Telemetry }),
  z.object({ ...envelope, kind: z.literal('event'), data: DeviceEvent }),
  z.object({ ...envelope, kind: z.literal('txn'), data: DeviceTransaction }),
  z.object({ ...envelope, kind: z.literal('cmd_ack'), data: CommandAck }),
]);
export type DeviceMessage = z.infer<typeof DeviceMessage>;
export type DeviceMessageKind = DeviceMessage['kind'];

export const DeviceCommand = z.object({
  v: z.literal(PROTOCOL_VERSION),
  commandId: z.string().uuid(),
  at: z.string().datetime({ offset: true }),
  name: z.enum([
    'reboot', 'restart_app', 'sync_time', 'key_exchange', 'sign_in', 'settle_batch', 'print_test', 'network_diag', 'update_app',
    // Protocol 1 additions (issue 18); a terminal that does not know one refuses it and never acknowledges it.
    'upload_logs', 'self_test', 'push_config', 'install', 'rollback', 'lock', 'unlock', 'locate',
  ]),
  args: z.record(z.string(), z.unknown()).optional(),
});
export type DeviceCommand = z.infer<typeof DeviceCommand>;

/** MQTT topics: `poscare/v1/{orgId}/{terminalId}/{kind}`. A terminal may publish only under its own. */
export const topicFor = (orgId: string, terminalId: string, kind: DeviceMessageKind | 'cmd') => `poscare/v1/${orgId}/${terminalId}/${kind}`;
export const TOPIC_PATTERN = /^poscare\/v1\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/(telemetry|event|txn|cmd_ack|cmd)$/;

export const Enroll = z.object({
  code: z.string().trim().min(8).max(64),
  serialNumber: z.string().trim().min(4).max(64),
});
export const EnrollResult = z.object({
  terminalId: z.string().uuid(),
  orgId: z.string().uuid(),
  /** MQTT username is the terminal id; the secret is its password and the HTTPS bearer token. Shown once. */
  secret: z.string(),
  mqtt: z.object({ topicPrefix: z.string() }),
});

// The card-data rule lives in cardData.ts; re-exported here, where device messages first needed it.
export { containsCardData, luhn } from './cardData.js';

export const COMMAND_NAMES = DeviceCommand.shape.name.options;
export type CommandName = DeviceCommand['name'];

export const COMMAND_STATUSES = ['sent', 'received', 'succeeded', 'failed', 'expired'] as const;
export const CommandRow = z.object({
  id: z.string().uuid(),
  terminalId: z.string().uuid(),
  name: DeviceCommand.shape.name,
  args: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(COMMAND_STATUSES),
  detail: z.string().nullable(),
  /** What the terminal reported beyond a line: a self-test checklist, a position (see commands.ts). */
  result: z.record(z.string(), z.unknown()).nullable(),
  batchId: z.string().uuid().nullable(),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CommandRow = z.infer<typeof CommandRow>;
