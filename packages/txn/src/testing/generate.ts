/**
 * Seeded transaction streams of the shared example's kind, larger: merchants of several trades with
 * their opening hours, terminals, regular customers, the terminal's and the host's line of every
 * payment, voids, reversals, refunds, chip failures and records delivered twice — with every finding
 * of txn-findings.json injected and labelled, beside look-alikes that must not be found. Background
 * traffic is shaped so that it holds no finding by chance (a card is not used twice at a merchant
 * within 30 minutes, amounts stay under three times a trade's median), so the labels are the truth.
 */
import { stringHasCardData, type TxnFindingCode, type TxnRecord } from '@poscare/contracts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const LOCAL = 8 * HOUR;

export interface GenerateOptions {
  seed?: number;
  /** About this many records (default 60,000). */
  records?: number;
  days?: number;
  /** First local midnight, as an ISO date (default 2026-10-01). */
  startDate?: string;
}

export interface GeneratedStream {
  records: TxnRecord[];
  /** For each code, the payments involved as `terminalId/stan`. */
  labels: Record<TxnFindingCode, Set<string>>;
  /** How many of each look-alike were staged. */
  lookAlikes: Record<string, number>;
}

interface Trade {
  mcc: string;
  name: string;
  open: [number, number][]; // local hours [from, to)
  amount: [number, number];
  prices?: number[];
  weight: number;
}

const TRADES: Trade[] = [
  { mcc: '5814', name: 'cafe', open: [[7, 20]], amount: [1500, 4500], prices: [1500, 2200, 2800, 3200, 3600, 4500], weight: 1 },
  { mcc: '5812', name: 'restaurant', open: [[11, 14], [17, 22]], amount: [5000, 40000], weight: 1 },
  { mcc: '5411', name: 'supermarket', open: [[8, 22]], amount: [300, 30000], weight: 2 },
  { mcc: '7011', name: 'hotel', open: [[0, 24]], amount: [20000, 150000], weight: 1 },
  { mcc: '5944', name: 'jewellery', open: [[10, 21]], amount: [50000, 480000], weight: 0.4 },
  { mcc: '5541', name: 'fuel', open: [[6, 23]], amount: [20000, 60000], weight: 1 },
  { mcc: '5912', name: 'pharmacy', open: [[8, 22]], amount: [1200, 20000], weight: 0.8 },
];

interface Merchant {
  id: string;
  trade: Trade;
  terminals: { id: string; stan: number }[];
  regulars: string[];
  /** Local day index the merchant starts trading (new merchants have little history). */
  since: number;
}

/** mulberry32: small, fast, seeded. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateStream(options: GenerateOptions = {}): GeneratedStream {
  const seed = options.seed ?? 1;
  const target = options.records ?? 60_000;
  const days = options.days ?? 14;
  const start = Date.parse(`${options.startDate ?? '2026-10-01'}T00:00:00+08:00`);
  const rand = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number) => rand() < p;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');

  const records: TxnRecord[] = [];
  const labels = Object.fromEntries(
    ['dup.double_submit', 'dup.timeout_retry', 'dup.missing_reversal', 'risk.card_testing', 'risk.card_velocity', 'risk.fallback_abuse', 'risk.split_sale', 'risk.off_hours', 'risk.refund_abuse'].map((c) => [c, new Set<string>()]),
  ) as Record<TxnFindingCode, Set<string>>;
  const lookAlikes: Record<string, number> = {};
  const staged = (name: string) => (lookAlikes[name] = (lookAlikes[name] ?? 0) + 1);
  let nextId = 0;
  // A token is never a card number: random hex that happens to read as one (Luhn and all) is drawn again.
  const freshCard = (): string => {
    const t = `tok_${hex(16)}`;
    return stringHasCardData(t) ? freshCard() : t;
  };
  const cardPool = Array.from({ length: 40_000 }, freshCard);
  const iso = (t: number) => `${new Date(t + LOCAL).toISOString().slice(0, 19)}+08:00`;

  // Merchants: about 2.2 records per payment, one payment per ~20 minutes of opening per terminal.
  const paymentsWanted = target / 2.15;
  const merchants: Merchant[] = [];
  const tradeWeights = TRADES.reduce((s, t) => s + t.weight, 0);
  const count = Math.max(12, Math.round(paymentsWanted / days / 90));
  for (let i = 0; i < count; i++) {
    let w = rand() * tradeWeights;
    let trade = TRADES[0]!;
    for (const t of TRADES) if ((w -= t.weight) < 0) { trade = t; break; }
    const id = `M${String(i + 1).padStart(3, '0')}`;
    const terminals = Array.from({ length: int(1, 3) }, (_, k) => ({ id: `${id}-T${k + 1}`, stan: int(1, 899_999) }));
    merchants.push({ id, trade, terminals, regulars: Array.from({ length: 30 }, () => pick(cardPool)), since: i % 9 === 8 ? days - 4 : 0 });
  }

  type Pay = { terminalId: string; stan: string; rrn?: string; at: number };
  const emit = (r: Omit<TxnRecord, 'id' | 'currency'>) => {
    const rec = { id: `r${String(nextId++).padStart(7, '0')}`, ...r, currency: 'CNY' } as TxnRecord;
    records.push(rec);
    if (chance(0.0015)) records.push({ ...rec }); // delivered twice
    return rec;
  };
  const nextStan = (m: Merchant, term: Merchant['terminals'][number]) => {
    term.stan = term.stan >= 999_999 ? 1 : term.stan + 1;
    void m;
    return String(term.stan).padStart(6, '0');
  };
  interface SaleOpts { entryMode?: TxnRecord['entryMode']; outcome?: TxnRecord['outcome']; host?: TxnRecord['outcome'] | 'none'; type?: TxnRecord['type']; originalRrn?: string }
  /** One payment: the terminal's line and, unless the card was not read, the host's line. */
  const pay = (m: Merchant, term: Merchant['terminals'][number], at: number, card: string, amount: number, o: SaleOpts = {}): Pay => {
    const stan = nextStan(m, term);
    const outcome = o.outcome ?? 'approved';
    const host = o.host ?? (outcome === 'card_read_error' ? 'none' : outcome === 'timeout' || outcome === 'error' ? 'declined' : outcome);
    const rrn = host === 'approved' || host === 'declined' ? String(int(100_000, 999_999)) + String(int(100_000, 999_999)) : undefined;
    const base = { merchantId: m.id, mcc: m.trade.mcc, terminalId: term.id, type: o.type ?? 'sale', amountMinor: amount, entryMode: o.entryMode ?? pick(['chip', 'contactless', 'contactless', 'qr'] as const), cardToken: card, stan } as const;
    const codeOf = (x: TxnRecord['outcome']) => (x === 'approved' ? '00' : x === 'declined' ? pick(['05', '51', '54', '14']) : undefined);
    const hostAt = at + int(-2, 2) * 1000;
    const terminalLine = () =>
      emit({ source: 'terminal', at: iso(at), ...base, outcome, ...(codeOf(outcome) && { responseCode: codeOf(outcome) }), ...(rrn && (outcome === 'approved' || outcome === 'declined') && { rrn }), ...(outcome === 'approved' && { authCode: String(int(100_000, 999_999)) }), ...(o.originalRrn && { originalRrn: o.originalRrn }) });
    const hostLine = () => host !== 'none' && emit({ source: 'host', at: iso(hostAt), ...base, outcome: host, responseCode: codeOf(host) ?? '00', ...(rrn && { rrn }), ...(o.originalRrn && { originalRrn: o.originalRrn }) });
    if (chance(0.5)) { terminalLine(); hostLine(); } else { hostLine(); terminalLine(); }
    return { terminalId: term.id, stan, rrn, at };
  };
  /** A void or reversal of the terminal naming `target`. */
  const undo = (m: Merchant, term: Merchant['terminals'][number], at: number, card: string, amount: number, target: Pay, type: 'void' | 'reversal', hostOutcome: TxnRecord['outcome'] = 'approved') => {
    const stan = nextStan(m, term);
    const base = { merchantId: m.id, mcc: m.trade.mcc, terminalId: term.id, type, amountMinor: amount, entryMode: 'chip', cardToken: card, stan, originalStan: target.stan } as const;
    emit({ source: 'terminal', at: iso(at), ...base, outcome: 'approved', responseCode: '00' });
    emit({ source: 'host', at: iso(at + 1000), ...base, outcome: hostOutcome, responseCode: hostOutcome === 'approved' ? '00' : '25' });
  };
  const key = (p: Pay) => `${p.terminalId}/${p.stan}`;
  const label = (code: TxnFindingCode, ...ps: Pay[]) => ps.forEach((p) => labels[code].add(key(p)));

  const openAt = (m: Merchant, day: number): number => {
    const [from, to] = pick(m.trade.open);
    return start + day * DAY + from * HOUR + Math.floor(rand() * (to - from) * HOUR);
  };
  const amountOf = (m: Merchant) => (m.trade.prices ? pick(m.trade.prices) : int(m.trade.amount[0], m.trade.amount[1]));

  // Background: ordinary trading, a card at most once per merchant per 30 minutes.
  const lastUse = new Map<string, number>();
  const usable = (m: Merchant, card: string, at: number) => {
    const k = `${m.id}|${card}`;
    const last = lastUse.get(k);
    if (last !== undefined && Math.abs(at - last) < 30 * MIN) return false;
    lastUse.set(k, at);
    return true;
  };
  const perMerchantDay = paymentsWanted / days / merchants.length;
  for (const m of merchants) {
    for (let day = m.since; day < days; day++) {
      const n = Math.round(perMerchantDay * (0.7 + 0.6 * rand()) * (m.terminals.length / 2));
      for (let k = 0; k < n; k++) {
        const at = openAt(m, day);
        const term = pick(m.terminals);
        let card = chance(0.3) ? pick(m.regulars) : pick(cardPool);
        if (!usable(m, card, at)) card = freshCard();
        const amount = amountOf(m);
        const r = rand();
        if (r < 0.025) pay(m, term, at, card, amount, { outcome: 'declined' });
        else if (r < 0.03) {
          // Chip failure, then the chip again or a lawful fallback to the stripe within 2 minutes.
          pay(m, term, at, card, amount, { entryMode: 'chip', outcome: 'card_read_error' });
          pay(m, term, at + int(20, 110) * 1000, card, amount, { entryMode: chance(0.5) ? 'fallback' : 'chip' });
        } else if (r < 0.035) {
          // Timeout the host declined, or approved and the terminal reversed it; then the retry.
          const approvedByHost = chance(0.5);
          const s = pay(m, term, at, card, amount, { outcome: 'timeout', host: approvedByHost ? 'approved' : 'declined' });
          if (approvedByHost) undo(m, term, at + 40_000, card, amount, s, 'reversal', pick(['approved', 'declined'] as const));
          pay(m, term, at + int(1, 3) * MIN, card, amount);
        } else if (r < 0.04) {
          // A voided sale rung again.
          const s = pay(m, term, at, card, amount);
          undo(m, term, at + int(20, 90) * 1000, card, amount, s, 'void');
          pay(m, term, at + int(2, 4) * MIN, card, amount);
          staged('voided sale rung again');
        } else if (r < 0.045) {
          // A refund of part or all of an earlier purchase.
          const s = pay(m, term, at, card, amount);
          pay(m, term, at + int(1, 20 * 24 * 60) * MIN, card, int(Math.ceil(amount / 3), amount), { type: 'refund', ...(s.rrn && chance(0.7) && { originalRrn: s.rrn }) });
        } else pay(m, term, at, card, amount);
      }
    }
  }

  // Injected findings and look-alikes, spread over the days.
  const old = merchants.filter((m) => m.since === 0);
  const dayAt = (m: Merchant, minDay = 0) => openAt(m, int(minDay, days - 1));
  const offHoursUsed = new Map<string, number>();
  const scenarios = Math.max(4, Math.round(target / 6000));
  for (let s = 0; s < scenarios; s++) {
    // dup.double_submit: 2–3 sales, each within 10 minutes of the one before (sometimes exactly 10).
    {
      const m = pick(old), term = pick(m.terminals), card = freshCard(), amount = Math.min(amountOf(m), 300_000);
      let at = dayAt(m);
      const group = [pay(m, term, at, card, amount)];
      for (let k = int(1, 2); k > 0; k--) group.push(pay(m, term, (at += chance(0.3) ? 10 * MIN : int(5, 500) * 1000), card, amount));
      label('dup.double_submit', ...group);
      // Look-alike: a regular's same coffee an hour apart.
      const cafe = old.find((x) => x.trade.name === 'cafe') ?? m;
      const reg = freshCard(), t0 = dayAt(cafe), price = amountOf(cafe), ct = pick(cafe.terminals);
      pay(cafe, ct, t0, reg, price);
      pay(cafe, ct, t0 + (chance(0.3) ? 10 * MIN + 1000 : int(11, 60) * MIN), reg, price);
      staged('same purchase more than 10 minutes apart');
    }
    // dup.timeout_retry: the host approved a timeout; retries within 10 minutes (one sometimes at another terminal, at 10:00).
    {
      const m = pick(old), card = freshCard(), amount = amountOf(m), at = dayAt(m);
      const sale = pay(m, pick(m.terminals), at, card, amount, { outcome: chance(0.8) ? 'timeout' : 'error', host: 'approved' });
      const retry = pay(m, pick(m.terminals), at + (chance(0.25) ? 10 * MIN : int(30, 400) * 1000), card, amount);
      label('dup.timeout_retry', sale, retry);
    }
    // dup.missing_reversal: the host approved a timeout, no retry (the customer paid otherwise); look-alikes undone or declined.
    {
      const m = pick(old), card = freshCard(), amount = amountOf(m), at = dayAt(m), term = pick(m.terminals);
      label('dup.missing_reversal', pay(m, term, at, card, amount, { outcome: 'timeout', host: 'approved' }));
      const lateCard = freshCard();
      const late = pay(m, term, at + HOUR, lateCard, amount, { outcome: 'timeout', host: 'approved' });
      undo(m, term, at + HOUR + int(1, 600) * MIN, lateCard, amount, late, 'reversal', 'declined');
      staged('timeout reversed late (host declined the reversal)');
      // A retry 10 minutes and a second after: not a retry, so the timeout is a missing reversal.
      const c2 = freshCard(), at2 = dayAt(m);
      const t2 = pay(m, term, at2, c2, amount, { outcome: 'timeout', host: 'approved' });
      pay(m, term, at2 + 10 * MIN + 1000, c2, amount);
      label('dup.missing_reversal', t2);
    }
    // risk.card_testing: 10–30 small attempts by ≥8 cards, most declined, within 30 minutes.
    {
      const quiet = old.filter((x) => x.trade.amount[0] > 1000);
      const m = pick(quiet.length ? quiet : old), term = pick(m.terminals), n = int(10, 30);
      let at = dayAt(m);
      const burst: Pay[] = [];
      const cards = Array.from({ length: n }, () => freshCard());
      for (let k = 0; k < n; k++) burst.push(pay(m, term, (at += int(20, Math.floor((29 * 60) / n)) * 1000), cards[k]!, int(1, 1000), { entryMode: 'manual', outcome: k % 3 === 2 ? 'approved' : 'declined' }));
      label('risk.card_testing', ...burst);
      // Look-alike: a rush of small approved payments at a counter.
      const shop = old.find((x) => x.trade.name === 'supermarket') ?? m, st = pick(shop.terminals);
      let rt = dayAt(shop);
      for (let k = 0; k < 25; k++) pay(shop, st, (rt += int(20, 60) * 1000), freshCard(), int(300, 1000), { outcome: k % 7 === 3 ? 'declined' : 'approved' });
      staged('rush of small approved payments');
    }
    // risk.card_velocity: one card, 5–7 attempts at 3+ merchants within 2 hours, ≥ ¥5000 in total.
    {
      const card = freshCard(), ms = [pick(old), pick(old), pick(old), pick(old)];
      if (new Set(ms.map((x) => x.id)).size >= 3) {
        // Late morning to early afternoon, when every trade is open.
        let at = start + int(0, days - 1) * DAY + 11 * HOUR + int(0, 55) * MIN;
        const n = int(5, 7);
        const got: Pay[] = [];
        for (let k = 0; k < n; k++) {
          const m = ms[k % ms.length]!;
          got.push(pay(m, pick(m.terminals), (at += int(5, Math.floor(110 / n)) * MIN), card, int(110_000, 160_000), { outcome: chance(0.7) ? 'approved' : 'declined' }));
        }
        label('risk.card_velocity', ...got);
      }
    }
    // risk.fallback_abuse: 3–5 fallbacks by distinct cards at a terminal within 2 hours, no chip failure before them.
    {
      const m = pick(old), term = pick(m.terminals), n = int(3, 5);
      let at = dayAt(m);
      const got: Pay[] = [];
      for (let k = 0; k < n; k++) got.push(pay(m, term, (at += int(5, 25) * MIN), freshCard(), amountOf(m), { entryMode: 'fallback' }));
      label('risk.fallback_abuse', ...got);
      // Look-alike: a broken chip reader, every fallback after a chip failure of the same card.
      const m2 = pick(old), t2 = pick(m2.terminals);
      let a2 = dayAt(m2);
      for (let k = 0; k < 4; k++) {
        const c = freshCard(), amt = amountOf(m2);
        pay(m2, t2, (a2 += int(3, 20) * MIN), c, amt, { entryMode: 'chip', outcome: 'card_read_error' });
        pay(m2, t2, a2 + int(10, 120) * 1000, c, amt, { entryMode: 'fallback' });
      }
      staged('chip failures lawfully falling back');
    }
    // risk.split_sale: 3–4 sales at 90–100% of the limit, each within 15 minutes of the one before.
    {
      const m = pick(old), term = pick(m.terminals), card = freshCard(), n = int(3, 4);
      let at = dayAt(m);
      const got: Pay[] = [];
      for (let k = 0; k < n; k++) got.push(pay(m, term, (at += (chance(0.2) ? 15 * 60 : int(60, 800)) * 1000), card, k === 0 && chance(0.4) ? 450_000 : int(450_001, 499_999))); // amounts differ: equal ones close together would be a double submit too
      label('risk.split_sale', ...got);
      // Look-alike: two such sales, and a third 16 minutes later.
      const c2 = freshCard();
      let a2 = dayAt(m);
      pay(m, term, a2, c2, 470_000);
      pay(m, term, (a2 += 5 * MIN), c2, 480_000);
      pay(m, term, a2 + 16 * MIN, c2, 490_000);
      staged('two near-limit sales and a late third');
    }
    // risk.off_hours: a large sale in a closed hour at a merchant with a week of history.
    {
      const m = pick(old.filter((x) => x.trade.name !== 'hotel' && x.trade.name !== 'supermarket')) ?? pick(old);
      const day = int(8, days - 1);
      const closed = [2, 3, 4, 5].filter((h) => !m.trade.open.some(([a, b]) => h >= a && h < b));
      const hour = closed.length ? pick(closed) : -1;
      const prev = offHoursUsed.get(`${m.id}|${hour}`);
      if (hour >= 0 && (prev === undefined || Math.abs(prev - day) > 7)) {
        offHoursUsed.set(`${m.id}|${hour}`, day);
        const at = start + day * DAY + hour * HOUR + int(0, 59) * MIN;
        label('risk.off_hours', pay(m, pick(m.terminals), at, freshCard(), m.trade.amount[1] * 4));
      }
      // Look-alike: a hotel's night sale where nights always trade, and a new merchant's night sale.
      const hotel = old.find((x) => x.trade.name === 'hotel');
      if (hotel) pay(hotel, pick(hotel.terminals), start + int(8, days - 1) * DAY + 3 * HOUR + int(0, 59) * MIN, freshCard(), hotel.trade.amount[1]), staged('hotel night sale');
      const young = merchants.find((x) => x.since > 0);
      if (young) pay(young, pick(young.terminals), start + (days - 1) * DAY + 3 * HOUR, freshCard(), young.trade.amount[1] * 4), staged('new merchant night sale');
    }
    // risk.refund_abuse: a refund with no purchase; look-alike: a refund of a purchase 20 days before.
    {
      const m = pick(old), term = pick(m.terminals), at = dayAt(m, 1);
      label('risk.refund_abuse', pay(m, term, at, freshCard(), int(10_000, 90_000), { type: 'refund' }));
      const c = freshCard(), amt = amountOf(m);
      // A refund larger than the purchase is abuse too.
      const s = pay(m, term, at - DAY, c, amt);
      label('risk.refund_abuse', pay(m, term, at, c, amt + 100, { type: 'refund', ...(s.rrn && { originalRrn: s.rrn }) }));
      const c2 = freshCard();
      pay(m, term, at - 2 * DAY, c2, amt);
      pay(m, term, at + int(1, 5) * DAY, c2, amt);
      pay(m, term, at + 3 * HOUR, c2, amt, { type: 'refund' });
      staged('refund of a real purchase');
    }
  }

  // Mostly time-ordered, as streams are: sort by time, then shuffle neighbours a little.
  const at = new Map(records.map((r) => [r, Date.parse(r.at)]));
  records.sort((a, b) => at.get(a)! - at.get(b)!);
  for (let i = 1; i < records.length; i++) if (chance(0.05)) [records[i - 1], records[i]] = [records[i]!, records[i - 1]!];
  return { records, labels, lookAlikes };
}
