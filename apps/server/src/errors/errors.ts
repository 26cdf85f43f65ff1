/**
 * Typed errors with stable ids. Services throw these; one handler (http/errorHandler.ts) maps them to
 * HTTP status and a message in the caller's language.
 */
import type { MessageId } from '../i18n/messages.js';

export interface FieldProblem {
  path: string;
  id: MessageId;
  params?: Record<string, unknown>;
  /** An already-localised message (e.g. from zod's locale), used when no id fits. */
  text?: string;
}

export class AppError extends Error {
  constructor(
    readonly id: MessageId,
    readonly status: number,
    readonly params: Record<string, unknown> = {},
    readonly details?: FieldProblem[],
  ) {
    super(id);
    this.name = 'AppError';
  }
}

export const errors = {
  unauthenticated: () => new AppError('auth.required', 401),
  invalidCredentials: () => new AppError('auth.invalid_credentials', 401),
  rateLimited: (seconds: number) => new AppError('auth.rate_limited', 429, { seconds }),
  forbidden: () => new AppError('auth.forbidden', 403),
  crossSite: () => new AppError('auth.cross_site', 403),
  tokenInvalid: () => new AppError('auth.token_invalid', 401),
  // Not-found is also what a user of another tenant gets: existence is never revealed across tenants.
  notFound: (entity: string) => new AppError('not_found', 404, { entity }),
  // The detail names the body field, so a form can mark it.
  duplicate: (entity: string, field: string) =>
    new AppError('conflict.duplicate', 409, { entity, field }, [{ path: `body.${field.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`, id: 'conflict.duplicate', params: { entity, field } }]),
  inUse: (entity: string) => new AppError('conflict.in_use', 409, { entity }),
  validation: (details: FieldProblem[]) => new AppError('validation.failed', 400, {}, details),
  illegalTransition: (from: string, to: string) => new AppError('terminal.illegal_transition', 409, { from, to }),
  siteRequired: (to: string) => new AppError('terminal.site_required', 409, { to }),
  merchantRequired: () => new AppError('user.merchant_required', 400),
  cannotDemoteSelf: () => new AppError('user.cannot_demote_self', 400),
  importFileRequired: () => new AppError('import.file_required', 400),
  importUnsupported: () => new AppError('import.unsupported_type', 415),
  importUnreadable: (reason: string) => new AppError('import.unreadable', 400, { reason }),
  importInvalidRows: (count: number) => new AppError('import.invalid_rows', 422, { count }),
  importTooManyRows: (max: number) => new AppError('import.too_many_rows', 413, { max }),
  importMissingColumns: (columns: string[]) => new AppError('import.missing_columns', 400, { columns: columns.join(', ') }),
  /** A file refused for its size while it was read (rows, columns, unpacked bytes, one record). */
  importRefused: (id: 'import.too_many_rows' | 'import.unpacked_too_large' | 'import.too_many_columns' | 'import.row_too_large', params: Record<string, string | number>) =>
    new AppError(id, 413, params),
  importReadLimit: (limit: string) => new AppError('import.read_limit', 413, { limit }),
  notABackup: () => new AppError('backup.not_a_backup', 400),
  newerBackup: (version: string) => new AppError('backup.newer_schema', 400, { version }),
  damagedBackup: (problem: string) => new AppError('backup.damaged', 400, { problem }),
};

/** Maps a PostgreSQL unique violation to a domain conflict; returns undefined for anything else. */
export function fromUniqueViolation(err: unknown, byConstraint: Record<string, [string, string]>): AppError | undefined {
  const e = (err as { cause?: unknown }).cause ?? err;
  const code = (e as { code?: string }).code;
  if (code !== '23505') return undefined;
  const constraint = (e as { constraint?: string }).constraint ?? '';
  const hit = byConstraint[constraint] ?? Object.values(byConstraint)[0];
  return hit ? errors.duplicate(hit[0], hit[1]) : undefined;
}
