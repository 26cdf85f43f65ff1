import { describe, expect, it } from 'vitest';
import { MERCHANT_TIERS, TICKET_PRIORITIES } from '@poscare/contracts';
import { ZodError } from 'zod';
import { DEFAULT_CALENDARS } from './calendar.js';
import { CLOCKS, DEFAULT_POLICY, parsePolicy, raisedPriority, ruleFor, stepKey } from './policy.js';

const clone = () => structuredClone(DEFAULT_POLICY) as unknown as Record<string, unknown> & typeof DEFAULT_POLICY;

describe('the default policy', () => {
  it('has exactly one rule for every priority × tier, each naming a shipped calendar', () => {
    expect(DEFAULT_POLICY.rules).toHaveLength(TICKET_PRIORITIES.length * MERCHANT_TIERS.length);
    expect(() => parsePolicy(DEFAULT_POLICY, DEFAULT_CALENDARS)).not.toThrow();
  });

  it('p1 runs 24×7 for every tier, p2 runs 24×7 for platinum only, everything else on business hours', () => {
    for (const tier of MERCHANT_TIERS) expect(ruleFor(DEFAULT_POLICY, 'p1', tier).calendar).toBe('24x7');
    expect(ruleFor(DEFAULT_POLICY, 'p2', 'platinum').calendar).toBe('24x7');
    expect(ruleFor(DEFAULT_POLICY, 'p2', 'gold').calendar).toBe('cn-business');
    for (const p of ['p3', 'p4'] as const) for (const tier of MERCHANT_TIERS) expect(ruleFor(DEFAULT_POLICY, p, tier).calendar).toBe('cn-business');
  });

  it('a better tier never gets a looser target, and a higher priority never a looser one on the same calendar', () => {
    for (const p of TICKET_PRIORITIES) {
      for (const clock of CLOCKS) {
        const [s, g, pl] = MERCHANT_TIERS.map((t) => ruleFor(DEFAULT_POLICY, p, t)[clock]);
        expect(g, `${p} ${clock} gold`).toBeLessThanOrEqual(s!);
        expect(pl, `${p} ${clock} platinum`).toBeLessThanOrEqual(g!);
      }
    }
    for (const tier of MERCHANT_TIERS) {
      for (const clock of CLOCKS) {
        expect(ruleFor(DEFAULT_POLICY, 'p3', tier)[clock]).toBeLessThanOrEqual(ruleFor(DEFAULT_POLICY, 'p4', tier)[clock]);
      }
    }
  });

  it('every ladder warns before and escalates at the first-response and resolution breach', () => {
    for (const [name, ladder] of Object.entries(DEFAULT_POLICY.ladders)) {
      for (const clock of ['firstResponse', 'resolution'] as const) {
        const levels = ladder.filter((l) => l.target === clock).map((l) => l.at);
        expect(Math.min(...levels), `${name} ${clock}`).toBeLessThan(1);
        expect(levels, `${name} ${clock}`).toContain(1);
      }
    }
  });
});

describe('policy validation', () => {
  it('a policy missing a priority × tier rule is refused', () => {
    const p = clone();
    p.rules = p.rules.filter((r) => !(r.priority === 'p4' && r.tier === 'gold'));
    expect(() => parsePolicy(p)).toThrow(/no rule for p4\/gold/);
  });

  it('a policy naming a calendar that does not exist is refused', () => {
    const p = clone();
    p.rules[0]!.calendar = 'mars-time';
    expect(() => parsePolicy(p, DEFAULT_CALENDARS)).toThrow(/mars-time/);
  });

  it('a rule pointing at a ladder that does not exist is refused', () => {
    const p = clone();
    p.rules[0]!.ladder = 'nope';
    expect(() => parsePolicy(p)).toThrow(/ladder nope/);
  });

  it('a ladder with the same level twice is refused', () => {
    const p = clone();
    p.ladders['normal']!.push({ at: 1, target: 'resolution', actions: [{ kind: 'raise_priority' }] });
    expect(() => parsePolicy(p)).toThrow(/resolution@1.0 appears twice/);
  });

  it('a notify action with nobody to notify is refused', () => {
    const p = clone();
    p.ladders['normal']!.push({ at: 2, target: 'resolution', actions: [{ kind: 'notify', to: [], roles: [] }] });
    expect(() => parsePolicy(p)).toThrow(/needs someone to notify/);
  });

  it('a notify action naming a role that does not exist is refused', () => {
    const p = clone() as unknown as { ladders: Record<string, unknown[]> };
    p.ladders['normal']!.push({ at: 2, target: 'resolution', actions: [{ kind: 'notify', roles: ['ceo'] }] });
    expect(() => parsePolicy(p)).toThrow(ZodError);
  });

  it('resolved cannot be a pause status, since it ends the clocks', () => {
    const p = clone();
    p.pauseOn = ['waiting_merchant', 'resolved'];
    expect(() => parsePolicy(p)).toThrow(/ends the clocks/);
  });

  it('targets are whole positive minutes', () => {
    const p = clone();
    p.rules[0]!.firstResponse = 0;
    expect(() => parsePolicy(p)).toThrow(ZodError);
  });
});

describe('policy helpers', () => {
  it('escalation keys spell whole fractions with one decimal: resolution@1.0, firstResponse@0.75, nextUpdate@1.5', () => {
    expect(stepKey('resolution', 1)).toBe('resolution@1.0');
    expect(stepKey('firstResponse', 0.75)).toBe('firstResponse@0.75');
    expect(stepKey('nextUpdate', 1.5)).toBe('nextUpdate@1.5');
  });

  it('raising a priority goes one level up and stops at p1', () => {
    expect(raisedPriority('p4')).toBe('p3');
    expect(raisedPriority('p2')).toBe('p1');
    expect(raisedPriority('p1')).toBeNull();
  });
});
