/**
 * Satisfaction and service-desk reports: the merchant's 1–5 rating of a resolved ticket, satisfaction
 * results per agent, team and cause, and the service-desk report (MTTR, first-time fix, SLA compliance,
 * backlog age, satisfaction, top causes) with its CSV/XLSX export.
 */
import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { TicketPriority } from './tickets.js';

// ---- Ratings ------------------------------------------------------------------------------------

/** The rating window opens when a ticket is resolved and closes this many days later. */
export const RATING_WINDOW_DAYS = 7;

/** When the rating window of a ticket resolved at `resolvedAt` closes. */
export const ratingClosesAt = (resolvedAt: Date): Date => new Date(resolvedAt.getTime() + RATING_WINDOW_DAYS * 86_400_000);

/** not_yet: not resolved (or reopened); open: may be rated now; rated: has its one rating; expired: the window closed unrated. */
export const RATING_STATES = ['not_yet', 'open', 'rated', 'expired'] as const;
export const RatingState = z.enum(RATING_STATES);
export type RatingState = z.infer<typeof RatingState>;

export const RatingCreate = z.object({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).optional(),
});
export type RatingCreate = z.infer<typeof RatingCreate>;

export const Rating = z.object({
  score: z.number().int().min(1).max(5),
  comment: z.string().nullable(),
  ratedAt: Timestamp,
  ratedByName: z.string().nullable(),
  /** Recorded by staff for the merchant (e.g. from a phone call). */
  onBehalf: z.boolean(),
  /** Who worked the ticket when it was rated, and their team (staff only; null for merchants). */
  agentName: z.string().nullable(),
  team: z.string().nullable(),
});
export type Rating = z.infer<typeof Rating>;

/** Why the caller may not rate this ticket (when the state is open). */
export const RATING_BLOCKS = ['own_ticket', 'not_allowed', 'no_merchant'] as const;

export const TicketRatingView = z.object({
  state: RatingState,
  /** When the window opened (the ticket's resolution) and when it closes; null until resolved. */
  opensAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  rating: Rating.nullable(),
  /** How the caller would rate: as the merchant, or recording it on the merchant's behalf. */
  mode: z.enum(['merchant', 'on_behalf']).nullable(),
  /** The caller may submit a rating now. */
  canRate: z.boolean(),
  blocked: z.enum(RATING_BLOCKS).nullable(),
});
export type TicketRatingView = z.infer<typeof TicketRatingView>;

// ---- Report range and filters -------------------------------------------------------------------

/** Reports count days and weeks (Monday first) in this time zone. */
export const REPORT_TIME_ZONE = 'Asia/Shanghai';
export const REPORT_MAX_DAYS = 366;

/** A calendar day (`2026-03-02`, whole day in REPORT_TIME_ZONE; `to` is inclusive) or an exact instant. */
const DayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const ReportQuery = z.object({
  from: DayOrInstant.optional(),
  to: DayOrInstant.optional(),
  merchantId: Id.optional(),
  region: z.string().trim().min(1).max(100).optional(),
  model: z.string().trim().min(1).max(100).optional(),
  priority: TicketPriority.optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

// ---- Satisfaction -------------------------------------------------------------------------------

export const SatisfactionStats = z.object({
  count: z.number().int(),
  average: z.number().nullable(),
  /** Counts of scores 1, 2, 3, 4, 5 (index 0 is score 1). */
  distribution: z.array(z.number().int()).length(5),
  /** Share of ratings that are 4 or 5 (0–1). */
  satisfiedShare: z.number().nullable(),
});
export type SatisfactionStats = z.infer<typeof SatisfactionStats>;

export const SATISFACTION_GROUPINGS = ['agent', 'team', 'cause'] as const;
export const SatisfactionBy = z.enum(SATISFACTION_GROUPINGS);
export type SatisfactionBy = z.infer<typeof SatisfactionBy>;

export const SatisfactionQuery = ReportQuery.extend({ by: SatisfactionBy.default('agent') });
export type SatisfactionQuery = z.infer<typeof SatisfactionQuery>;

export const SatisfactionGroup = SatisfactionStats.extend({
  /** Agent id, team name or cause code; null when unknown (no assignee, no team, no cause). */
  key: z.string().nullable(),
  label: z.string(),
});
export type SatisfactionGroup = z.infer<typeof SatisfactionGroup>;

export const SatisfactionReport = z.object({
  from: Timestamp,
  to: Timestamp,
  by: SatisfactionBy,
  overall: SatisfactionStats,
  groups: z.array(SatisfactionGroup),
});
export type SatisfactionReport = z.infer<typeof SatisfactionReport>;

// ---- Service-desk report ------------------------------------------------------------------------

export const BACKLOG_BUCKETS = ['lt1d', 'd1to3', 'd3to7', 'gt7d'] as const;
export const BacklogBucket = z.enum(BACKLOG_BUCKETS);
export type BacklogBucket = z.infer<typeof BacklogBucket>;

export const CAUSE_DIMENSIONS = ['model', 'appVersion', 'region', 'merchant'] as const;
export const CauseDimension = z.enum(CAUSE_DIMENSIONS);
export type CauseDimension = z.infer<typeof CauseDimension>;

export const CauseGroup = z.object({
  /** Model, app version, region or merchant id; null for tickets without one. */
  key: z.string().nullable(),
  label: z.string().nullable(),
  total: z.number().int(),
  /** The group's most frequent causes (code null: not classified yet). */
  causes: z.array(z.object({ code: z.string().nullable(), count: z.number().int() })),
});
export type CauseGroup = z.infer<typeof CauseGroup>;

const Hours = z.number().nullable();

export const ServiceDeskReport = z.object({
  from: Timestamp,
  to: Timestamp,
  generatedAt: Timestamp,
  timeZone: z.string(),
  /** Set when the figures are restricted to one merchant (a filter, or a merchant caller). */
  merchantId: Id.nullable(),
  /** Tickets opened in the period. */
  opened: z.number().int(),
  /** Resolved in the period: resolved_at − created_at. */
  mttr: z.object({
    resolved: z.number().int(),
    meanHours: Hours,
    medianHours: Hours,
    weeks: z.array(z.object({ week: z.string().describe('Monday, YYYY-MM-DD'), resolved: z.number().int(), meanHours: Hours, medianHours: Hours })),
  }),
  /** Resolved in the period, never reopened, at most one work order. */
  firstTimeFix: z.object({ resolved: z.number().int(), firstTime: z.number().int(), rate: z.number().nullable() }),
  /** Resolved in the period without a breach; and open tickets now past their resolution due. */
  sla: z.object({ resolved: z.number().int(), met: z.number().int(), compliance: z.number().nullable(), open: z.number().int(), openOverdue: z.number().int() }),
  /** Open tickets now, by age and priority. */
  backlog: z.object({
    total: z.number().int(),
    buckets: z.array(z.object({ bucket: BacklogBucket, total: z.number().int(), byPriority: z.record(TicketPriority, z.number().int()) })),
  }),
  /** Ratings given in the period. */
  satisfaction: SatisfactionStats,
  /** Tickets opened in the period, per dimension: the top groups and their top causes. */
  causes: z.object({ model: z.array(CauseGroup), appVersion: z.array(CauseGroup), region: z.array(CauseGroup), merchant: z.array(CauseGroup) }),
  /** Names of the cause codes above, in the caller's language. */
  causeTitles: z.record(z.string(), z.string()),
});
export type ServiceDeskReport = z.infer<typeof ServiceDeskReport>;

// ---- Export -------------------------------------------------------------------------------------

export const REPORT_SECTIONS = [
  'summary',
  'mttr_weekly',
  'backlog',
  'satisfaction',
  'causes_model',
  'causes_app_version',
  'causes_region',
  'causes_merchant',
  'satisfaction_agent',
  'satisfaction_team',
  'satisfaction_cause',
] as const;
export const ReportSection = z.enum(REPORT_SECTIONS);
export type ReportSection = z.infer<typeof ReportSection>;

export const REPORT_FORMATS = ['csv', 'xlsx'] as const;

/** CSV holds one section (default: summary); XLSX holds one (or, by default, every section, one sheet each). */
export const ReportExportQuery = ReportQuery.extend({
  format: z.enum(REPORT_FORMATS).default('csv'),
  section: z.enum([...REPORT_SECTIONS, 'all']).optional(),
});
export type ReportExportQuery = z.infer<typeof ReportExportQuery>;
