import { z } from 'zod';
import { Id, Language, Role, Timestamp } from './common.js';

export const User = z.object({
  id: Id,
  orgId: Id,
  merchantId: Id.nullable(),
  email: z.string(),
  name: z.string(),
  role: Role,
  language: Language,
  platformAdmin: z.boolean(),
  disabled: z.boolean(),
  /** The user signs in with a second factor (an authenticator app). */
  mfaEnabled: z.boolean(),
  createdAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
});
export type User = z.infer<typeof User>;

export const Password = z.string().min(10).max(200);

export const UserCreate = z.object({
  orgId: Id.optional(),
  merchantId: Id.nullable().optional().describe('Required for the merchant role'),
  email: z.string().trim().toLowerCase().email(),
  name: z.string().trim().min(1).max(100),
  role: Role,
  language: Language.default('zh-CN'),
  password: Password,
});
export const UserUpdate = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  role: Role.optional(),
  merchantId: Id.nullable().optional(),
  language: Language.optional(),
  disabled: z.boolean().optional(),
  password: Password.optional(),
});

export const Login = z.object({
  email: z.string().trim().toLowerCase().min(1).max(200),
  password: z.string().min(1).max(200),
});

export const MfaState = z.object({
  enabled: z.boolean(),
  /** The organization's policy (or the installation's, for platform admins) asks this user for a second factor. */
  required: z.boolean(),
  /** Required but not enrolled: until the user enrols, only the enrolment routes answer. */
  enrolmentRequired: z.boolean(),
});
export const Me = User.extend({ permissions: z.array(z.string()), orgName: z.string(), mfa: MfaState });
export type Me = z.infer<typeof Me>;

export const MePreferences = z.object({ language: Language });

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export const ApiTokenCreate = z.object({ name: z.string().trim().min(1).max(100) });
export const ApiTokenCreated = ApiToken.extend({ token: z.string().describe('Shown once; store it safely') });

export const AuditEntry = z.object({
  id: z.number().int(),
  orgId: Id.nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  at: Timestamp,
  /** Position in the organization's audit chain (1, 2, …). */
  seq: z.number().int().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The first place where an organization's audit chain breaks. */
export const AuditChainProblem = z.object({
  kind: z.enum(['changed', 'removed', 'inserted']).describe('changed: the entry does not match its hash; removed: entries are missing before it; inserted: an entry with no place in the chain'),
  seq: z.number().int().nullable().describe('Position in the chain; null for an inserted entry'),
  id: z.number().int().describe('The audit entry id'),
  detail: z.string(),
});
export const AuditChainReport = z.object({
  orgId: Id.nullable(),
  ok: z.boolean(),
  entries: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable().describe('The last verified entry: record its hash elsewhere to notice a cut-off tail'),
  problem: AuditChainProblem.nullable(),
});
export type AuditChainReport = z.infer<typeof AuditChainReport>;
export const AuditVerifyResult = z.object({ ok: z.boolean(), chains: z.array(AuditChainReport) });
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;

// --- sign-in with a second factor ----------------------------------------------------------------

/** The answer to a correct password when a second factor is due (HTTP 202): no session yet. */
export const LoginChallenge = z.object({
  secondFactor: z.literal('totp'),
  challenge: z.string().describe('Send it back with the code to /auth/login/second-factor; valid for a few minutes and a few tries'),
  expiresInSeconds: z.number().int(),
  /** Days this browser may be remembered after the code (0: it is asked every time). */
  rememberDays: z.number().int(),
});
export type LoginChallenge = z.infer<typeof LoginChallenge>;

const TotpCodeText = z.string().trim().regex(/^\d{6}$/, 'six digits');
const RecoveryCodeText = z.string().trim().min(8).max(40);

export const SecondFactorLogin = z
  .object({
    challenge: z.string().min(16).max(200),
    code: TotpCodeText.optional(),
    recoveryCode: RecoveryCodeText.optional(),
    rememberDevice: z.boolean().default(false),
  })
  .refine((b) => Boolean(b.code) !== Boolean(b.recoveryCode), { message: 'give either code or recoveryCode', path: ['code'] });

/** A current authenticator code or an unused recovery code, to confirm a sensitive change of one's own factor. */
export const SecondFactorProof = z
  .object({ code: TotpCodeText.optional(), recoveryCode: RecoveryCodeText.optional() })
  .refine((b) => Boolean(b.code) !== Boolean(b.recoveryCode), { message: 'give either code or recoveryCode', path: ['code'] });

export const TotpConfirm = z.object({ code: TotpCodeText });

export const MfaStatus = MfaState.extend({
  /** An authenticator was shown (secret generated) but not yet confirmed with a first code. */
  pending: z.boolean(),
  enabledAt: Timestamp.nullable(),
  recoveryCodesLeft: z.number().int(),
  rememberDays: z.number().int(),
  trustedDevices: z.number().int(),
});
export type MfaStatus = z.infer<typeof MfaStatus>;

export const TotpSetup = z.object({
  secret: z.string().describe('Base32, for typing into the app by hand'),
  uri: z.string().describe('otpauth:// URI'),
  qr: z.string().describe('The URI as a QR code, a data: URL of a PNG'),
});
export type TotpSetup = z.infer<typeof TotpSetup>;

export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()).describe('Shown once; each works once') });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password });

/** An organization's sign-in policy. */
export const OrgSecurity = z.object({
  mfaRequiredRoles: z.array(Role),
  mfaRememberDays: z.number().int().min(0).max(90),
  /** Set for the whole installation (MFA_PLATFORM_ADMINS), shown for information. */
  platformAdmins: z.enum(['required', 'optional']),
});
export type OrgSecurity = z.infer<typeof OrgSecurity>;
export const OrgSecurityUpdate = z.object({
  mfaRequiredRoles: z.array(Role).max(10),
  mfaRememberDays: z.number().int().min(0).max(90),
});
