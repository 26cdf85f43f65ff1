import { z } from 'zod';

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

export const ROLES = ['admin', 'agent', 'engineer', 'risk_analyst', 'merchant'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
/** The roles that work tickets and work orders: the people a ticket or a visit can be given to. */
export const STAFF_ROLES = ['admin', 'agent', 'engineer'] as const satisfies readonly Role[];

export const Id = z.string().uuid();
export const IdParams = z.object({ id: Id });

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().trim().max(200).optional(),
});
export type Page = z.infer<typeof Page>;

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int() });

export const Timestamp = z.string().describe('ISO 8601 timestamp');

/** The body of every error answer: a stable id a program can test, and a message in the caller's language. */
export const ErrorBody = z.object({
  error: z.object({
    id: z.string(),
    message: z.string(),
    details: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
