/**
 * The starter knowledge base: articles for the most common causes of the fault taxonomy, as versioned
 * data (starter/articles.json). Loaded into the demo organization by the demo seed and by an admin
 * through POST /api/v1/kb/starter. Each article carries its key, so loading twice adds nothing and an
 * article someone has since edited or archived is left alone.
 */
import type { KbStep, KbText } from '@poscare/contracts';
import { isCauseCode } from '@poscare/codes';
import { type Actor, systemActor } from '../access/actor.js';
import type { Database } from '../db/client.js';
import starter from './starter/articles.json' with { type: 'json' };
import { insertArticle } from './service.js';

export interface StarterArticle {
  key: string;
  causeCodes: string[];
  tags: string[];
  title: KbText;
  summary: KbText;
  body: KbText;
  steps: KbStep[];
}

export const STARTER_VERSION: number = starter.version;
export const STARTER_ARTICLES = starter.articles as StarterArticle[];

/** Problems of the starter data itself (unknown cause codes, missing translations, duplicate keys); [] when sound. */
export function starterProblems(list: readonly StarterArticle[] = STARTER_ARTICLES): string[] {
  const out: string[] = [];
  const keys = new Set<string>();
  for (const a of list) {
    if (keys.has(a.key)) out.push(`${a.key}: duplicate key`);
    keys.add(a.key);
    for (const c of a.causeCodes) if (!isCauseCode(c)) out.push(`${a.key}: unknown cause ${c}`);
    for (const f of ['title', 'summary', 'body'] as const) for (const l of ['zh-CN', 'en-US'] as const) if (!a[f]?.[l]?.trim()) out.push(`${a.key}: ${f}.${l} is empty`);
    a.steps.forEach((s, i) => {
      for (const l of ['zh-CN', 'en-US'] as const) if (!s.text?.[l]?.trim()) out.push(`${a.key}: steps.${i}.${l} is empty`);
    });
    if (!a.steps.length) out.push(`${a.key}: no steps`);
  }
  return out;
}

export async function loadStarterArticles(db: Database, orgId: string, now: Date, actor: Actor = systemActor(orgId, 'PosCare')): Promise<{ created: number; existing: number }> {
  return db.rawTransaction(async (tx) => {
    const have = new Set(
      (await tx.query<{ starter_key: string }>('SELECT starter_key FROM kb_articles WHERE org_id = $1 AND starter_key IS NOT NULL', [orgId])).map((r) => r.starter_key),
    );
    let created = 0;
    for (const a of STARTER_ARTICLES) {
      if (have.has(a.key)) continue;
      await insertArticle(
        tx,
        { ...actor, orgId },
        { title: a.title, summary: a.summary, body: a.body, steps: a.steps, causeCodes: a.causeCodes, tags: a.tags },
        { status: 'published', action: 'starter', note: `starter v${STARTER_VERSION}`, at: now, starterKey: a.key },
      );
      created++;
    }
    return { created, existing: STARTER_ARTICLES.length - created };
  });
}
