/**
 * Types the console uses, all derived from the shared contracts (never hand-written).
 * Schemas that the contracts package exports without a matching type are inferred here.
 */
import type { z } from 'zod';
import type { LifecycleState as LifecycleStateT } from '@poscare/contracts';
import type {
  AcceptanceCreate,
  AcceptanceItems,
  ApiToken as ApiTokenSchema,
  ApiTokenCreated as ApiTokenCreatedSchema,
  CheckResult as CheckResultSchema,
  Connectivity as ConnectivitySchema,
  LifecycleChange as LifecycleChangeSchema,
  LifecycleEvent as LifecycleEventSchema,
  MerchantCreate,
  MerchantTier as MerchantTierSchema,
  MerchantUpdate,
  OrgKind as OrgKindSchema,
  OrganizationCreate,
  SiteCreate,
  SiteUpdate,
  TerminalCreate,
  TerminalDetail as TerminalDetailSchema,
  TerminalUpdate,
  UserCreate,
  UserUpdate,
} from '@poscare/contracts';

export type {
  Acceptance,
  AuditChainReport,
  AuditEntry,
  ImportMode,
  ImportProblem,
  ImportReport,
  Language,
  LifecycleState,
  Me,
  Merchant,
  Organization,
  Role,
  Site,
  Terminal,
  User,
} from '@poscare/contracts';

export type TerminalDetail = z.infer<typeof TerminalDetailSchema>;
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;
export type LifecycleChange = z.input<typeof LifecycleChangeSchema>;
export type ApiToken = z.infer<typeof ApiTokenSchema>;
export type ApiTokenCreated = z.infer<typeof ApiTokenCreatedSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type AcceptanceItemsValue = z.infer<typeof AcceptanceItems>;
export type AcceptanceInput = z.input<typeof AcceptanceCreate>;
export type Connectivity = z.infer<typeof ConnectivitySchema>;
export type MerchantTier = z.infer<typeof MerchantTierSchema>;
export type OrgKind = z.infer<typeof OrgKindSchema>;

export type OrganizationInput = z.input<typeof OrganizationCreate>;
export type MerchantInput = z.input<typeof MerchantCreate>;
export type MerchantPatch = z.input<typeof MerchantUpdate>;
export type SiteInput = z.input<typeof SiteCreate>;
export type SitePatch = z.input<typeof SiteUpdate>;
export type TerminalInput = z.input<typeof TerminalCreate>;
export type TerminalPatch = z.input<typeof TerminalUpdate>;
export type UserInput = z.input<typeof UserCreate>;
export type UserPatch = z.input<typeof UserUpdate>;

export type { TerminalStats } from '@poscare/contracts';
