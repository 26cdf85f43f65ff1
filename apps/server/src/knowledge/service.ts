/**
 * The knowledge base: articles in zh-CN and en-US linked to cause codes. Every save is a new version
 * (kb_article_versions keeps the whole snapshot with who, when and why; a restore is a new version too);
 * publish and archive are recorded the same way. Merchants read published articles only; editing
 * needs kb:write. Pictures are stored in the database and served to signed-in users of the organization.
 */
import {
  containsCardData,
  KB_IMAGE_MAX_BYTES,
  type KbArticle,
  type KbArticleUpdate,
  type KbArticleWrite,
  type KbCauseOption,
  type KbForCausesResult,
  type KbImage,
  type KbSearchQuery,
  type KbSearchResult,
  type KbStatus,
  type KbStep,
  type KbText,
  type KbVersion,
  type KbVersionRow,
  type Language,
} from '@poscare/contracts';
import { causeTitle, FAULT_CAUSES, isCauseCode } from '@poscare/codes';
import { type Actor, assertCan, authorId, can } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors, type FieldProblem } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { ticketEvent } from '../tickets/service.js';
import { caseStudyContent } from './caseStudy.js';
import { articleSearchTokens, parseQuery, snippetOf } from './search.js';
import { loadStarterArticles } from './starter.js';

type Row = Record<string, unknown>;
type Action = KbVersionRow['action'];
const LANGS = ['zh-CN', 'en-US'] as const;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const SHOWN: KbStatus[] = ['draft', 'published'];

/** The article content a version keeps. */
export interface Content {
  title: KbText;
  summary: KbText;
  body: KbText;
  steps: KbStep[];
  causeCodes: string[];
  tags: string[];
}

const text = (v: unknown): KbText => {
  const o = (v ?? {}) as Partial<KbText>;
  return { 'zh-CN': o['zh-CN'] ?? '', 'en-US': o['en-US'] ?? '' };
};
/** The text in the asked language, or the other one when that is still empty. */
const pick = (v: unknown, lang: Language): string => {
  const t = text(v);
  return t[lang] || t[lang === 'zh-CN' ? 'en-US' : 'zh-CN'];
};
const causeName = (code: string, lang: Language) => (isCauseCode(code) ? causeTitle(code, lang) : code);
/** Search hits are counted up to this many. */
const KB_COUNT_CAP = 1000;

/**
 * The tsquery texts from "every word" down to "any word": for n typed words, the ORs of all (n − k)-word ANDs,
 * the last level being the query's `any` (which also holds the shorter pieces). Up to 6 words are combined.
 */
export function matchLevels(parsed: { terms: string[]; any: string }): string[] {
  const words = parsed.terms.slice(0, 6);
  const lit = (w: string) => `'${w}'`;
  const out: string[] = [];
  for (let size = words.length; size >= 2; size--) {
    const groups: string[][] = [];
    const pick = (start: number, acc: string[]) => {
      if (acc.length === size) return void groups.push(acc);
      for (let i = start; i < words.length; i++) pick(i + 1, [...acc, words[i]!]);
    };
    pick(0, []);
    out.push(groups.map((g) => `(${g.map(lit).join(' & ')})`).join(' | '));
  }
  out.push(parsed.any);
  return out;
}

const dedupe = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))];

export class KnowledgeService {
  constructor(private readonly ctx: AppContext) {}

  /**
   * Full-text search in both languages (jieba-cut words, GIN index), ranked: published before drafts,
   * then by ts_rank_cd with title words counted three times and a bonus for holding every word.
   * Without words: the newest articles. Only the page's rows are shaped in JS.
   */
  async search(actor: Actor, q: KbSearchQuery, lang: Language): Promise<KbSearchResult> {
    assertCan(actor, 'kb:read');
    const L = q.lang ?? lang;
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = ['a.org_id = $1', this.statusFilter(actor, q.status, p)];
    if (q.cause) where.push(`a.cause_codes @> ARRAY[${p(q.cause)}]::text[]`);
    if (q.tag) where.push(`a.tags @> ARRAY[${p(q.tag.toLowerCase())}]::text[]`);
    const parsed = q.q ? parseQuery(q.q) : null;
    if (q.q && !parsed) return { items: [], total: 0, terms: [] };
    return this.ctx.db.rawTransaction(async (tx) => {
      let rows: Row[];
      /** Hits counted for a text search (null: count the listing below). */
      let counted: number | null = null;
      if (parsed) {
        const anyAt = params.length + 1;
        const any = p(parsed.any);
        const titleHits = parsed.terms.length
          ? `(${parsed.terms.map((w) => `CASE WHEN lower(coalesce(a.title->>'zh-CN', '') || ' ' || coalesce(a.title->>'en-US', '')) LIKE ${p(`%${w}%`)} THEN 1 ELSE 0 END`).join(' + ')})::float / ${parsed.terms.length}`
          : '0';
        // Articles holding more of the typed words come first: every word, then all but one, … then any word.
        // Each level is one GIN index lookup on the stored vector and ranks only its own rows, and a level is
        // read only when the ones above did not fill the page — so a common word never makes the search rank
        // half the knowledge base. Within a level: published first, title hits, ts_rank_cd (title words count
        // three times in the tokens), helpfulness, recency.
        await tx.query('SET LOCAL max_parallel_workers_per_gather = 0');
        const need = q.offset + q.limit;
        const levels = matchLevels(parsed);
        // Each statement gets exactly the parameters it uses (PostgreSQL refuses untyped unused ones).
        const base = params.length;
        rows = [];
        // Published articles first (all levels), then — for staff — drafts and archived ones.
        for (const published of [true, false]) {
          for (let k = 0; k < levels.length && rows.length < need; k++) {
            const args = [...params.slice(0, base), levels[k], ...(k > 0 ? [levels[k - 1]] : [])];
            const above = k > 0 ? `AND NOT (a.search_vector @@ to_tsquery('simple', $${base + 2}))` : '';
            const got = await tx.query<Row>(
              `SELECT ${levels.length - k} + 2 * ${titleHits} + ts_rank_cd(a.search_vector, to_tsquery('simple', ${any}), 32) AS score,
                      a.id, a.title, a.summary, a.body, a.cause_codes, a.status, a.version, a.updated_at, a.helpful
                 FROM kb_articles a
                WHERE ${where.join(' AND ')} AND (a.status = 'published') = ${published} AND a.search_vector @@ to_tsquery('simple', $${base + 1}) ${above}
                ORDER BY score DESC, a.helpful DESC, a.updated_at DESC
                LIMIT ${need - rows.length}`,
              args,
            );
            rows.push(...got);
          }
        }
        rows = rows.slice(q.offset);
        // Counting every hit of a common word costs more than the search: counted up to 1,000.
        const [n] = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM kb_articles a WHERE ${where.join(' AND ')} AND a.search_vector @@ to_tsquery('simple', ${any}) LIMIT ${KB_COUNT_CAP + 1}) c`,
          params.slice(0, anyAt),
        );
        counted = Number(n?.n ?? 0);
      } else {
        rows = await tx.query<Row>(
          `SELECT 0 AS score, count(*) OVER () AS total, a.id, a.title, a.summary, NULL AS body, a.cause_codes, a.status, a.version, a.updated_at, a.helpful
             FROM kb_articles a WHERE ${where.join(' AND ')}
            ORDER BY (a.status = 'published') DESC, a.updated_at DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
          params,
        );
      }
      let total = counted === null ? Number(rows[0]?.total ?? 0) : Math.min(counted, KB_COUNT_CAP);
      if (counted === null && !rows.length && q.offset > 0) {
        const [n] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_articles a WHERE ${where.join(' AND ')}`, params);
        total = Number(n?.n ?? 0);
      }
      const terms = parsed?.terms ?? [];
      return {
        items: rows.map((r) => {
          const summary = pick(r.summary, L);
          const item = {
            id: r.id as string,
            title: pick(r.title, L),
            summary,
            causeCodes: (r.cause_codes as string[]) ?? [],
            status: r.status as KbStatus,
            score: Math.round(Number(r.score) * 10_000) / 10_000,
            version: Number(r.version),
            updatedAt: iso(r.updated_at)!,
            helpful: Number(r.helpful),
          };
          if (!parsed) return item;
          const body = pick(r.body, L);
          const has = (x: string) => terms.some((t) => x.toLowerCase().includes(t));
          // Around the words found: in the summary, else in the body; the summary when neither holds them.
          return { ...item, snippet: snippetOf(has(summary) || !has(body) ? summary : body, terms) };
        }),
        total,
        ...(counted !== null && counted > KB_COUNT_CAP ? { totalCapped: true } : {}),
        terms,
      };
    });
  }

  /** Published articles for a diagnosis' causes: those of the first (most likely) cause first, then the most helpful. */
  async forCauses(actor: Actor, codesText: string, limit: number, lang: Language): Promise<KbForCausesResult> {
    assertCan(actor, 'kb:read');
    const codes = dedupe(codesText.split(',')).slice(0, 20);
    if (!codes.length) return { items: [] };
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT a.id, a.title, a.summary, a.cause_codes, a.status, a.version, a.updated_at, a.helpful,
                (SELECT min(array_position($2::text[], c)) FROM unnest(a.cause_codes) c) AS best
           FROM kb_articles a
          WHERE a.org_id = $1 AND a.status = 'published' AND a.cause_codes && $2::text[]
          ORDER BY best, a.helpful - a.not_helpful DESC, a.updated_at DESC
          LIMIT ${limit}`,
        [actor.orgId, codes],
      ),
    );
    return {
      items: rows.map((r) => {
        const mine = (r.cause_codes as string[]) ?? [];
        return {
          id: r.id as string,
          title: pick(r.title, lang),
          summary: pick(r.summary, lang),
          causeCodes: mine,
          status: r.status as KbStatus,
          score: 1 / Number(r.best ?? 1),
          version: Number(r.version),
          updatedAt: iso(r.updated_at)!,
          helpful: Number(r.helpful),
          matched: codes.filter((c) => mine.includes(c)),
        };
      }),
    };
  }

  /** The fault taxonomy for the cause picker and filter, with how many published articles each cause has. */
  async causes(actor: Actor, lang: Language): Promise<{ items: KbCauseOption[] }> {
    assertCan(actor, 'kb:read');
    const counts = await this.ctx.db.rawTransaction((tx) =>
      tx.query<{ code: string; n: number }>(
        `SELECT c AS code, count(*)::int AS n FROM kb_articles a, unnest(a.cause_codes) c WHERE a.org_id = $1 AND a.status = 'published' GROUP BY c`,
        [actor.orgId],
      ),
    );
    const byCode = new Map(counts.map((c) => [c.code, Number(c.n)]));
    return { items: FAULT_CAUSES.map((c) => ({ code: c.code, category: c.category, title: causeName(c.code, lang), articles: byCode.get(c.code) ?? 0 })) };
  }

  /** One article (merchants: published ones only); with `version`, that version as it was saved (staff who edit). */
  async get(actor: Actor, id: string, lang: Language, opts: { version?: number | undefined; view?: boolean } = {}): Promise<KbArticle> {
    assertCan(actor, 'kb:read');
    if (opts.version !== undefined) assertCan(actor, 'kb:write');
    const row = await this.row(actor, id);
    if (opts.view && row.status === 'published') {
      await this.ctx.db.rawTransaction((tx) => tx.query('UPDATE kb_articles SET views = views + 1 WHERE id = $1', [id]));
      row.views = Number(row.views) + 1;
    }
    const article = await this.present(actor, row, lang);
    if (opts.version === undefined || opts.version === article.version) return article;
    const v = await this.version(actor.orgId, id, opts.version);
    return { ...article, ...contentOf(v.snapshot), version: opts.version, status: v.snapshot.status as KbStatus, causes: ((v.snapshot.causeCodes as string[]) ?? []).map((c) => ({ code: c, title: causeName(c, lang) })), updatedAt: iso(v.at)!, updatedBy: (v.author as string | null) ?? null };
  }

  /** A new article, as a draft (version 1). */
  async create(actor: Actor, body: KbArticleWrite, lang: Language): Promise<KbArticle> {
    assertCan(actor, 'kb:write');
    const content = this.check(body);
    const now = this.ctx.clock.now();
    const id = await this.ctx.db.rawTransaction((tx) => insertArticle(tx, actor, content, { status: 'draft', action: 'created', note: body.note ?? null, at: now }));
    return this.get(actor, id, lang);
  }

  /** Saves an edit as a new version; an edit made from an older version than the current one is refused. */
  async update(actor: Actor, id: string, body: KbArticleUpdate, lang: Language): Promise<KbArticle> {
    assertCan(actor, 'kb:write');
    const content = this.check(body);
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const row = await this.lock(tx, actor, id);
      const current = Number(row.version);
      if (body.baseVersion !== current) throw new AppError('kb.version_conflict', 409, { base: body.baseVersion, current, author: row.updated_by ?? '' });
      if (row.status === 'published') this.assertComplete(content);
      await checkImages(tx, actor.orgId, content.steps, id);
      const version = current + 1;
      await tx.query(
        `UPDATE kb_articles SET version = $2, cause_codes = $3, title = $4, summary = $5, body = $6, steps = $7, tags = $8, search_tokens = $9, updated_by = $10, updated_at = $11 WHERE id = $1`,
        [id, version, content.causeCodes, JSON.stringify(content.title), JSON.stringify(content.summary), JSON.stringify(content.body), JSON.stringify(content.steps), content.tags, articleSearchTokens(content), actor.name, now],
      );
      await linkImages(tx, actor.orgId, id, content.steps);
      await writeVersion(tx, actor, id, version, { ...content, status: row.status as KbStatus, action: 'edited' }, body.note ?? null, now);
      await audit(tx, actor, 'kb.article.update', id, { version, note: body.note ?? null }, now);
    });
    return this.get(actor, id, lang);
  }

  /** Publish (needs title and summary in both languages), archive, or take back to draft; a new version records it. */
  async setStatus(actor: Actor, id: string, status: KbStatus, note: string | undefined, lang: Language): Promise<KbArticle> {
    assertCan(actor, 'kb:write');
    refuseCardData({ note });
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const row = await this.lock(tx, actor, id);
      if (row.status === status) return;
      const content = contentOf(row);
      if (status === 'published') this.assertComplete(content);
      const version = Number(row.version) + 1;
      const action: Action = status === 'published' ? 'published' : status === 'archived' ? 'archived' : 'unpublished';
      await tx.query(`UPDATE kb_articles SET status = $2, version = $3, updated_by = $4, updated_at = $5${status === 'published' ? ', published_at = $5' : ''} WHERE id = $1`, [
        id, status, version, actor.name, now,
      ]);
      await writeVersion(tx, actor, id, version, { ...content, status, action }, note ?? null, now);
      await audit(tx, actor, `kb.article.${action}`, id, { version, from: row.status, to: status }, now);
    });
    return this.get(actor, id, lang);
  }

  async versions(actor: Actor, id: string): Promise<{ items: KbVersionRow[] }> {
    assertCan(actor, 'kb:write');
    await this.row(actor, id);
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT version, note, author, at, snapshot->'title' AS title, snapshot->>'status' AS status, snapshot->>'action' AS action, snapshot->>'restoredFrom' AS restored_from
           FROM kb_article_versions WHERE article_id = $1 AND org_id = $2 ORDER BY version DESC`,
        [id, actor.orgId],
      ),
    );
    return {
      items: rows.map((r) => ({
        version: Number(r.version),
        action: (r.action as Action) ?? 'edited',
        status: (r.status as KbStatus) ?? 'draft',
        note: (r.note as string | null) ?? null,
        author: (r.author as string | null) ?? null,
        at: iso(r.at)!,
        restoredFrom: r.restored_from ? Number(r.restored_from) : null,
        title: text(r.title),
      })),
    };
  }

  /** One version in full. */
  async versionDetail(actor: Actor, id: string, version: number): Promise<KbVersion> {
    assertCan(actor, 'kb:write');
    await this.row(actor, id);
    const v = await this.version(actor.orgId, id, version);
    const s = v.snapshot;
    return {
      version,
      action: (s.action as Action) ?? 'edited',
      status: (s.status as KbStatus) ?? 'draft',
      note: (v.note as string | null) ?? null,
      author: (v.author as string | null) ?? null,
      at: iso(v.at)!,
      restoredFrom: typeof s.restoredFrom === 'number' ? s.restoredFrom : null,
      ...contentOf(s),
    };
  }

  /** Brings an older version's content back as a new version (the status stays as it is). */
  async restore(actor: Actor, id: string, from: number, note: string | undefined, lang: Language): Promise<KbArticle> {
    assertCan(actor, 'kb:write');
    refuseCardData({ note });
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const row = await this.lock(tx, actor, id);
      const [old] = await tx.query<Row>('SELECT snapshot FROM kb_article_versions WHERE article_id = $1 AND org_id = $2 AND version = $3', [id, actor.orgId, from]);
      if (!old) throw new AppError('kb.version_not_found', 404, { version: from });
      const content = contentOf(old.snapshot as Row);
      const version = Number(row.version) + 1;
      await tx.query(
        `UPDATE kb_articles SET version = $2, cause_codes = $3, title = $4, summary = $5, body = $6, steps = $7, tags = $8, search_tokens = $9, updated_by = $10, updated_at = $11 WHERE id = $1`,
        [id, version, content.causeCodes, JSON.stringify(content.title), JSON.stringify(content.summary), JSON.stringify(content.body), JSON.stringify(content.steps), content.tags, articleSearchTokens(content), actor.name, now],
      );
      await writeVersion(tx, actor, id, version, { ...content, status: row.status as KbStatus, action: 'restored', restoredFrom: from }, note ?? null, now);
      await audit(tx, actor, 'kb.article.restore', id, { version, restoredFrom: from }, now);
    });
    return this.get(actor, id, lang);
  }

  /** "Was this helpful": one answer per person (a new answer replaces theirs); the counts follow. */
  async feedback(actor: Actor, id: string, helpful: boolean, lang: Language): Promise<KbArticle> {
    assertCan(actor, 'kb:read');
    const row = await this.row(actor, id);
    if (row.status !== 'published') throw new AppError('kb.feedback_published_only', 409);
    await this.ctx.db.rawTransaction(async (tx) => {
      await tx.query(
        `INSERT INTO kb_feedback (article_id, user_id, org_id, helpful, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (article_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful, at = EXCLUDED.at`,
        [id, actor.userId, actor.orgId, helpful, this.ctx.clock.now()],
      );
      await tx.query(
        `UPDATE kb_articles SET helpful = (SELECT count(*) FROM kb_feedback WHERE article_id = $1 AND helpful),
                                not_helpful = (SELECT count(*) FROM kb_feedback WHERE article_id = $1 AND NOT helpful) WHERE id = $1`,
        [id],
      );
      await audit(tx, actor, 'kb.article.feedback', id, { helpful }, this.ctx.clock.now());
    });
    return this.get(actor, id, lang);
  }

  /** Stores a picture (PNG, JPEG or WebP, recognised by its bytes, not by the name the browser gave). */
  async uploadImage(actor: Actor, bytes: Buffer, articleId: string | undefined): Promise<KbImage> {
    assertCan(actor, 'kb:write');
    if (bytes.length > KB_IMAGE_MAX_BYTES) throw new AppError('kb.image_too_large', 413, { max: KB_IMAGE_MAX_BYTES / 1024 / 1024 });
    const contentType = imageType(bytes);
    if (!contentType) throw new AppError('kb.image_type', 415);
    if (articleId) await this.row(actor, articleId);
    const [row] = await this.ctx.db.rawTransaction(async (tx) => {
      const now = this.ctx.clock.now();
      const rows = await tx.query<{ id: string }>('INSERT INTO kb_images (org_id, article_id, content_type, bytes, data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [
        actor.orgId, articleId ?? null, contentType, bytes.length, bytes, now,
      ]);
      await recordAuditTx(tx, actor, actor.orgId, { action: 'kb.image.upload', entity: 'kb_image', entityId: rows[0]!.id, after: { articleId: articleId ?? null, contentType, bytes: bytes.length } }, now);
      return rows;
    });
    return { id: row!.id, contentType, bytes: bytes.length, url: `/api/v1/kb/images/${row!.id}` };
  }

  /** A picture, for signed-in users of its organization; merchants only those of published articles. */
  async image(actor: Actor, id: string): Promise<{ contentType: string; data: Buffer }> {
    assertCan(actor, 'kb:read');
    const [row] = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT i.content_type, i.data, a.status FROM kb_images i LEFT JOIN kb_articles a ON a.id = i.article_id WHERE i.id = $1 AND i.org_id = $2`,
        [id, actor.orgId],
      ),
    );
    if (!row || (!can(actor, 'kb:write') && row.status !== 'published')) throw new AppError('kb.image_not_found', 404);
    const d = row.data as Uint8Array;
    return { contentType: row.content_type as string, data: Buffer.from(d.buffer, d.byteOffset, d.byteLength) };
  }

  /**
   * A DRAFT article pre-filled from a resolved or closed ticket, for a person to review and publish; the
   * ticket records it. A second call for the same ticket returns the article made the first time.
   */
  async caseStudy(actor: Actor, ticketId: string, lang: Language): Promise<{ article: KbArticle; existing: boolean }> {
    assertCan(actor, 'kb:write');
    assertCan(actor, 'tickets:read');
    const now = this.ctx.clock.now();
    const made = await this.ctx.db.rawTransaction(async (tx) => {
      // Locking the ticket makes two clicks at once find one article.
      const [t] = await tx.query<Row>(
        `SELECT t.*, term.vendor, term.model FROM tickets t LEFT JOIN terminals term ON term.id = t.terminal_id WHERE t.id = $1 AND t.org_id = $2 FOR UPDATE OF t`,
        [ticketId, actor.orgId],
      );
      if (!t) throw new AppError('kb.ticket_not_found', 404);
      const [existing] = await tx.query<{ id: string }>('SELECT id FROM kb_articles WHERE org_id = $1 AND source_ticket_id = $2', [actor.orgId, ticketId]);
      if (existing) return { id: existing.id, existing: true };
      if (t.status !== 'resolved' && t.status !== 'closed') throw new AppError('kb.ticket_not_resolved', 409, { status: t.status });
      const all = await tx.query<Row>('SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY at, id', [ticketId]);
      // Only the public timeline; of the internal notes, just the reason given for resolving over the terminal's signals.
      const resolvedIndex = all.map((e) => e.type === 'status' && e.to_value === 'resolved').lastIndexOf(true);
      // tickets/service.ts writes that reason right after the status change, in the same transaction.
      const next = resolvedIndex >= 0 ? all[resolvedIndex + 1] : undefined;
      const overrideNote = next?.type === 'note' && next.internal && String(next.at) === String(all[resolvedIndex]!.at) ? next : undefined;
      const content = caseStudyContent(t, all.filter((e) => !e.internal), (overrideNote?.body as string | undefined) ?? null);
      const id = await insertArticle(tx, actor, content, { status: 'draft', action: 'case_study', note: t.number as string, at: now, sourceTicketId: ticketId });
      await ticketEvent(tx, ticketId, actor, now, 'case_study', { to: id, body: content.title[lang], internal: true });
      return { id, existing: false };
    });
    return { article: await this.get(actor, made.id, lang), existing: made.existing };
  }

  /** Loads the starter articles into the caller's organization (admins); articles already loaded are left as they are. */
  async importStarter(actor: Actor): Promise<{ created: number; existing: number }> {
    assertCan(actor, 'kb:write');
    if (actor.role !== 'admin') throw errors.forbidden();
    return loadStarterArticles(this.ctx.db, actor.orgId, this.ctx.clock.now(), actor);
  }

  private statusFilter(actor: Actor, status: KbSearchQuery['status'], p: (v: unknown) => string): string {
    // Merchants (no kb:write) read published articles only, whatever they ask for.
    if (!can(actor, 'kb:write')) return `a.status = 'published'`;
    if (status === 'all') return 'TRUE';
    if (status) return `a.status = ${p(status)}`;
    return `a.status = ANY(${p(SHOWN)}::text[])`;
  }

  /** The article row as the actor may see it; anything else (another organization, a merchant and a draft) is "not found". */
  private async row(actor: Actor, id: string): Promise<Row> {
    const [row] = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT a.*, t.number AS source_ticket_number FROM kb_articles a LEFT JOIN tickets t ON t.id = a.source_ticket_id WHERE a.id = $1 AND a.org_id = $2`,
        [id, actor.orgId],
      ),
    );
    if (!row || (!can(actor, 'kb:write') && row.status !== 'published')) throw new AppError('kb.article_not_found', 404);
    return row;
  }

  private async lock(tx: RawTx, actor: Actor, id: string): Promise<Row> {
    const [row] = await tx.query<Row>('SELECT * FROM kb_articles WHERE id = $1 AND org_id = $2 FOR UPDATE', [id, actor.orgId]);
    if (!row) throw new AppError('kb.article_not_found', 404);
    return row;
  }

  private async version(orgId: string, id: string, version: number): Promise<{ snapshot: Row; note: unknown; author: unknown; at: unknown }> {
    const [v] = await this.ctx.db.rawTransaction((tx) =>
      tx.query<{ snapshot: Row; note: unknown; author: unknown; at: unknown }>('SELECT snapshot, note, author, at FROM kb_article_versions WHERE article_id = $1 AND org_id = $2 AND version = $3', [
        id, orgId, version,
      ]),
    );
    if (!v) throw new AppError('kb.version_not_found', 404, { version });
    return v;
  }

  private async present(actor: Actor, r: Row, lang: Language): Promise<KbArticle> {
    const [mine] = await this.ctx.db.rawTransaction((tx) => tx.query<{ helpful: boolean }>('SELECT helpful FROM kb_feedback WHERE article_id = $1 AND user_id = $2', [r.id, actor.userId]));
    const content = contentOf(r);
    return {
      id: r.id as string,
      status: r.status as KbStatus,
      version: Number(r.version),
      ...content,
      causes: content.causeCodes.map((c) => ({ code: c, title: causeName(c, lang) })),
      sourceTicketId: (r.source_ticket_id as string | null) ?? null,
      sourceTicketNumber: can(actor, 'tickets:work') ? ((r.source_ticket_number as string | null) ?? null) : null,
      views: Number(r.views),
      helpful: Number(r.helpful),
      notHelpful: Number(r.not_helpful),
      myFeedback: mine ? !!mine.helpful : null,
      createdBy: (r.created_by as string | null) ?? null,
      updatedBy: (r.updated_by as string | null) ?? null,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      publishedAt: iso(r.published_at),
    };
  }

  /** Checks what an editor sent: a title, known cause codes, no card data; returns it cleaned. */
  private check(body: KbArticleWrite): Content {
    const problems: FieldProblem[] = [];
    if (!body.title['zh-CN'] && !body.title['en-US']) problems.push({ path: 'body.title', id: 'kb.title_required' });
    const causeCodes = dedupe(body.causeCodes);
    causeCodes.forEach((c, i) => {
      if (!isCauseCode(c)) problems.push({ path: `body.causeCodes.${i}`, id: 'kb.unknown_cause', params: { code: c } });
    });
    const fields: Record<string, unknown> = { note: body.note };
    for (const l of LANGS) {
      fields[`title.${l}`] = body.title[l];
      fields[`summary.${l}`] = body.summary[l];
      fields[`body.${l}`] = body.body[l];
      body.steps.forEach((s, i) => (fields[`steps.${i}.text.${l}`] = s.text[l]));
    }
    for (const [k, v] of Object.entries(fields)) if (containsCardData(v)) problems.push({ path: `body.${k}`, id: 'kb.card_data' });
    if (problems.length) throw errors.validation(problems);
    return {
      title: text(body.title),
      summary: text(body.summary),
      body: text(body.body),
      steps: body.steps.filter((s) => s.text['zh-CN'] || s.text['en-US'] || s.imageId).map((s) => ({ text: text(s.text), ...(s.imageId ? { imageId: s.imageId } : {}) })),
      causeCodes,
      tags: dedupe(body.tags.map((t) => t.toLowerCase())),
    };
  }

  /** Published articles are read in both languages: each needs its title and summary in zh-CN and en-US. */
  private assertComplete(c: Content): void {
    const problems: FieldProblem[] = [];
    for (const f of ['title', 'summary'] as const) for (const l of LANGS) if (!c[f][l]) problems.push({ path: `body.${f}.${l}`, id: l === 'zh-CN' ? 'kb.missing_zh' : 'kb.missing_en' });
    if (problems.length) throw new AppError('kb.publish_incomplete', 400, {}, problems);
  }
}

/** Pictures named by steps must be this organization's (and not another article's). */
export async function checkImages(tx: RawTx, orgId: string, steps: KbStep[], articleId: string | null): Promise<void> {
  const ids = dedupe(steps.map((s) => s.imageId ?? '').filter(Boolean));
  if (!ids.length) return;
  const found = await tx.query<{ id: string }>('SELECT id FROM kb_images WHERE org_id = $1 AND id = ANY($2::uuid[]) AND (article_id IS NULL OR article_id = $3)', [orgId, ids, articleId]);
  const ok = new Set(found.map((f) => f.id));
  const problems = steps.flatMap((s, i) => (s.imageId && !ok.has(s.imageId) ? [{ path: `body.steps.${i}.imageId`, id: 'kb.image_unknown' as const }] : []));
  if (problems.length) throw errors.validation(problems);
}

export async function linkImages(tx: RawTx, orgId: string, articleId: string, steps: KbStep[]): Promise<void> {
  const ids = dedupe(steps.map((s) => s.imageId ?? '').filter(Boolean));
  if (ids.length) await tx.query('UPDATE kb_images SET article_id = $3 WHERE org_id = $1 AND id = ANY($2::uuid[]) AND article_id IS NULL', [orgId, ids, articleId]);
}

/** Writes a new article (version 1) with its first version, links its pictures and records it in the audit log. */
export async function insertArticle(
  tx: RawTx,
  actor: Actor,
  content: Content,
  o: { status: KbStatus; action: Action; note: string | null; at: Date; sourceTicketId?: string; starterKey?: string },
): Promise<string> {
  await checkImages(tx, actor.orgId, content.steps, null);
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO kb_articles (org_id, status, version, cause_codes, title, summary, body, steps, tags, source_ticket_id, starter_key, search_tokens, created_by, updated_by, created_at, updated_at, published_at)
     VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $13, $14) RETURNING id`,
    [
      actor.orgId, o.status, content.causeCodes, JSON.stringify(content.title), JSON.stringify(content.summary), JSON.stringify(content.body), JSON.stringify(content.steps), content.tags, o.sourceTicketId ?? null,
      o.starterKey ?? null, articleSearchTokens(content), actor.name, o.at, o.status === 'published' ? o.at : null,
    ],
  );
  await linkImages(tx, actor.orgId, row!.id, content.steps);
  await writeVersion(tx, actor, row!.id, 1, { ...content, status: o.status, action: o.action }, o.note, o.at);
  await audit(tx, actor, `kb.article.${o.action === 'created' ? 'create' : o.action}`, row!.id, { version: 1, title: content.title }, o.at);
  return row!.id;
}

export function contentOf(r: Row): Content {
  const steps = (typeof r.steps === 'string' ? JSON.parse(r.steps) : (r.steps ?? [])) as KbStep[];
  return {
    title: text(r.title),
    summary: text(r.summary),
    body: text(r.body),
    steps: steps.map((s) => ({ text: text(s.text), ...(s.imageId ? { imageId: s.imageId } : {}) })),
    causeCodes: ((r.cause_codes ?? r.causeCodes) as string[] | undefined) ?? [],
    tags: (r.tags as string[] | undefined) ?? [],
  };
}

export async function writeVersion(
  tx: RawTx,
  actor: Actor,
  articleId: string,
  version: number,
  snapshot: Content & { status: KbStatus; action: Action; restoredFrom?: number },
  note: string | null,
  at: Date,
): Promise<void> {
  await tx.query('INSERT INTO kb_article_versions (article_id, version, org_id, snapshot, note, author, author_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    articleId, version, actor.orgId, JSON.stringify(snapshot), note, actor.name, authorId(actor), at,
  ]);
}

export async function audit(tx: RawTx, actor: Actor, action: string, entityId: string, after: unknown, at: Date): Promise<void> {
  // Articles belong to the actor's organization (every query here is scoped to it).
  await recordAuditTx(tx, actor, actor.orgId, { action, entity: 'kb_article', entityId, after }, at);
}

function refuseCardData(fields: Record<string, unknown>): void {
  const bad = Object.entries(fields).filter(([, v]) => containsCardData(v));
  if (bad.length) throw errors.validation(bad.map(([k]) => ({ path: `body.${k}`, id: 'kb.card_data' as const })));
}

/** PNG, JPEG or WebP by their first bytes; anything else is refused. */
export function imageType(b: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

