/**
 * Knowledge base: articles in zh-CN and en-US linked to fault-taxonomy cause codes, versioned (every
 * save is a new version with who, when and why), with steps and pictures; search in both languages.
 * Cause codes are checked against the fault taxonomy by the server (@poscare/codes), which names the
 * unknown code in the caller's language.
 */
import { z } from 'zod';
import { Id, Language, Timestamp } from './common.js';

export const KB_STATUSES = ['draft', 'published', 'archived'] as const;
export const KbStatus = z.enum(KB_STATUSES);
export type KbStatus = z.infer<typeof KbStatus>;

/** A text in both languages; either may be empty while a draft is written (the reader falls back to the other). */
const localized = (max: number) =>
  z.object({
    'zh-CN': z.string().trim().max(max).default(''),
    'en-US': z.string().trim().max(max).default(''),
  });
export const KbText = localized(20_000);
export type KbText = z.infer<typeof KbText>;

export const KbStep = z.object({
  text: localized(2000),
  /** A picture uploaded with POST /kb/images. */
  imageId: Id.nullable().optional(),
});
export type KbStep = z.infer<typeof KbStep>;

export const KbCauseCode = z.string().trim().min(1).max(64).describe('A code of the fault taxonomy, e.g. hw.reader.chip');
export const KbTag = z.string().trim().min(1).max(40);

/** What an editor sends: the whole article; saving it makes a new version. */
export const KbArticleWrite = z.object({
  title: localized(200),
  summary: localized(1000),
  body: localized(20_000),
  steps: z.array(KbStep).max(40).default([]),
  causeCodes: z.array(KbCauseCode).max(12).default([]),
  tags: z.array(KbTag).max(20).default([]),
  /** Why this change (shown in the version history). */
  note: z.string().trim().max(500).optional(),
});
export type KbArticleWrite = z.infer<typeof KbArticleWrite>;

export const KbArticleUpdate = KbArticleWrite.extend({
  /** The version the editor started from; a save over a newer version is refused (409), nothing is lost. */
  baseVersion: z.number().int().min(1),
});
export type KbArticleUpdate = z.infer<typeof KbArticleUpdate>;

export const KbStatusChange = z.object({ note: z.string().trim().max(500).optional() });
export const KbRestore = z.object({ version: z.number().int().min(1), note: z.string().trim().max(500).optional() });
export const KbFeedback = z.object({ helpful: z.boolean() });
export const KbCaseStudyCreate = z.object({ ticketId: Id });

export const KbCause = z.object({ code: z.string(), title: z.string() });

export const KbArticle = z.object({
  id: Id,
  status: KbStatus,
  version: z.number().int(),
  title: KbText,
  summary: KbText,
  body: KbText,
  steps: z.array(KbStep),
  causeCodes: z.array(z.string()),
  /** The cause codes with their names in the caller's language. */
  causes: z.array(KbCause),
  tags: z.array(z.string()),
  sourceTicketId: Id.nullable(),
  /** The source ticket's number, for staff (merchants see no ticket of another merchant). */
  sourceTicketNumber: z.string().nullable(),
  views: z.number().int(),
  helpful: z.number().int(),
  notHelpful: z.number().int(),
  /** The caller's own answer to "was this helpful", if given. */
  myFeedback: z.boolean().nullable(),
  createdBy: z.string().nullable(),
  updatedBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  publishedAt: Timestamp.nullable(),
});
export type KbArticle = z.infer<typeof KbArticle>;

export const KB_VERSION_ACTIONS = ['created', 'edited', 'published', 'archived', 'unpublished', 'restored', 'case_study', 'starter'] as const;
export const KbVersionAction = z.enum(KB_VERSION_ACTIONS);

export const KbVersionRow = z.object({
  version: z.number().int(),
  action: KbVersionAction,
  status: KbStatus,
  note: z.string().nullable(),
  author: z.string().nullable(),
  at: Timestamp,
  /** For a restore: the version that was brought back. */
  restoredFrom: z.number().int().nullable(),
  title: KbText,
});
export type KbVersionRow = z.infer<typeof KbVersionRow>;

/** One version in full, as it was saved. */
export const KbVersion = KbVersionRow.extend({
  summary: KbText,
  body: KbText,
  steps: z.array(KbStep),
  causeCodes: z.array(z.string()),
  tags: z.array(z.string()),
});
export type KbVersion = z.infer<typeof KbVersion>;

export const KbArticleQuery = z.object({
  /** A version to read instead of the current one (staff with kb:write). */
  version: z.coerce.number().int().min(1).optional(),
  /** Count this read as a view (the reader page sets it; the editor does not). */
  view: z.enum(['1', '0']).optional(),
});

export const KbSearchQuery = z.object({
  q: z.string().trim().max(200).default(''),
  cause: z.string().trim().max(64).optional(),
  status: z.enum(['all', ...KB_STATUSES]).optional(),
  tag: z.string().trim().max(40).optional(),
  lang: Language.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});
export type KbSearchQuery = z.infer<typeof KbSearchQuery>;

export const KbSearchItem = z.object({
  id: Id,
  title: z.string(),
  summary: z.string(),
  causeCodes: z.array(z.string()),
  status: KbStatus,
  score: z.number(),
  /** A piece of the text around the first word found, in the asked language. */
  snippet: z.string().optional(),
  version: z.number().int(),
  updatedAt: Timestamp,
  helpful: z.number().int(),
});
export type KbSearchItem = z.infer<typeof KbSearchItem>;

export const KbSearchResult = z.object({
  items: z.array(KbSearchItem),
  total: z.number().int(),
  /** More hits than counted: `total` is a lower bound (counting every hit of a common word costs more than the search). */
  totalCapped: z.boolean().optional(),
  /** The words the query was split into (for highlighting). */
  terms: z.array(z.string()),
});
export type KbSearchResult = z.infer<typeof KbSearchResult>;

export const KbForCausesQuery = z.object({
  codes: z.string().trim().max(1000).default(''),
  lang: Language.optional(),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});
export const KbForCausesItem = KbSearchItem.omit({ snippet: true }).extend({
  /** The asked cause codes this article is linked to, best-ranked cause first. */
  matched: z.array(z.string()),
});
export const KbForCausesResult = z.object({ items: z.array(KbForCausesItem) });
export type KbForCausesResult = z.infer<typeof KbForCausesResult>;

export const KbCauseOption = z.object({
  code: z.string(),
  category: z.string(),
  title: z.string(),
  /** Published articles linked to the cause. */
  articles: z.number().int(),
});
export const KbCauseList = z.object({ items: z.array(KbCauseOption) });
export type KbCauseOption = z.infer<typeof KbCauseOption>;

export const KbImage = z.object({ id: Id, contentType: z.string(), bytes: z.number().int(), url: z.string() });
export type KbImage = z.infer<typeof KbImage>;
export const KbImageUploadQuery = z.object({ articleId: Id.optional() });
/** Pictures: PNG, JPEG or WebP up to this size. */
export const KB_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const KB_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

export const KbCaseStudyCreated = z.object({ article: KbArticle, existing: z.boolean() });
export const KbStarterResult = z.object({ created: z.number().int(), existing: z.number().int() });
