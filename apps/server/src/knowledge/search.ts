/**
 * Knowledge-base search words. PostgreSQL's 'simple' configuration only splits on spaces and
 * punctuation, so Chinese must arrive already cut into words: jieba (`segment` from @poscare/diagnosis,
 * with our domain words such as 挥卡 kept whole) turns both languages of an article into one
 * space-separated string stored in kb_articles.search_tokens (GIN index on its tsvector). Queries are
 * cut the same way, so "打印机卡纸" and an article saying "打印机卡纸了" meet on the same words.
 *
 * Ranking: title words are written three times, so ts_rank_cd puts a title hit above a body hit;
 * an article holding every word of the query gets a bonus over one holding some of them.
 */
import { causeTitle, isCauseCode } from '@poscare/codes';
import { segment } from '@poscare/diagnosis';

const HAN = /[\u4e00-\u9fff]/;
const HAN_ONLY = /^[\u4e00-\u9fff]+$/;

/** Words too common to tell articles apart (both languages). */
const STOP = new Set([
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'to', 'of', 'and', 'or', 'in', 'on', 'at', 'for', 'with', 'by', 'from',
  'it', 'its', 'this', 'that', 'these', 'those', 'i', 'you', 'he', 'she', 'we', 'they', 'my', 'your', 'our', 'their', 'me', 'not', 'no', 'do',
  'does', 'did', 'can', 'cannot', 'can\'t', 'don\'t', 'doesn\'t', 'won\'t', 'will', 'would', 'should', 'could', 'if', 'then', 'than', 'so', 'as',
  'but', 'into', 'up', 'when', 'where', 'which', 'who', 'what', 'how', 'why', 'all', 'any', 'each', 'some', 'such', 'only', 'too', 'very', 'just',
  'also', 'there', 'here', 'please', 'has', 'have', 'had', 'get', 'got',
  '的', '了', '是', '在', '和', '与', '或', '也', '就', '都', '及', '着', '把', '被', '让', '给', '吗', '呢', '吧', '啊', '请', '会', '要', '我', '你',
  '他', '她', '它', '我们', '这', '那', '这个', '那个', '一个', '一下', '没', '不', '没有', '怎么', '怎么办', '为什么', '时候', '如果', '可以', '还是', '已经',
]);

/** A light English stemmer: enough that "reads", "reading" and "read", or "declined" and "decline", meet. */
export function stemEn(word: string): string {
  let w = word.replace(/'s$/, '').replace(/'/g, '');
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  // jammed → jamm → jam; but keep "ll"/"ss" words (roll, pass).
  if (/([b-df-hj-km-np-rtv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w) && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** The search words of one word jieba or the English split gave: normalised, stemmed; long Chinese words also as pairs. */
function expand(raw: string, out: string[], primary?: string[]): void {
  const w = raw.trim().toLowerCase();
  if (!w || STOP.has(w)) return;
  if (HAN.test(w)) {
    // Only the Chinese characters (jieba may hand back "4g网络" or punctuation).
    for (const part of w.split(/[^\u4e00-\u9fffa-z0-9]+/).filter(Boolean)) {
      if (STOP.has(part)) continue;
      out.push(part);
      primary?.push(part);
      // Two-character pieces of longer words: "读卡器" is also found by "读卡", "非接触" by "接触".
      if (HAN_ONLY.test(part) && part.length >= 3) for (let i = 0; i + 2 <= part.length; i++) out.push(part.slice(i, i + 2));
    }
    return;
  }
  // Cause codes stay whole (hw.reader.chip), everything else is split into plain words.
  if (/^[a-z]+(\.[a-z0-9_]+)+$/.test(w)) {
    out.push(w);
    return;
  }
  const parts = w.split(/[^a-z0-9]+/).filter(Boolean);
  // "Wi-Fi" is also "wifi"; "e-mail" also "email".
  if (parts.length > 1 && w.includes('-')) {
    const joined = parts.join('');
    out.push(joined);
    primary?.push(joined);
  }
  for (const p of parts) {
    if (STOP.has(p)) continue;
    const s = stemEn(p);
    if (!s) continue;
    out.push(s);
    if (!(parts.length > 1 && w.includes('-'))) primary?.push(s);
  }
}

/** Chinese and non-Chinese stretches of a text: jieba cuts the first, the English split (which keeps "Wi-Fi" whole) the second. */
function runs(text: string): string[] {
  return text.match(/[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+/g)?.filter((r) => r.trim()) ?? [];
}

/** Search words of a text in either language. */
export function searchWords(text: string): string[] {
  if (!text || !text.trim()) return [];
  const out: string[] = [];
  // segment() cuts a text as Chinese when it holds any Chinese character; mixed lines are cut per line.
  for (const run of runs(text)) for (const w of segment(run)) expand(w, out);
  return out;
}

type Localised = Partial<Record<'zh-CN' | 'en-US', string>>;

export interface SearchableArticle {
  title: Localised;
  summary: Localised;
  body: Localised;
  steps?: { text: Localised }[];
  causeCodes?: readonly string[];
  tags?: readonly string[];
}

const both = (t: Localised | undefined) => [t?.['zh-CN'] ?? '', t?.['en-US'] ?? ''];

/**
 * The words stored in kb_articles.search_tokens: title (three times, so a title hit outranks a body
 * hit), cause codes and their names in both languages, tags, summary, steps and body, both languages.
 * Pure: the benchmark seeds its articles with it.
 */
export function articleSearchTokens(a: SearchableArticle): string {
  const title = both(a.title).flatMap(searchWords);
  const causes: string[] = [];
  for (const code of a.causeCodes ?? []) {
    causes.push(code.toLowerCase());
    if (isCauseCode(code)) causes.push(...searchWords(causeTitle(code, 'zh-CN')), ...searchWords(causeTitle(code, 'en-US')));
  }
  const rest = [
    ...(a.tags ?? []).flatMap(searchWords),
    ...both(a.summary).flatMap(searchWords),
    ...(a.steps ?? []).flatMap((s) => both(s.text).flatMap(searchWords)),
    ...both(a.body).flatMap(searchWords),
  ];
  return [...title, ...title, ...title, ...causes, ...rest].join(' ');
}

export interface ParsedQuery {
  /** Words the person typed (after cutting and stemming), for the "all words" bonus and highlighting. */
  terms: string[];
  /** tsquery text: any word (including the two-character pieces). */
  any: string;
  /** tsquery text: every typed word. */
  all: string;
}

/** Cuts a query the way articles are cut and builds the two tsquery texts (words are [a-z0-9.] or Chinese only). */
export function parseQuery(q: string): ParsedQuery | null {
  const out: string[] = [];
  const primary: string[] = [];
  for (const run of runs(q.slice(0, 200))) for (const w of segment(run)) expand(w, out, primary);
  const safe = (w: string) => /^[a-z0-9.\u4e00-\u9fff]+$/.test(w) && !/^\.|\.$/.test(w);
  const anyWords = [...new Set(out.filter(safe))].slice(0, 32);
  const terms = [...new Set(primary.filter(safe))].slice(0, 16);
  if (!anyWords.length) return null;
  const lit = (w: string) => `'${w}'`;
  return { terms, any: anyWords.map(lit).join(' | '), all: (terms.length ? terms : anyWords).map(lit).join(' & ') };
}

/** A piece of text around the first place one of the words occurs (the summary's start when none does). */
export function snippetOf(text: string, terms: readonly string[], width = 110): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '';
  const lower = flat.toLowerCase();
  let at = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return flat.length > width ? `${flat.slice(0, width)}…` : flat;
  const start = Math.max(0, at - Math.floor(width / 3));
  const end = Math.min(flat.length, start + width);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
