/**
 * Similar past cases while locating: resolved tickets of the organization ranked by the same cause,
 * the words of the report (jieba-segmented full text), the same terminal model and the same app version.
 * Two bounded candidate sets (latest 200 of the cause, 200 best text matches) keep it fast at a million tickets.
 */
import { asOpened } from './asOpened.js';
import type { SimilarTicket } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';

type Row = Record<string, unknown>;

/** The ticket's own words as an OR query for to_tsquery ('simple' dictionary: tokens as they are stored). */
export function similarityQuery(searchTokens: string | null, causeCode: string | null): string | null {
  const words = (searchTokens ?? '')
    .split(' ')
    .filter((w) => w && w !== causeCode && /^[\p{L}\p{N}]+$/u.test(w) && w.length < 40)
    .map((w) => w.toLowerCase());
  const unique = [...new Set(words)].slice(0, 30);
  return unique.length ? unique.map((w) => `'${w}'`).join(' | ') : null;
}

const asOpenedSql = asOpened('t', 'term');

export async function similarTickets(tx: RawTx, ticket: Row, limit = 5): Promise<SimilarTicket[]> {
  const cause = (ticket.cause_code as string | null) ?? null;
  const query = similarityQuery(ticket.search_tokens as string | null, cause);
  // Tickets compare by the terminal as it was when each was opened (kept with the ticket); tickets from
  // before that was kept, by the terminal as it is now.
  const [term] = ticket.terminal_id ? await tx.query<{ model: string; app_version: string | null }>('SELECT model, app_version FROM terminals WHERE id = $1', [ticket.terminal_id]) : [];
  const model = (ticket.terminal_model as string | null) ?? term?.model ?? null;
  const version = (ticket.terminal_app_version as string | null) ?? term?.app_version ?? null;
  const params: unknown[] = [ticket.id, ticket.org_id, cause, query, model, version, limit];
  const textRank = query ? `ts_rank(to_tsvector('simple', coalesce(t.search_tokens, '')), to_tsquery('simple', $4))` : '0';
  const rows = await tx.query<Row>(
    `WITH cand AS (
       (SELECT id FROM tickets WHERE org_id = $2 AND cause_code = $3 AND status IN ('resolved', 'closed') AND id <> $1 ORDER BY resolved_at DESC NULLS LAST LIMIT 200)
       ${query ? `UNION (SELECT id FROM tickets WHERE org_id = $2 AND status IN ('resolved', 'closed') AND id <> $1 AND to_tsvector('simple', coalesce(search_tokens, '')) @@ to_tsquery('simple', $4) LIMIT 200)` : ''}
     ), scored AS (
       SELECT t.id, t.number, t.title, t.cause_code, t.resolved_at, t.plan, t.reopen_count, t.model, t.app_version,
              (t.cause_code IS NOT DISTINCT FROM $3 AND $3 IS NOT NULL) AS same_cause, ${textRank} AS text_rank,
              (t.model = $5) AS same_model, (t.app_version = $6) AS same_version
         FROM (SELECT t.*, ${asOpenedSql.model} AS model, ${asOpenedSql.appVersion} AS app_version
                 FROM cand JOIN tickets t ON t.id = cand.id LEFT JOIN terminals term ON term.id = t.terminal_id) t
     )
     SELECT *, (CASE WHEN same_cause THEN 3 ELSE 0 END) + 10 * text_rank + (CASE WHEN same_model THEN 1 ELSE 0 END) + (CASE WHEN same_version THEN 0.5 ELSE 0 END) AS score
       FROM scored ORDER BY score DESC, resolved_at DESC NULLS LAST LIMIT $7`,
    params,
  );
  return rows.map((r) => {
    const plan = r.plan as { kind?: string; summary?: string } | null;
    const because: SimilarTicket['because'] = [];
    if (r.same_cause) because.push('cause');
    if (Number(r.text_rank) > 0) because.push('words');
    if (r.same_model) because.push('model');
    if (r.same_version) because.push('version');
    return {
      id: r.id as string,
      number: r.number as string,
      title: r.title as string,
      causeCode: (r.cause_code as string | null) ?? null,
      model: (r.model as string | null) ?? null,
      appVersion: (r.app_version as string | null) ?? null,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at as string).toISOString() : null,
      planKind: (plan?.kind as SimilarTicket['planKind']) ?? null,
      planSummary: plan?.summary ?? null,
      reopened: Number(r.reopen_count ?? 0) > 0,
      score: Math.round(Number(r.score) * 100) / 100,
      because,
    };
  });
}
