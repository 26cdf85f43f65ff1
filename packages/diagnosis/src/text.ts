/**
 * What a person said, turned into symptom concepts: "挥卡没反应" and "tap doesn't work" both give
 * `tap` (failing); "插卡可以正常付款" gives `chip_ok`. Chinese is segmented with jieba (plus our
 * domain words, so 挥卡 stays one word), English matched on word boundaries. The lexicon is data:
 * knowledge/symptoms.json.
 *
 * How a clause is read (the lexicon's `about` entries and docs/diagnosis.md say the same):
 *  - chat typing is mended first (doesnt → doesn't; a space between Chinese characters ends a clause);
 *  - the text is cut at punctuation and at contrast words (但是, but, …): "打印机还能用，但是挥卡没反应"
 *    is two clauses, one about what works and one about what fails; a part left dangling at the end of
 *    a piece takes what the next piece opens with (可扫码就是扫不上, 我们查了电池，没问题);
 *  - markers are matched longest first and do not overlap, so 没问题 is one working-marker and never
 *    没 + 问题 (two failure markers); 打不开-style complements are failures, "never had any issue" works;
 *  - a concept takes the polarity of the nearest marker after it (in both languages the predicate
 *    follows what it is about: "chip works and tap doesn't"), else of the nearest before it, else it
 *    is a complaint — unless it is the object of another part's predicate ("does not register taps"),
 *    or a bare mention (nothing said of it) while another part plainly fails;
 *  - an exonerating marker before a part (不是, "not the", "nothing wrong with") says that part, and
 *    those listed with it, are not the problem; a workaround marker ("use … instead", 让顾客用) says
 *    the part after it works; an action in a clause that says it was tried (重启了也没用) is neither;
 *  - a change (an update, a new SIM, new settings, a move) tied to a complaint by a temporal cue
 *    (之后, since), a cause named (because, 跟…有关) or a past time (last week, 前几天) — or told with
 *    its object at all — gives `after_change` and `change.<what>`;
 *  - an operator keying an amount wrongly gives `amount`: a keying verb with an amount, a known
 *    phrase (多打了两个零), or two amounts a power of ten apart (58 → 5800) next to a keying verb or a
 *    currency.
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
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byLength = (a: string, b: string) => b.length - a.length;

/** Sentences end at full stops; a change and the trouble after it are read within one sentence. */
const SENTENCE_SPLIT = /[。!！?？;；\n]+|\.(?!\d)/;
const CONTRAST = [...lexicon.contrast.zh, ...lexicon.contrast.en.map((w) => `\\b${escape(w)}\\b`)].sort(byLength);
const CONTRAST_RE = CONTRAST.map((w) => (w.startsWith('\\b') ? w : escape(w))).join('|');
/** Chinese typed in a chat puts a space where a comma would be: between two Chinese characters it ends a clause. */
const HAN_SPACE = '(?<=[\\u4e00-\\u9fff])\\s+(?=[\\u4e00-\\u9fff])';
const PUNCT_SPLIT = new RegExp(`[，,:：()（）"“”]|\\s[-–—]+\\s|[–—]+|${HAN_SPACE}`);
const CONTRAST_ALL = new RegExp(CONTRAST_RE, 'gi');
/** Commas and the like, for reading a change: a change and its object stay in one such piece. */
const COMMA_SPLIT = new RegExp(`[，,、]|${HAN_SPACE}`);

/** One pattern: a lexicon word, matched on jieba words (single Chinese characters) or as a substring (Chinese) or on word boundaries (English). */
interface Pattern {
  text: string;
  han: boolean;
  re?: RegExp;
}
const pattern = (s: string): Pattern => {
  const text = s.toLowerCase();
  const han = HAN.test(text);
  // English and mixed words (sim卡, IC卡) on word boundaries at their Latin ends.
  // "n't" ends a word (don't, shouldn't): it has no boundary of its own before it.
  const start = /^[a-z0-9]/.test(text) && !text.startsWith("n'") ? '(^|[^a-z0-9])' : '()';
  const end = /[a-z0-9]$/.test(text) ? '(?=$|[^a-z0-9])' : '';
  return { text, han: han && !/[a-z0-9]/.test(text), ...(han && !/[a-z0-9]/.test(text) ? {} : { re: new RegExp(`${start}${escape(text)}${end}`, 'g') }) };
};
const patterns = (list: readonly string[]) => [...new Set(list.map((s) => s.toLowerCase()))].sort(byLength).map(pattern);

interface Hit {
  start: number;
  end: number;
}

/** Every place `p` occurs in the clause; a single Chinese character only where it is a word of its own. */
function find(p: Pattern, clause: string, words: WordIndex): Hit[] {
  // Most patterns do not occur at all: a substring test first is far cheaper than a regex or a word scan.
  if (!clause.includes(p.text)) return NONE;
  const out: Hit[] = [];
  if (p.han) {
    if (p.text.length === 1) {
      for (const w of words.list) if (w.word === p.text) out.push({ start: w.start, end: w.start + 1 });
      return out;
    }
    for (let i = clause.indexOf(p.text); i >= 0; i = clause.indexOf(p.text, i + 1)) out.push({ start: i, end: i + p.text.length });
    return out;
  }
  p.re!.lastIndex = 0;
  for (let m = p.re!.exec(clause); m; m = p.re!.exec(clause)) {
    const start = m.index + m[1]!.length;
    out.push({ start, end: start + p.text.length });
    if (p.re!.lastIndex === m.index) p.re!.lastIndex++;
  }
  return out;
}
const occurs = (p: Pattern, clause: string, words: WordIndex) => find(p, clause, words).length > 0;

const NONE: Hit[] = [];

interface WordIndex {
  list: { word: string; start: number }[];
}
/** jieba's words of the strings of the text being read (a clause is cut once, however often it is asked for). */
const cutCache = new Map<string, WordIndex>();
function wordIndex(clause: string): WordIndex {
  if (!HAN.test(clause)) return { list: [] };
  const cached = cutCache.get(clause);
  if (cached) return cached;
  const made = cutWords(clause);
  if (cutCache.size > 256) cutCache.clear();
  cutCache.set(clause, made);
  return made;
}
function cutWords(clause: string): WordIndex {
  const list: WordIndex['list'] = [];
  let at = 0;
  for (const w of segmenter().cut(clause, true)) {
    const i = clause.indexOf(w, at);
    if (i < 0) continue;
    list.push({ word: w, start: i });
    at = i + w.length;
  }
  return { list };
}

interface Term extends Pattern {
  concept: string;
}
const TERMS: Term[] = Object.entries(lexicon.concepts)
  .flatMap(([concept, t]) => [...t.zh, ...t.en].map((text) => ({ concept, ...pattern(text) })))
  .sort((a, b) => b.text.length - a.text.length);

/** ok: it works; fail: it fails; clear: the part after it is not the problem; alt: the part after it is what people use instead. */
type MarkKind = 'ok' | 'fail' | 'clear' | 'alt' | 'except';
const MARKERS: (Pattern & { kind: MarkKind })[] = [
  ...patterns([...lexicon.okMarkers.zh, ...lexicon.okMarkers.en]).map((p) => ({ ...p, kind: 'ok' as const })),
  ...patterns([...lexicon.failMarkers.zh, ...lexicon.failMarkers.en]).map((p) => ({ ...p, kind: 'fail' as const })),
  ...patterns([...lexicon.exonerate.zh, ...lexicon.exonerate.en]).map((p) => ({ ...p, kind: 'clear' as const })),
  ...patterns([...lexicon.workaround.zh, ...lexicon.workaround.en]).map((p) => ({ ...p, kind: 'alt' as const })),
  ...patterns([...lexicon.except.zh, ...lexicon.except.en]).map((p) => ({ ...p, kind: 'except' as const })),
].sort((a, b) => b.text.length - a.text.length);
const NEUTRAL = new Set<string>(lexicon.neutral);
/** The Chinese working-markers, taken out before looking for failure words inside words (没问题 is no failure). */
const OK_ZH_WORDS = new RegExp([...lexicon.okMarkers.zh, ...lexicon.exonerate.zh].sort(byLength).map(escape).join('|'), 'g');
const TRIED = patterns([...lexicon.tried.zh, ...lexicon.tried.en]);
const ACTIONS = new Set<string>(lexicon.tried.actions);
const SELF_COMPLAINTS = new Set<string>(lexicon.selfComplaints.concepts);
const PARTS = new Set<string>(lexicon.parts.concepts);

export function normalise(text: string): string {
  // NFKC folds full-width letters, digits and punctuation (ＰＯＳ，) to their plain forms.
  // Apostrophes dropped as people type in a chat (doesnt, cant, wont) are put back, so "doesnt work" is a complaint.
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\b(do|does|did|is|are|was|were|has|have|had|could|would|should|ca|wo|need|must)nt\b/g, "$1n't");
}

/** Words of a text as the engine sees them (jieba for Chinese); exported for search and tests. */
export function segment(text: string): string[] {
  const norm = normalise(text);
  return HAN.test(norm) ? segmenter().cut(norm, true).map((w) => w.trim()).filter(Boolean) : norm.split(/[^a-z0-9'\-]+/).filter(Boolean);
}

const overlaps = (a: Hit, taken: readonly Hit[]) => taken.some((t) => a.start < t.end && t.start < a.end);

/** Longest-first, non-overlapping hits of the patterns in a clause, in text order. */
function hitsOf<P extends Pattern>(list: readonly P[], clause: string, words: WordIndex): (Hit & { p: P })[] {
  const taken: (Hit & { p: P })[] = [];
  for (const p of list) for (const h of find(p, clause, words)) if (!overlaps(h, taken)) taken.push({ ...h, p });
  return taken.sort((a, b) => a.start - b.start);
}

/**
 * Concepts mentioned in the text: `<concept>` = 1 when it is described as failing or a problem,
 * `<concept>_ok` = 1 when it is described as working; `after_change`, `change.<what>` and `amount`
 * as described above.
 */
export function analyseText(text: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!text.trim()) return out;
  const norm = unCleft(normalise(text));
  let complaint = false;
  const bare = new Set<string>();
  for (const sentence of norm.split(SENTENCE_SPLIT)) {
    if (!sentence.trim()) continue;
    for (const clause of clausesOf(sentence)) if (readClause(clause, out, bare)) complaint = true;
  }
  // Parts named with nothing at all said of them ("现在都靠挥卡收款", "we switched to QR codes") are
  // context when another part is plainly said to fail; when none is, they are what the report is about.
  const plainComplaint = [...out.keys()].some((k) => PARTS.has(k));
  if (!plainComplaint && bare.size) {
    for (const name of bare) if (!out.has(`${name}_ok`)) out.set(name, 1);
    complaint = true;
  }
  for (const sentence of norm.split(SENTENCE_SPLIT)) if (keyedWrongly(sentence)) out.set('amount', 1);
  const change = changeBeforeTrouble(norm, complaint);
  if (change.length) {
    out.set('after_change', 1);
    for (const c of change) out.set(`change.${c}`, 1);
  }
  return out;
}

/**
 * English clefts put the part cleared first and the part at fault last, with the predicate said only
 * once, of the first: "it isn't tap that fails, it's chip", "the network is not what's broken, the
 * printer is". Said the plain way round ("not the tap, the chip fails"; "not the network, the printer
 * is broken") so the clause reading gives the predicate to the part it belongs to.
 */
const NAME = "(?:the\\s+)?([a-z][a-z0-9 -]{0,30}?)";
const PRED = "([a-z][a-z' ]{0,40}?)";
// (Typed as in a chat, without the comma: "its not tap that fails its chip", "…whats broken the printer is".)
const THEN = "(?:\\s*(?:[,;:]|\\s-+)\\s*(?:but\\s+|rather\\s+)?|\\s+(?:but|rather)\\s+|\\s+(?=it'?s\\s|it\\s+is\\s))";
const THEN_LOOSE = `(?:${THEN}|\\s+)`;
const CLEFTS: [RegExp, string][] = [
  // it isn't X that fails, it's Y / this is not X that is broken but Y
  [new RegExp(`\\b(?:it|this|that)(?:'s|s|\\s+is|\\s+was)?\\s*(?:n't|not)\\s+${NAME}\\s+(?:that|which|who)\\s+${PRED}${THEN}(?:it'?s\\s+|it\\s+is\\s+|its\\s+)?${NAME}(?=\\s*(?:$|[.,;!?]))`, 'g'), 'not the $1, the $3 $2'],
  // X is not what's broken, Y is / X isn't the one that fails: Y does
  [new RegExp(`\\b${NAME}\\s+(?:is|are|was|were)\\s*(?:n't|not)\\s+(?:what(?:'?s|\\s+is|\\s+was)?|the\\s+(?:one|thing|part)s?(?:\\s+that)?)\\s+${PRED}${THEN_LOOSE}${NAME}\\s+(?:is|are|was|were|does|do)(?=\\s*(?:$|[.,;!?]))`, 'g'), 'not the $1, the $3 $2'],
];
function unCleft(norm: string): string {
  if (HAN.test(norm)) return norm;
  let out = norm;
  for (const [re, to] of CLEFTS) out = out.replace(re, to);
  return out;
}

/**
 * The clauses of a sentence: cut at punctuation and at contrast words. A part left dangling at the end
 * of a piece (named, with nothing said of it after it) takes what the next piece says, when that piece
 * opens with what is said, before any part it names: "扫码就是扫不上" (就是 after its subject), "我们查了电池续航，没问题",
 * "tap to pay however is hit and miss".
 */
function clausesOf(sentence: string): string[] {
  const pieces: string[] = [];
  for (const piece of sentence.split(PUNCT_SPLIT)) {
    if (!piece?.trim()) continue;
    for (const x of splitAtContrast(piece)) if (x?.trim()) pieces.push(x.trim());
  }
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const cur = pieces[i]!;
    const next = pieces[i + 1];
    const at = next !== undefined && saysOnly(next) ? danglingAt(cur) : -1;
    if (at < 0) {
      out.push(cur);
      continue;
    }
    if (cur.slice(0, at).trim()) out.push(cur.slice(0, at).trim());
    out.push(`${cur.slice(at)} ${next}`);
    i++;
  }
  return out;
}
/**
 * A piece cut at its contrast words. A Chinese contrast word counts only as a word of its own (jieba's
 * words), never inside another word or a potential complement: 刷不过去 is "cannot swipe through", not
 * 刷 + 不过 ("but") + 去; 而 cuts "…，而显示器正常" but not 反而 or 从而.
 */
function splitAtContrast(piece: string): string[] {
  const cuts: Hit[] = [];
  CONTRAST_ALL.lastIndex = 0;
  for (let m = CONTRAST_ALL.exec(piece); m; m = CONTRAST_ALL.exec(piece)) {
    const h = { start: m.index, end: m.index + m[0].length };
    if (HAN.test(m[0]) && !contrastWordAt(piece, h)) continue;
    cuts.push(h);
  }
  if (!cuts.length) return [piece];
  const out: string[] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(piece.slice(at, c.start));
    at = c.end;
  }
  out.push(piece.slice(at));
  return out;
}
/** A Chinese contrast word standing as a word: on jieba's word boundaries and not in a potential complement (刷不过去). */
function contrastWordAt(piece: string, h: Hit): boolean {
  POTENTIAL.lastIndex = 0;
  for (let m = POTENTIAL.exec(piece); m; m = POTENTIAL.exec(piece)) {
    if (m.index < h.end && h.start < m.index + m[0].length + 1) return false;
    POTENTIAL.lastIndex = m.index + 1;
  }
  const words = wordIndex(piece).list;
  const starts = words.some((w) => w.start === h.start);
  const ends = words.some((w) => w.start + w.word.length === h.end) || h.end === piece.length;
  // A contrast word jieba joins to what follows (但是挥卡 as one word is rare; 而显示器 is 而 + 显示器) still cuts at its start.
  return starts && (ends || h.end - h.start > 1);
}

/** Where the last part named in a clause begins, when nothing is said of it after it (else -1). */
function danglingAt(clause: string): number {
  const words = wordIndex(clause);
  const concepts = conceptsOf(clause, words);
  const marks = markersOf(clause, words, concepts);
  const last = concepts.filter((c) => PARTS.has(c.p.concept)).sort((a, b) => b.end - a.end)[0];
  if (!last || marks.some((m) => m.end > last.start)) return -1;
  // A name that says the failure itself (乱跳, 点不动) has its predicate; the object of a change (新装了一台路由器) is named, not spoken of.
  if (ZH_FAILING.test(last.p.text)) return -1;
  if (changeSpans(clause, words).some((sp) => last.start >= sp.start && last.start < sp.end)) return -1;
  // It ends the piece (other names may follow it, 电池续航): words after it may be a predicate the lexicon does not know ("runs out quickly").
  const after = concepts.filter((x) => x.start >= last.end);
  // A name after it that is a complaint in itself (电池电掉得特别快: 电掉得特别快 is battery life) is its predicate.
  // (电池续航 is a name: 续航 holds no marker.)
  if (after.some((x) => SELF_COMPLAINTS.has(x.p.concept) && MARKERS.some((m) => m.kind === 'fail' && x.p.text.includes(m.text)))) return -1;
  let rest = clause.slice(last.end);
  for (const c of [...after].reverse()) rest = rest.slice(0, c.start - last.end) + rest.slice(c.end - last.end);
  // Words saying the part was looked at (电池那边我看过了，正常): the verdict in the next piece is said of it.
  rest = rest.replace(CHECKED_RE, '');
  // (A name may end in a word or two the lexicon does not list: 感应付款, 扫码功能, "inserting cards" —
  // but not in an adverb, which opens a predicate: 扫码很快, 打印挺清楚.)
  const t = rest.trim();
  const tail = /^[\s的了呢啊吧呀]*$/.test(rest) || (/^[\u4e00-\u9fff]{1,2}$/.test(t) && !PREDICATE_START.test(t)) || /^[a-z]{2,12}$/.test(t);
  if (!tail) return -1;
  // A part a marker before it speaks of ("no problem with the network", "use tap") is not left dangling.
  const before = [...marks].reverse().find((m) => m.end <= last.start);
  if (before && (before.p.kind === 'clear' || before.p.kind === 'alt' || before.p.kind === 'except') && governs(before, last, concepts, clause)) return -1;
  // Nor is one a predicate before it waits for ("the problem is the printer", 问题出在挥卡).
  if (before && (before.p.kind === 'ok' || before.p.kind === 'fail') && !concepts.some((x) => x.start >= before.end && x.end <= last.start && PARTS.has(x.p.concept) && x.p.concept !== last.p.concept) && !concepts.some((x) => x.end <= before.start && PARTS.has(x.p.concept))) return -1;
  return last.start;
}
/** Adverbs and auxiliaries that open a Chinese predicate (很快, 挺好, 都行): words after a part that start with one say something of it. */
const PREDICATE_START = new RegExp(`^(?:${lexicon.predicateStart.zh.map(escape).join('|')})`);
/** Words that say a part was checked (那边我看过了, "we checked it"), in the order people put them. */
const CHECKED_RE = new RegExp(`^(?:\\s*(?:${[...lexicon.checked.zh, ...lexicon.checked.en].sort(byLength).map(escape).join('|')}))+\\s*$`);

/** A piece that opens with what is said, before it names any part ("没问题", "does not register taps"). */
const saysOnly = (clause: string) => {
  const words = wordIndex(clause);
  const concepts = conceptsOf(clause, words);
  const first = markersOf(clause, words, concepts).find((m) => m.p.kind === 'ok' || m.p.kind === 'fail');
  return !!first && !concepts.some((c) => c.start < first.end && PARTS.has(c.p.concept));
};

type ConceptHit = Hit & { p: Term };
type MarkHit = Hit & { p: Pattern & { kind: MarkKind } };

function conceptsOf(clause: string, words: WordIndex): ConceptHit[] {
  // Concepts may overlap (没电关机 is both the battery and the terminal switching off); markers may not.
  const all = TERMS.flatMap((p) => find(p, clause, words).map((h) => ({ ...h, p })));
  // But a part's name inside a longer name of another part is that part (屏幕没反应 is the touchscreen, not the display).
  return all
    .filter((h) => !(PARTS.has(h.p.concept) && all.some((o) => o.p.concept !== h.p.concept && PARTS.has(o.p.concept) && o.start <= h.start && h.end <= o.end && o.end - o.start > h.end - h.start)))
    .sort((a, b) => a.start - b.start);
}

const POTENTIAL = new RegExp(lexicon.potential.zh, 'g');
const PROBLEMS = patterns([...lexicon.problemWords.zh, ...lexicon.problemWords.en]);
const NEGATORS = patterns([...lexicon.negators.zh, ...lexicon.negators.en]);
const COPULAS = patterns([...lexicon.problemWords.copula.zh, ...lexicon.problemWords.copula.en]);
const FAIL_POTENTIAL: Pattern & { kind: MarkKind } = { text: '不', han: true, kind: 'fail' };

/**
 * The markers of a clause, longest first without overlapping; then two readings of grammar rather than
 * of words: a negative potential complement (打不开, 连不上) is a failure whatever the verb, and a
 * negator shortly before a noun of trouble ("never had any issue", 从来没出过问题) is a working-marker.
 */
function markersOf(clause: string, words: WordIndex, concepts: readonly ConceptHit[]): MarkHit[] {
  const marks: MarkHit[] = hitsOf(MARKERS, clause, words);
  if (HAN.test(clause)) {
    POTENTIAL.lastIndex = 0;
    for (let m = POTENTIAL.exec(clause); m; m = POTENTIAL.exec(clause)) {
      const h = { start: m.index + 1, end: m.index + m[0].length };
      if (!overlaps(h, marks)) marks.push({ ...h, p: FAIL_POTENTIAL });
      POTENTIAL.lastIndex = m.index + 1;
    }
    marks.sort((a, b) => a.start - b.start);
  }
  // Nouns of trouble and blame, whether or not they are markers themselves (cause, 原因).
  const troubles = PROBLEMS.flatMap((p) => find(p, clause, words).map((h) => ({ ...h, han: p.han })))
    .filter((h) => !concepts.some((c) => c.start <= h.start && h.end <= c.end))
    // Already read as part of a longer marker (没问题, "no problem with the", "is not the problem").
    .filter((h) => !marks.some((m) => m.p.kind !== 'fail' && m.start <= h.start && h.end <= m.end));
  const replace = (span: Hit, mark: MarkHit) => {
    for (let i = marks.length - 1; i >= 0; i--) if (marks[i]!.start < span.end && span.start < marks[i]!.end) marks.splice(i, 1);
    marks.push(mark);
    marks.sort((x, y) => x.start - y.start);
  };
  for (const t of troubles) {
    // "原因不在插卡", "the problem isn't the printer": a noun of blame, then a negated copula, clears what follows.
    const cop = COPULAS.flatMap((n) => find(n, clause, words)).find((n) => n.start >= t.end && n.start - t.end <= 2);
    if (cop) {
      replace({ start: t.start, end: cop.end }, { start: cop.start, end: cop.end, p: { text: clause.slice(cop.start, cop.end), han: t.han, kind: 'clear' } });
      continue;
    }
    // ("don't think the contactless reader is involved": a belief negated ahead of the part reaches further.)
    const neg = NEGATORS.flatMap((n) => find(n, clause, words)).filter((n) => n.end <= t.start && t.start - n.end <= (t.han ? 10 : 44)).sort((x, y) => y.end - x.end)[0];
    if (!neg || marks.some((x) => x.start >= neg.end && x.end <= t.start && !(x.start < neg.end))) continue;
    const between = concepts.some((c) => c.start >= neg.end && c.end <= t.start);
    if (!between && t.start - neg.end > (t.han ? 4 : 14)) continue;
    // "never had any issue", "not the cause": a working-marker; "not a scanner problem": the part between is cleared.
    if (between) replace({ start: neg.start, end: t.end }, { start: neg.start, end: neg.end, p: { text: clause.slice(neg.start, neg.end), han: t.han, kind: 'clear' } });
    else replace({ start: neg.start, end: t.end }, { start: neg.start, end: t.end, p: { text: clause.slice(neg.start, t.end), han: t.han, kind: 'ok' } });
  }
  return marks;
}

/** A connective between two parts named together ("not the printer or the scanner", 打印机和扫码). */
const LIST_GAP = /^\s*(?:and|or|nor|和|或|或者|跟|与|及|还有)\s*(?:the\s+)?$/;
/** A looser list, for whose predicate a marker is: the connective may sit between the rest of one name and the verb of the next (感应付款和插芯片卡都没问题). */
const LIST_NEAR = /^(?:[\u4e00-\u9fff]{0,2}(?:和|或|或者|跟|与|及|还有|以及)[\u4e00-\u9fff]{0,2}|\s*(?:[a-z]+\s+)?(?:and|or|nor|as well as)\s+(?:the\s+)?(?:[a-z]+\s+)?)$/;

/**
 * The parts a marker before them speaks of (不是, "not the", "use … instead"): the part right after it
 * and any listed with it, not a part told further on ("its not the keypad the battery doesnt last").
 */
function governs(m: Hit, c: Hit, concepts: readonly ConceptHit[], clause: string): boolean {
  let last: ConceptHit | null = null;
  for (const x of concepts) {
    if (x.start < m.end) continue;
    // Words right next to each other are one name (nfc感应, 电池续航, "contactless tap reader"); a list needs its
    // connective; two names of different things with a space between are two statements run on, as typed
    // in a chat ("its not the battery swiped cards get no response").
    const gap = last ? clause.slice(last.end, x.start) : '';
    if (last && !(x.start < last.end) && gap.trim() !== '' && !LIST_GAP.test(gap)) break;
    if (last && !(x.start < last.end) && gap !== '' && gap.trim() === '' && last.p.concept !== x.p.concept && PARTS.has(x.p.concept)) break;
    if (!last && clause.slice(m.end, x.start).trim().length > 12) break;
    if (x === c || (x.start === c.start && x.end === c.end)) return true;
    last = last && last.end > x.end ? last : x;
  }
  return false;
}

/** Another part, not listed with `c`, named between `c` and the marker `m`: the marker is said of it. */
function anotherSubjectBetween(c: Hit & { p: Term }, m: Hit, concepts: readonly ConceptHit[], clause: string): boolean {
  let last: Hit = c;
  for (const x of concepts) {
    // (A longer name of the same thing overlapping it, 扫码枪 over 扫码, extends it.)
    if (x.start < c.end && x.end > last.end && x.end <= m.start) last = x;
    if (x.start < c.end || x.end > m.start) continue;
    if (x.start < last.end) {
      last = x.end > last.end ? x : last;
      continue;
    }
    const gap = clause.slice(last.end, x.start);
    // Named together (nfc感应, 电池续航, 无线网信号, "contactless tap reader") or listed ("chip and tap"): one subject.
    if (x.p.concept === c.p.concept || !PARTS.has(x.p.concept) || LIST_NEAR.test(gap) || /^[\u4e00-\u9fff]?$/.test(gap)) {
      last = x;
      continue;
    }
    return true;
  }
  return false;
}
/** Words after a part, other than names and fillers, before the clause ends: it has a predicate of its own. */
function wordsAfter(c: Hit, concepts: readonly ConceptHit[], clause: string): boolean {
  let rest = clause.slice(c.end);
  for (const x of concepts.filter((y) => y.start >= c.end).reverse()) rest = rest.slice(0, x.start - c.end) + rest.slice(x.end - c.end);
  rest = rest.replace(/\b(?:too|either|now|again|today|here|though|please|thanks|cheers|as well)\b/g, '').replace(/[的了呢啊吧呀也都]/g, '').trim();
  return HAN.test(rest) ? rest.length >= 2 : /[a-z]{2,}/.test(rest);
}

/** The next marker after a part is a failure, with no other part named in between: the failure is said of it. */
function failureSaidOf(c: Hit, marks: readonly MarkHit[], concepts: readonly ConceptHit[]): boolean {
  const next = marks.find((m) => m.start >= c.end);
  return next?.p.kind === 'fail' && !concepts.some((x) => x.start >= c.end && x.end <= next.start);
}

/** Failure words inside a longer Chinese word (出错, 打不开, 断网): enough to say something is complained of. */
const ZH_FAILING = /错|坏|失败|故障|异常|不|没|断|乱/;

/** Reads one clause into `out`; true when it complains about something. */
function readClause(clause: string, out: Map<string, number>, bare: Set<string>): boolean {
  const words = wordIndex(clause);
  const concepts = conceptsOf(clause, words);
  // Markers may sit inside a concept's words (没网 is the network failing), so they are found on their own.
  const marks = markersOf(clause, words, concepts);
  let complaint = marks.some((m) => m.p.kind === 'fail') || ZH_FAILING.test(clause.replace(OK_ZH_WORDS, ''));
  // What a clause says was changed ("we plugged a new printer PC into the network") is named, not
  // complained about: a concept between a change verb and its object, with no failure said of it.
  const changed = changeSpans(clause, words);
  // A step already tried (重启了也没用, "even after a reboot") is neither a complaint nor a working part.
  const tried = TRIED.some((p) => occurs(p, clause, words));
  const seen = new Map<string, boolean>();
  for (const c of concepts) {
    const name = c.p.concept;
    // (A neutral concept is only named either way, so it stays: 装了第三方应用 names a third-party app.)
    if (!NEUTRAL.has(name) && changed.some((sp) => c.start >= sp.start && c.start < sp.end) && !failureSaidOf(c, marks, concepts)) continue;
    if (tried && ACTIONS.has(name)) continue;
    let ok: boolean;
    if (NEUTRAL.has(name)) {
      // A neutral concept said to be fine right after it (续航很耐用, "temperature is normal") is no complaint;
      // a marker after another part is said of that part ("the battery doesn't last meanwhile the wifi is connected").
      const said = marks.find((m) => m.start >= c.end);
      const saidOfIt = said && !concepts.some((x) => x.start >= c.end && x.end <= said.start && PARTS.has(x.p.concept) && x.p.concept !== name);
      if (SELF_COMPLAINTS.has(name)) {
        if (said?.p.kind === 'ok' && saidOfIt) continue;
        // Cleared with the part it is told of (不是电池续航的问题, 原因不在电池续航): no complaint either.
        const nearest = [...marks].reverse().find((m) => m.end <= c.start);
        if (nearest?.p.kind === 'clear' && governs(nearest, c, concepts, clause)) continue;
        complaint = true;
      }
      ok = false;
    }
    else {
      const nearest = [...marks].reverse().find((m) => m.end <= c.start);
      // A workaround taken back by a negator right before it ("we can't use tap") is no workaround.
      const prior = nearest ? [...marks].reverse().find((m) => m.end <= nearest.start) : undefined;
      const negatedAlt = nearest?.p.kind === 'alt' && prior?.p.kind === 'fail' && nearest.start - prior.end <= 2;
      const governed = !!nearest && (nearest.p.kind === 'clear' || (nearest.p.kind === 'alt' && !negatedAlt)) && governs(nearest, c, concepts, clause);
      // "不是" after a part negates what is said of it (挥卡不是每次都能成功): a complaint. A marker after
      // another part named in between is said of that part, unless the two are listed together ("chip
      // and tap fail"): "chip payments still get through magnetic stripe cards won't read".
      const after = marks.find((m) => m.start >= c.end && !anotherSubjectBetween(c, m, concepts, clause));
      // A marker overlapping the name is its own predicate ("is online" for online).
      const inside = marks.filter((m) => m.start < c.end && c.start < m.end && m.p.kind !== 'clear' && m.p.kind !== 'alt');
      // Named after what is said of another part, with nothing said of it ("touch does not register
      // taps", 对着付款码没反应 is said of the scanner): the object of that predicate, not a complaint.
      // A part with words of its own after it is no object but the subject of a new statement, run on
      // as people type in a chat ("the scanner still works touch jumps around"): what it says of it is
      // not in the lexicon, and a part told of with words the lexicon does not know is complained of.
      const saidOfOther = !after && !governed && nearest && (nearest.p.kind === 'ok' || nearest.p.kind === 'fail') && PARTS.has(name) && concepts.some((x) => x.end <= nearest.start && x.p.concept !== name && PARTS.has(x.p.concept));
      const ownWords = wordsAfter(c, concepts, clause);
      if (saidOfOther && !ownWords) continue;
      // The exception to what is said of everything else ("apart from tapping everything is ok") is at fault.
      if (nearest?.p.kind === 'except' && governs(nearest, c, concepts, clause)) ok = false;
      else if (saidOfOther && ownWords) ok = false;
      else if (governed && nearest.p.kind === 'clear') ok = true;
      else if (after && (after.p.kind === 'ok' || after.p.kind === 'fail')) ok = after.p.kind === 'ok';
      else if (governed) ok = true;
      else if (after) ok = false;
      else if (inside.length) ok = inside.every((m) => m.p.kind === 'ok');
      else {
        const before = [...marks].reverse().find((m) => m.end <= c.start && (m.p.kind === 'ok' || m.p.kind === 'fail'));
        ok = before?.p.kind === 'ok';
      }
    }
    // Once a clause names a part as failing, a later mention of the same part does not make it work.
    seen.set(name, (seen.get(name) ?? true) && ok);
  }
  // A clause that says nothing of what it names (no marker, no failure word): its parts are bare mentions.
  const saysNothing = marks.length === 0 && !complaint;
  for (const [name, ok] of seen) {
    if (saysNothing && !ok && PARTS.has(name)) {
      bare.add(name);
      continue;
    }
    out.set(ok ? `${name}_ok` : name, 1);
    if (!ok && !NEUTRAL.has(name)) complaint = true;
  }
  return complaint;
}

// ---- change, then trouble ------------------------------------------------------------------------

interface ChangeKind {
  id: string;
  verbs: Pattern[];
  objects: Pattern[] | null;
}
/** An English verb and its inflections (update → updates, updated, updating), so the lexicon lists each verb once. */
function inflected(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    if (HAN.test(w) || w.includes(' ')) continue;
    const stem = w.replace(/(ed|ing|s)$/, '');
    const base = /e$/.test(w) ? w.slice(0, -1) : stem;
    for (const v of [stem, `${stem}s`, `${base}ed`, `${base}ing`, `${stem}e`, `${stem}es`]) if (v.length > 2) out.add(v);
  }
  return [...out];
}

const CHANGE_KINDS: ChangeKind[] = lexicon.changes.kinds.map((k) => ({
  id: k.id,
  verbs: patterns([...k.verbs.zh, ...inflected(k.verbs.en)]),
  objects: k.objects ? patterns([...k.objects.zh, ...k.objects.en]) : null,
}));
const AFTER = patterns([...lexicon.changes.after.zh, ...lexicon.changes.after.en]);
const CHANGE_NEGATORS = patterns([...lexicon.changes.negators.zh, ...lexicon.changes.negators.en]);
const AFTER_THAT = patterns([...lexicon.changes.afterThat.zh, ...lexicon.changes.afterThat.en]);
const LATER = patterns([...lexicon.changes.later.zh, ...lexicon.changes.later.en]);
const PAST = patterns([...lexicon.changes.past.zh, ...lexicon.changes.past.en]);

/** Working, then up to a change: "no problems until …", "was fine before …", 升级前都好好的, …之前都正常. */
const FINE_UNTIL = [
  new RegExp(`(?:${lexicon.changes.fineUntil.okWords.en.map(escape).join('|')})\\b.{0,24}\\b(?:${lexicon.changes.fineUntil.until.en.map(escape).join('|')})\\b`),
  new RegExp(`(?:${lexicon.changes.fineUntil.until.zh.map(escape).join('|')}).{0,4}(?:${lexicon.changes.fineUntil.okWords.zh.map(escape).join('|')})`),
];

/** A verb hit taken back by a negator right before it (没升级, "didn't update"). */
const NEGATOR_ENDS = CHANGE_NEGATORS.map((n) => (n.han ? null : new RegExp(`(^|[^a-z0-9'])${escape(n.text)}$`)));
function negated(clause: string, at: number): boolean {
  const before = clause.slice(Math.max(0, at - 12), at).trimEnd();
  return CHANGE_NEGATORS.some((n, i) => (n.han ? before.endsWith(n.text) : NEGATOR_ENDS[i]!.test(before)));
}
/**
 * A change verb that tells of no change: with nothing for its object ("a restart changed nothing",
 * 什么都没改), or a participle after a present copula, which tells a state ("the wifi is connected",
 * "the app is installed") — a change is an event ("a new camera was installed").
 */
function noChange(clause: string, h: Hit): boolean {
  if (/^\s*(?:nothing|anything|no\b)/.test(clause.slice(h.end))) return true;
  return /\b(?:is|are|'re|stays|remains|still)\s+(?:\w+ly\s+)?$/.test(clause.slice(Math.max(0, h.start - 24), h.start));
}

/**
 * What changed, when the text says something changed and then a problem began: the change must be
 * tied to the trouble by a temporal cue (之后, since, ever since…) and something must be complained of.
 */
function changeBeforeTrouble(norm: string, complaint: boolean): string[] {
  if (!complaint) return [];
  const found = new Set<string>();
  // Where each change verb stood: those of a kind named by its object, those of a kind with none.
  const specific: Hit[] = [];
  const objectless = new Map<string, Hit[]>();
  const sentences = norm.split(SENTENCE_SPLIT).filter((x) => x.trim());
  sentences.forEach((sentence, i) => {
    // The cue may sit in the sentence of the change or open the next one ("… an update on Monday. Ever since, …").
    const next = sentences[i + 1] ?? '';
    const cueAt = (s: string) => AFTER.flatMap((p) => find(p, s, wordIndex(s)).map((h) => h.start));
    const cues = cueAt(sentence);
    const nextWords = wordIndex(next);
    const nextCue = [...AFTER_THAT, ...LATER].some((p) => occurs(p, next, nextWords));
    // "fine until the update", 升级前都好好的: working, then a change — what follows it is blamed on it.
    const fineUntil = FINE_UNTIL.some((re) => re.test(sentence));
    const tied = cues.length > 0 || nextCue || fineUntil;
    const contrasts = [...sentence.matchAll(new RegExp(CONTRAST_RE, 'gi'))].map((m) => m.index ?? 0);
    let at = 0;
    for (const clause of sentence.split(COMMA_SPLIT)) {
      const start = sentence.indexOf(clause, at);
      at = start + clause.length;
      const cw = wordIndex(clause);
      // A change told with a past time ("…changed the data plan last week", 前几天换了SIM卡) came before the trouble told now.
      const past = PAST.some((p) => occurs(p, clause, cw));
      for (const k of CHANGE_KINDS) {
        const verbs = k.verbs.flatMap((p) => find(p, clause, cw)).filter((h) => !negated(clause, h.start) && !noChange(clause, h));
        if (!verbs.length) continue;
        if (k.objects && !k.objects.some((o) => occurs(o, clause, cw))) continue;
        const abs = verbs.map((h) => ({ start: start + h.start, end: start + h.end }));
        if (k.objects) specific.push(...abs);
        else objectless.set(k.id, [...(objectless.get(k.id) ?? []), ...abs]);
        // A change of something named (a new SIM, new settings, another app) told with trouble is why the
        // report tells of it; a bare verb (更新, moved) needs a cue or a past time to tie it to the trouble.
        if (!tied && !past && !k.objects) continue;
        // Set against the trouble by a contrast word ("更新过后一切正常，但是今天…"), unless what follows the
        // contrast points back at the change ("升级了，但是之后就老死机").
        const contrast = contrasts.find((c) => c > start);
        if (contrast !== undefined && !AFTER_THAT.some((p) => occurs(p, sentence.slice(contrast), wordIndex(sentence.slice(contrast)))) && !nextCue) continue;
        found.add(k.id);
      }
    }
  });
  // An app installed is a third-party app unless it was the payment app's own update; a setting changed is not a new SIM.
  if (found.has('update') && found.has('third_party')) found.delete('third_party');
  // A verb said of a named object tells what was changed: 更新了商户配置 is new settings, not a new version.
  for (const [k, spans] of objectless) if (spans.every((h) => specific.some((o) => o.start <= h.start && h.end <= o.end))) found.delete(k);
  return [...found];
}

/** From each (not negated) change verb to the end of its object in a clause. */
function changeSpans(clause: string, words: WordIndex): Hit[] {
  const out: Hit[] = [];
  for (const k of CHANGE_KINDS) {
    if (!k.objects) continue;
    const objects = k.objects.flatMap((o) => find(o, clause, words));
    if (!objects.length) continue;
    for (const v of k.verbs.flatMap((p) => find(p, clause, words))) {
      if (negated(clause, v.start) || noChange(clause, v)) continue;
      // To the last object after the verb: "plugged a new laptop into the router" names both.
      const obj = objects.filter((o) => o.start >= v.start).sort((a, b) => b.end - a.end)[0];
      if (obj) out.push({ start: v.start, end: obj.end });
    }
  }
  return out;
}

// ---- keying mistakes -----------------------------------------------------------------------------

const KEY_VERBS = patterns([...lexicon.keying.verbs.zh, ...lexicon.keying.verbs.en]);
const KEY_OBJECTS = patterns([...lexicon.keying.objects.zh, ...lexicon.keying.objects.en]);
const KEY_PHRASES = patterns([...lexicon.keying.phrases.zh, ...lexicon.keying.phrases.en]);
const ZEROS = [new RegExp(lexicon.keying.zeros.zh), new RegExp(lexicon.keying.zeros.en)];
const CURRENCY = patterns([...lexicon.keying.currency.zh, ...lexicon.keying.currency.en]);
const ZH_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10_000 };

/** Numbers written in digits or in Chinese numerals (五十八, 五千八百, 5千8). */
function numbersIn(s: string): number[] {
  const out: number[] = [];
  for (const m of s.matchAll(/\d+(?:\.\d+)?\s*[万千百]?|[零〇一二两三四五六七八九十百千万]{2,}/g)) {
    const t = m[0].replace(/\s/g, '');
    if (/^\d/.test(t)) {
      const unit = ZH_UNITS[t.slice(-1)];
      out.push(unit ? parseFloat(t) * unit : parseFloat(t));
      continue;
    }
    let total = 0;
    let section = 0;
    let digit = 0;
    let unit = 0;
    let afterUnit = false;
    for (const ch of t) {
      if (ch in ZH_DIGITS) {
        digit = ZH_DIGITS[ch]!;
        if (ch === '零') afterUnit = false;
      } else if (ch === '万') {
        total += (section + digit) * 10_000;
        section = 0;
        digit = 0;
        unit = 10_000;
        afterUnit = true;
        continue;
      } else {
        unit = ZH_UNITS[ch]!;
        section += (digit || 1) * unit;
        digit = 0;
        afterUnit = true;
        continue;
      }
    }
    // 五千八 is 5,800: a last digit right after a unit counts in the next unit down.
    if (digit && afterUnit && unit >= 100 && /[百千万][一二两三四五六七八九]$/.test(t)) digit *= unit / 10;
    const v = total + section + digit;
    if (v > 0) out.push(v);
  }
  return out;
}

/** Numbers that may be amounts: not counts, times or shares (15 terminals, 150 times, 10 分钟, 30%). */
const COUNT_UNIT = /^\s*(?:%|％|次|台|个|张|笔|分钟|分|秒|小时|天|号|楼|min|mins|minutes?|hours?|seconds?|days?|times?|terminals?|tills?|cards?|transactions?|payments?|percent|am|pm)(?![a-z])/;
function amountsIn(s: string): number[] {
  const out: number[] = [];
  for (const m of s.matchAll(/\d+(?:\.\d+)?/g)) if (!COUNT_UNIT.test(s.slice(m.index! + m[0].length)) && !/第\s*$|:$/.test(s.slice(0, m.index)) && s[m.index! + m[0].length] !== ':') out.push(parseFloat(m[0]));
  return out;
}

/** 4500 → 2 (45), 7.5 → 2, 300 → 1. */
const significantDigits = (n: number) => String(n).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;

/** Two amounts whose digits are the same but for zeros or the decimal point: 58 and 5800, 12.5 and 125. */
function powerOfTenApart(nums: number[]): boolean {
  for (let i = 0; i < nums.length; i++)
    for (let j = i + 1; j < nums.length; j++) {
      const [a, b] = [Math.min(nums[i]!, nums[j]!), Math.max(nums[i]!, nums[j]!)];
      if (a <= 0 || b / a < 9.5) continue;
      const k = Math.log10(b / a);
      if (Math.abs(k - Math.round(k)) < 0.005) return true;
    }
  return false;
}

function keyedWrongly(sentence: string): boolean {
  const words = wordIndex(sentence);
  // "金额没输错", "the amount wasn't mistyped": taken back by a negator right before it.
  const said = (p: Pattern, s: string, w: WordIndex) => find(p, s, w).some((h) => !negated(s, h.start) && !/没|不|not |n't /.test(s.slice(Math.max(0, h.start - 4), h.start)));
  if (KEY_PHRASES.some((p) => said(p, sentence, words))) return true;
  // Zeros keyed too many or too few, however it is put (多打了两个零, "two zeros too many").
  if (ZEROS.some((re) => re.test(sentence))) return true;
  const verb = KEY_VERBS.some((p) => said(p, sentence, words));
  const amountish = CURRENCY.some((p) => occurs(p, sentence, words));
  // Two amounts a power of ten apart are a keying mistake next to a keying verb or money words; with
  // two significant digits or a decimal point (45 and 4500, 7.5 and 750) they are one by themselves:
  // a report has little else to say with two such numbers.
  const nums = numbersIn(sentence);
  if ((verb || amountish) && powerOfTenApart(nums)) return true;
  if (powerOfTenApart(amountsIn(sentence).filter((n) => significantDigits(n) >= 2))) return true;
  // A keying verb with what was keyed, in one clause (输错了金额, "typed the wrong amount"); a PIN keyed wrongly is not this.
  for (const clause of sentence.split(COMMA_SPLIT)) {
    const cw = wordIndex(clause);
    if (/密码|\bpin\b/.test(clause)) continue;
    if (KEY_VERBS.some((p) => said(p, clause, cw)) && KEY_OBJECTS.some((p) => occurs(p, clause, cw)) && /错|成|多|少|wrong|instead|rather|extra|mistake|too much|too many|incorrect/.test(clause)) return true;
  }
  return false;
}
