/**
 * Card-scoped faults: one card that fails wherever it goes. Its holder tries it two or three times at
 * one shop, then at another, usually in the same city: the pattern that tells a card problem from a
 * terminal problem.
 */
import type { CardProblem } from '../conditions.js';
import { isOpen, localTime } from '../curves.js';
import type { Fleet, FleetTerminal } from '../fleet.js';
import type { Rng } from '../random.js';
import { cardToken } from '../terminal/state.js';
import type { FaultId } from './ids.js';
import type { FaultDefinition, PlanContext, TerminalPlan } from './types.js';

function cardFault(id: FaultId, problem: CardProblem): FaultDefinition {
  return {
    id,
    scopes: ['card'],
    plan: (ctx) => planVisits(ctx, problem),
    apply(ctx) {
      const m = ctx.minute;
      for (const v of ctx.plan.visits ?? []) {
        if (v.atMs >= m.startMs && v.atMs < m.endMs) ctx.cond.cards.push({ atMs: v.atMs, cardToken: ctx.plan.cardToken!, problem, attempt: v.attempt });
      }
    },
  };
}

function planVisits(ctx: PlanContext, problem: CardProblem): TerminalPlan[] {
  const scope = ctx.injection.scope;
  if (scope.kind !== 'card') return [];
  const rng = ctx.rng;
  const token = scope.cardToken ?? cardToken(rng);
  // Named terminals are all visited, in the order given, unless `visits` asks for fewer.
  const chosen = scope.terminalIds?.length ? ctx.affected.slice(0, scope.visits ?? ctx.affected.length) : pickTerminals(ctx.fleet, ctx.affected, scope.visits ?? 4, rng);
  const plans: TerminalPlan[] = [];
  let at = ctx.startMs;
  let attempt = 0;
  for (const terminal of chosen) {
    at = nextOpenMoment(ctx.fleet, terminal, at);
    if (ctx.endMs !== null && at >= ctx.endMs) break;
    // Tries at one shop; the terminal stops offering the card once it is approved or blocked (see payments.ts).
    const tries = problem === 'wrong_pin' ? 2 : rng.int(2, 3);
    const visits = Array.from({ length: tries }, (_, i) => ({ atMs: at + i * rng.int(35_000, 75_000), attempt: ++attempt }));
    const last = visits[visits.length - 1]!.atMs;
    plans.push({ terminal, fromMs: visits[0]!.atMs, toMs: last + 60_000, visits, cardToken: token });
    at = last + rng.int(20, 150) * 60_000;
  }
  return plans;
}

/** Terminals at different sites, in the city of the first one when there are enough. */
function pickTerminals(fleet: Fleet, candidates: readonly FleetTerminal[], count: number, rng: Rng): FleetTerminal[] {
  const region = (t: FleetTerminal) => fleet.sites.find((s) => s.id === t.siteId)?.region;
  const shuffled = rng.shuffle(candidates);
  const first = shuffled[0];
  if (!first) return [];
  const sameCity = shuffled.filter((t) => region(t) === region(first));
  const pool = sameCity.length >= count ? sameCity : shuffled;
  const out: FleetTerminal[] = [];
  const sites = new Set<string>();
  for (const t of pool) {
    if (out.length >= count) break;
    if (sites.has(t.siteId) && pool.length - out.length > count) continue;
    out.push(t);
    sites.add(t.siteId);
  }
  return out;
}

/** People pay when shops are open: the first open quarter hour at or after `atMs`, within a day. */
function nextOpenMoment(fleet: Fleet, t: FleetTerminal, atMs: number): number {
  const site = fleet.sites.find((s) => s.id === t.siteId)!;
  const kind = fleet.merchants.find((m) => m.id === t.merchantId)!.kind;
  for (let probe = atMs; probe < atMs + 86_400_000; probe += 15 * 60_000) {
    const local = localTime(probe, site.utcOffsetMinutes);
    // Avoid the last half hour before closing, and the dead of night at all-night shops.
    if (isOpen(kind, local) && isOpen(kind, localTime(probe + 30 * 60_000, site.utcOffsetMinutes)) && (local.minuteOfDay >= 7 * 60 || local.minuteOfDay < 60)) return probe;
  }
  return atMs;
}

export const CARD_FAULTS: readonly FaultDefinition[] = [
  cardFault('ext.card.expired', 'expired'),
  cardFault('ext.card.damaged', 'damaged'),
  cardFault('ext.issuer.decline', 'declined'),
  cardFault('op.pin.wrong', 'wrong_pin'),
];
