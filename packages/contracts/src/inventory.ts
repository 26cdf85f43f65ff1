import { z } from 'zod';
import { Id, Timestamp } from './common.js';

export const ORG_KINDS = ['service_provider', 'acquirer'] as const;
export const OrgKind = z.enum(ORG_KINDS);

export const Organization = z.object({
  id: Id,
  name: z.string(),
  kind: OrgKind,
  createdAt: Timestamp,
});
export type Organization = z.infer<typeof Organization>;
export const OrganizationCreate = z.object({
  name: z.string().trim().min(1).max(200),
  kind: OrgKind,
});
export const OrganizationUpdate = OrganizationCreate.partial();

/** Who merchants call when the troubleshooter cannot fix it: the organization's support line and its hours in both languages. */
export const SupportContact = z.object({
  phone: z
    .string()
    .trim()
    .regex(/^[+\d][\d\s()-]{2,30}$/, 'digits, spaces, + ( ) -')
    .nullable(),
  hours: z.object({ 'zh-CN': z.string().trim().min(1).max(200), 'en-US': z.string().trim().min(1).max(200) }).nullable(),
});
export type SupportContact = z.infer<typeof SupportContact>;

export const MERCHANT_TIERS = ['standard', 'gold', 'platinum'] as const;
export const MerchantTier = z.enum(MERCHANT_TIERS);

export const Merchant = z.object({
  id: Id,
  orgId: Id,
  mid: z.string().describe('Merchant ID (商户号) issued by the acquirer'),
  name: z.string(),
  tier: MerchantTier,
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  language: z.enum(['zh-CN', 'en-US']),
  acquirerHost: z.string().nullable().describe('The acquirer host its payments route to; alerts group host outages by it'),
  createdAt: Timestamp,
});
export type Merchant = z.infer<typeof Merchant>;
export const MerchantCreate = z.object({
  orgId: Id.optional().describe('Defaults to the caller\'s organization'),
  mid: z.string().trim().min(1).max(32),
  name: z.string().trim().min(1).max(200),
  tier: MerchantTier.default('standard'),
  contactName: z.string().trim().max(100).nullable().optional(),
  contactPhone: z.string().trim().max(40).nullable().optional(),
  language: z.enum(['zh-CN', 'en-US']).default('zh-CN'),
  acquirerHost: z.string().trim().max(64).nullable().optional(),
});
export const MerchantUpdate = MerchantCreate.omit({ orgId: true }).partial();

export const Site = z.object({
  id: Id,
  orgId: Id,
  merchantId: Id,
  code: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  region: z.string().nullable(),
  createdAt: Timestamp,
});
export type Site = z.infer<typeof Site>;
export const SiteCreate = z.object({
  merchantId: Id,
  code: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().max(400).nullable().optional(),
  region: z.string().trim().max(100).nullable().optional(),
});
export const SiteUpdate = SiteCreate.omit({ merchantId: true }).partial();
