/**
 * What a person said, turned into symptom concepts: "挥卡没反应" and "tap doesn't work" both give
 * `tap` (failing); "插卡可以正常付款" gives `chip_ok`. Chinese is segmented with jieba (plus our
 * domain words, so 挥卡 stays one word), English matched on word boundaries. The lexicon is data:
 * knowledge/symptoms.json.
 */
import { createRequire } from 'node:module';
import lexicon from '../knowledge/symptoms.json' with { type: 'json' };

interface JiebaLike {
  cut(sentence: string, hmm?: boolean): string[];
}

let jieba: JiebaLike | null = null;
/** jieba loads a 5 MB dictionary: once per process, on first use. */
function segmenter(): JiebaLike {
  if (jieba) return jieba;
  const require = createRequire(import.meta.url);
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike & { loadDict(d: Uint8Array): void } } };
  const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
  const j = Jieba.withDict(dict);
  // A high frequency makes jieba keep our domain words whole.
  j.loadDict(Buffer.from(lexicon.dictionary.map((w) => `${w} 100000 n`).join('\n')));
  jieba = j;
  return j;
}

const HAN = /[\u4e00-\u9fff]/;
const CLAUSE_SPLIT = /[，。,.;；!！?？\n、:：()（）]|\s+but\s+|\s+however\s+|\s+although\s+|\s+though\s+|但是|可是|不过|但|却/i;

interface Term {
  concept: string;
  text: string;
  han: boolean;
  re?: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordRe = (s: string) => new RegExp(`(^|[^a-z0-9])${escape(s.toLowerCase())}($|[^a-z0-9])`);

const TERMS: Term[] = [];
for (const [concept, t] of Object.entries(lexicon.concepts)) {
  for (const text of [...t.zh, ...t.en]) {
    const han = HAN.test(text);
    TERMS.push({ concept, text: text.toLowerCase(), han, ...(han ? {} : { re: wordRe(text) }) });
  }
}
const markers = (list: string[]) => list.map((m) => ({ text: m.toLowerCase(), han: HAN.test(m), re: HAN.test(m) ? undefined : wordRe(m) }));
const FAIL = markers([...lexicon.failMarkers.zh, ...lexicon.failMarkers.en]);
const OK = markers([...lexicon.okMarkers.zh, ...lexicon.okMarkers.en]);
const NEUTRAL = new Set<string>(lexicon.neutral);

/** Does `term` occur in the clause? Single Chinese characters must be a word of their own. */
function occurs(term: { text: string; han: boolean; re?: RegExp | undefined }, clause: string, words: Set<string>): boolean {
  if (term.han) return term.text.length === 1 ? words.has(term.text) : clause.includes(term.text);
  return term.re!.test(clause);
}

export function normalise(text: string): string {
  // NFKC folds full-width letters, digits and punctuation (ＰＯＳ，) to their plain forms.
  return text.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'");
}

/** Words of a text as the engine sees them (jieba for Chinese); exported for search and tests. */
export function segment(text: string): string[] {
  const norm = normalise(text);
  return HAN.test(norm) ? segmenter().cut(norm, true).map((w) => w.trim()).filter(Boolean) : norm.split(/[^a-z0-9'\-]+/).filter(Boolean);
}

/**
 * Concepts mentioned in the text: `<concept>` = 1 when it is described as failing or a problem,
 * `<concept>_ok` = 1 when it is described as working.
 */
export function analyseText(text: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!text.trim()) return out;
  for (const raw of normalise(text).split(CLAUSE_SPLIT)) {
    const clause = raw?.trim();
    if (!clause) continue;
    const words = new Set(HAN.test(clause) ? segmenter().cut(clause, true) : clause.split(/[^a-z0-9'\-]+/));
    const found = new Set<string>();
    for (const t of TERMS) if (!found.has(t.concept) && occurs(t, clause, words)) found.add(t.concept);
    if (!found.size) continue;
    const fails = FAIL.some((m) => occurs(m, clause, words));
    const works = OK.some((m) => occurs(m, clause, words));
    for (const c of found) {
      // Some concepts are facts, not working-or-failing parts ("one customer's card", "at peak").
      if (works && !fails && !NEUTRAL.has(c)) out.set(`${c}_ok`, 1);
      else out.set(c, 1);
    }
  }
  return out;
}
