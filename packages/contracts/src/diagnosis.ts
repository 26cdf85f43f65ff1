/**
 * Diagnosis: the case the engine reads and the result it writes. These mirror
 * shared/contracts/diagnosis-case.schema.json (poscare.diagnosis-case/v1) and
 * diagnosis-result.schema.json (poscare.diagnosis-result/v1). Every part of a case but `schema`,
 * `id`, `now` and `terminal.id` is optional; unknown extra fields are dropped, never an error.
 */
import { z } from 'zod';

const DateTime = z.string().datetime({ offset: true });
const num = z.number().finite();
const int = z.number().int();

export const DIAGNOSIS_CASE_SCHEMA = 'poscare.diagnosis-case/v1';
export const DIAGNOSIS_RESULT_SCHEMA = 'poscare.diagnosis-result/v1';

export const CONNECTIVITY_KINDS = ['wifi', 'cellular', 'ethernet'] as const;
export const TERMINAL_INTERFACES = ['chip', 'contactless', 'magstripe', 'qr', 'printer', 'pinpad', 'keypad', 'touchscreen', 'scanner'] as const;
export const CASE_ENTRY_MODES = ['chip', 'contactless', 'magstripe', 'fallback', 'manual', 'qr'] as const;
export const CASE_OUTCOMES = ['approved', 'declined', 'timeout', 'error', 'reversed', 'card_read_error'] as const;
export const DIAGNOSIS_SCOPES = ['card', 'terminal', 'site', 'fleet', 'host'] as const;
export const EVIDENCE_SOURCES = ['telemetry', 'transactions', 'events', 'report', 'site', 'fleet', 'card', 'emv', 'iso8583', 'answers', 'terminal'] as const;
export const ACTION_KINDS = ['self_service', 'remote', 'onsite', 'replace', 'escalate', 'monitor'] as const;

const Counter = z.object({ attempts: int.min(0).optional(), failures: int.min(0).optional() });

export const CaseTelemetry = z.object({
  at: DateTime,
  battery: z.object({ pct: num.optional(), charging: z.boolean().optional(), healthPct: num.optional(), cycles: int.optional() }).optional(),
  power: z.object({ source: z.enum(['mains', 'battery']).optional(), mainsVoltage: num.optional() }).optional(),
  tempC: num.optional(),
  ambientTempC: num.optional(),
  humidityPct: num.optional(),
  network: z
    .object({
      type: z.enum(CONNECTIVITY_KINDS).optional(),
      connected: z.boolean().optional(),
      signalDbm: num.optional(),
      latencyMs: num.optional(),
      lossPct: num.optional(),
      dnsOk: z.boolean().optional(),
      hostReachable: z.boolean().optional(),
      ip: z.string().optional(),
      ipConflict: z.boolean().optional(),
      simState: z.enum(['ready', 'absent', 'locked', 'no_data_plan']).optional(),
    })
    .optional(),
  printer: z.object({ status: z.enum(['ok', 'paper_out', 'paper_low', 'jam', 'overheat', 'fault', 'absent']).optional(), headTempC: num.optional() }).optional(),
  reader: z.object({ chip: Counter.optional(), contactless: Counter.optional(), magstripe: Counter.optional() }).optional(),
  keypad: z.object({ stuckKeys: int.optional() }).optional(),
  touch: z.object({ deadZones: int.optional() }).optional(),
  pinpad: z.object({ connected: z.boolean().optional() }).optional(),
  peripherals: z.array(z.object({ kind: z.string().optional(), connected: z.boolean().optional() })).optional(),
  memory: z.object({ freeMb: num.optional(), totalMb: num.optional() }).optional(),
  storage: z.object({ freeMb: num.optional(), totalMb: num.optional() }).optional(),
  cpuPct: num.optional(),
  app: z.object({ version: z.string().optional(), crashes: int.optional(), anrs: int.optional(), uptimeS: int.optional() }).optional(),
  os: z.object({ version: z.string().optional(), reboots: int.optional() }).optional(),
  clockSkewS: num.optional(),
  tamper: z.boolean().optional(),
  keys: z.object({ loaded: z.boolean().optional(), lastKeyExchangeOk: z.boolean().optional() }).optional(),
  batch: z.object({ count: int.optional(), capacity: int.optional() }).optional(),
  session: z.object({ signedIn: z.boolean().optional() }).optional(),
  sourceIp: z.string().optional(),
});
export type CaseTelemetry = z.infer<typeof CaseTelemetry>;

export const CaseTransaction = z.object({
  at: DateTime,
  id: z.string().optional(),
  stan: z.string().optional(),
  rrn: z.string().optional(),
  amountMinor: int.optional(),
  currency: z.string().optional(),
  entryMode: z.enum(CASE_ENTRY_MODES).describe('fallback = magstripe after a failed chip read (ISO 8583 field 22 prefix 80)'),
  outcome: z.enum(CASE_OUTCOMES),
  responseCode: z.string().optional().describe('ISO 8583 field 39'),
  tvr: z.string().regex(/^[0-9A-Fa-f]{10}$/, 'TVR is 10 hexadecimal digits').optional().describe('EMV tag 95'),
  tsi: z.string().regex(/^[0-9A-Fa-f]{4}$/, 'TSI is 4 hexadecimal digits').optional().describe('EMV tag 9B'),
  cardToken: z.string().optional(),
  durationMs: int.optional(),
});
export type CaseTransaction = z.infer<typeof CaseTransaction>;

export const CaseEvent = z.object({ at: z.string().optional(), type: z.string().optional(), code: z.string().optional(), message: z.string().optional() });
export type CaseEvent = z.infer<typeof CaseEvent>;

export const SitePeer = z.object({
  id: z.string().optional(),
  status: z.enum(['online', 'offline', 'degraded']).optional(),
  lastSeenAt: z.string().optional(),
  connectivity: z.enum(CONNECTIVITY_KINDS).optional(),
  appVersion: z.string().optional(),
});
export type SitePeer = z.infer<typeof SitePeer>;

export const CardAttempt = z.object({
  terminalId: z.string().optional(),
  at: z.string().optional(),
  entryMode: z.string().optional(),
  outcome: z.string().optional(),
  responseCode: z.string().optional(),
});
export type CardAttempt = z.infer<typeof CardAttempt>;

export const DiagnosisCase = z.object({
  schema: z.literal(DIAGNOSIS_CASE_SCHEMA),
  id: z.string().min(1),
  now: DateTime,
  lang: z.enum(['zh-CN', 'en-US']).default('zh-CN'),
  terminal: z.object({
    id: z.string().min(1),
    vendor: z.string().optional(),
    model: z.string().optional(),
    os: z.string().optional(),
    appVersion: z.string().optional(),
    previousAppVersion: z.string().optional(),
    updatedAt: DateTime.optional().describe('When appVersion was installed'),
    installedAt: DateTime.optional(),
    connectivity: z.enum(CONNECTIVITY_KINDS).optional(),
    interfaces: z.array(z.enum(TERMINAL_INTERFACES)).optional(),
    siteId: z.string().optional(),
    merchantId: z.string().optional(),
  }),
  report: z.object({ text: z.string().max(4000).optional(), source: z.enum(['merchant', 'agent', 'engineer', 'alert']).optional(), at: z.string().optional() }).optional(),
  events: z.array(CaseEvent).optional(),
  telemetry: z.array(CaseTelemetry).optional(),
  transactions: z.array(CaseTransaction).optional(),
  site: z.object({ terminals: z.array(SitePeer).optional() }).optional(),
  fleet: z
    .object({
      sameVersion: z.object({ terminals: int.optional(), failureRate: num.optional(), baselineFailureRate: num.optional() }).optional(),
      host: z.object({ terminals: int.optional(), sites: int.optional(), hostErrorRate: num.optional(), baselineHostErrorRate: num.optional() }).optional(),
    })
    .optional(),
  card: z.object({ token: z.string().optional(), attempts: z.array(CardAttempt).optional() }).optional(),
  answers: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
});
export type DiagnosisCase = z.infer<typeof DiagnosisCase>;
/** A case as written by a person or program, before defaults (lang) are filled in. */
export type DiagnosisCaseInput = z.input<typeof DiagnosisCase>;

export const DiagnosisScope = z.enum(DIAGNOSIS_SCOPES);
export type DiagnosisScope = z.infer<typeof DiagnosisScope>;

export const Evidence = z.object({ source: z.enum(EVIDENCE_SOURCES), detail: z.string() });
export type Evidence = z.infer<typeof Evidence>;

export const DiagnosisAction = z.object({
  kind: z.enum(ACTION_KINDS),
  text: z.string(),
  remoteCommand: z.string().optional().describe('e.g. reboot, upload_logs, self_test, rollback_app, push_config, key_exchange'),
});
export type DiagnosisAction = z.infer<typeof DiagnosisAction>;

export const DiagnosedCause = z.object({
  code: z.string().describe('A code of the fault taxonomy'),
  category: z.string(),
  confidence: z.number().min(0).max(1),
  title: z.string(),
  evidence: z.array(Evidence),
  actions: z.array(DiagnosisAction),
});
export type DiagnosedCause = z.infer<typeof DiagnosedCause>;

export const DiagnosisQuestion = z.object({ id: z.string(), text: z.string(), options: z.array(z.string()).optional() });
export type DiagnosisQuestion = z.infer<typeof DiagnosisQuestion>;

export const DiagnosisResult = z.object({
  schema: z.literal(DIAGNOSIS_RESULT_SCHEMA),
  caseId: z.string(),
  scope: DiagnosisScope,
  causes: z.array(DiagnosedCause),
  missing: z.array(z.string()).optional(),
  questions: z.array(DiagnosisQuestion).optional(),
});
export type DiagnosisResult = z.infer<typeof DiagnosisResult>;

/** Diagnose a stored terminal: the platform assembles the case; the caller may add what a person said. */
export const TerminalDiagnosisRequest = z.object({
  report: z.string().trim().max(2000).optional().describe('What the merchant or agent says is wrong, in Chinese or English'),
  source: z.enum(['merchant', 'agent', 'engineer', 'alert']).optional(),
  answers: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional().describe('Answers to earlier questions, by question id'),
  lang: z.enum(['zh-CN', 'en-US']).optional().describe("Language of the result; the caller's language by default"),
});
export type TerminalDiagnosisRequest = z.infer<typeof TerminalDiagnosisRequest>;

export const TerminalDiagnosis = z.object({
  case: DiagnosisCase,
  result: DiagnosisResult,
  knowledgeVersion: z.string(),
});
export type TerminalDiagnosis = z.infer<typeof TerminalDiagnosis>;

/** The merchants' guided troubleshooter: each call carries the symptom and every answer so far. */
export const TroubleshootRequest = z.object({
  symptom: z.string().min(1).max(40).describe('A symptom id from GET /troubleshooter/symptoms, e.g. no_receipt'),
  text: z.string().trim().max(2000).optional().describe('Anything else the merchant wants to say'),
  answers: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
  lang: z.enum(['zh-CN', 'en-US']).optional(),
});
export type TroubleshootRequest = z.infer<typeof TroubleshootRequest>;

export const TroubleStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('question'), question: DiagnosisQuestion }),
  z.object({ kind: z.literal('self_fix'), cause: z.string(), title: z.string(), steps: z.array(z.string()), question: DiagnosisQuestion }),
  z.object({ kind: z.literal('resolved'), cause: z.string().nullable() }),
  z.object({ kind: z.literal('escalate'), reason: z.enum(['self_fix_failed', 'no_self_fix', 'not_for_merchant']), tried: z.array(z.string()) }),
]);
export type TroubleStep = z.infer<typeof TroubleStep>;

export const TroubleshootAnswer = z.object({ step: TroubleStep, result: DiagnosisResult, caseId: z.string() });
export type TroubleshootAnswer = z.infer<typeof TroubleshootAnswer>;

export const Symptom = z.object({ id: z.string(), label: z.string() });
export type Symptom = z.infer<typeof Symptom>;
