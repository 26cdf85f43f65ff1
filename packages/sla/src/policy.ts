/**
 * SLA policy as data: targets per priority × merchant tier, the calendar each runs on, and the
 * escalation ladders. The shipped policy is data/policies.json; an organization's policy has the same
 * shape and is validated here before the server stores it.
 */
import { z } from 'zod';
import { MerchantTier, Role, TICKET_PRIORITIES, TicketPriority, TicketStatus, MERCHANT_TIERS } from '@poscare/contracts';
import data from '../data/policies.json' with { type: 'json' };
import { CalendarId, type CalendarSet } from './calendar.js';

/** contracts exports the schema but not the type. */
export type MerchantTier = (typeof MERCHANT_TIERS)[number];

export const CLOCKS = ['firstResponse', 'nextUpdate', 'resolution'] as const;
export const ClockName = z.enum(CLOCKS);
export type ClockName = z.infer<typeof ClockName>;

/** Whole business minutes, up to a year. */
const Minutes = z.number().int().min(1).max(60 * 24 * 366);

export const NotifyAction = z.object({
  kind: z.literal('notify'),
  /** People relative to the ticket at the instant the step comes due. */
  to: z.array(z.enum(['assignee', 'team_lead'])).default([]),
  roles: z.array(Role).default([]),
});
export const ReassignAction = z.object({ kind: z.literal('reassign'), to: z.enum(['team_lead', 'queue']) });
export const RaisePriorityAction = z.object({ kind: z.literal('raise_priority') });
export const EscalationAction = z.discriminatedUnion('kind', [NotifyAction, ReassignAction, RaisePriorityAction]);
export type EscalationAction = z.infer<typeof EscalationAction>;

export const EscalationLevel = z
  .object({
    /** Fraction of the clock's target at which the step comes due: 0.75 warns, 1.0 is the breach, 1.5 is half the target late. */
    at: z.number().positive().max(20),
    target: ClockName,
    actions: z.array(EscalationAction).min(1),
  })
  .refine((l) => l.actions.every((a) => a.kind !== 'notify' || a.to.length + a.roles.length > 0), {
    message: 'a notify action needs someone to notify (to or roles)',
    path: ['actions'],
  });
export type EscalationLevel = z.infer<typeof EscalationLevel>;

export const EscalationLadder = z.array(EscalationLevel).superRefine((levels, ctx) => {
  const seen = new Set<string>();
  levels.forEach((l, i) => {
    const key = stepKey(l.target, l.at);
    if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `${key} appears twice in the ladder`, path: [i] });
    seen.add(key);
  });
});
export type EscalationLadder = z.infer<typeof EscalationLadder>;

export const PolicyRule = z.object({
  priority: TicketPriority,
  tier: MerchantTier,
  calendar: CalendarId,
  firstResponse: Minutes,
  nextUpdate: Minutes,
  resolution: Minutes,
  ladder: z.string().min(1).max(64),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export const SlaPolicy = z
  .object({
    version: z.string().min(1).max(40),
    name: z.string().trim().min(1).max(200),
    /** Statuses in which every clock stops (waiting for the merchant). */
    pauseOn: z.array(TicketStatus).default(['waiting_merchant']),
    rules: z.array(PolicyRule),
    ladders: z.record(z.string(), EscalationLadder),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      const key = `${r.priority}/${r.tier}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `${key} appears twice`, path: ['rules', i] });
      seen.add(key);
      if (!p.ladders[r.ladder]) ctx.addIssue({ code: 'custom', message: `ladder ${r.ladder} is not defined`, path: ['rules', i, 'ladder'] });
    });
    for (const pr of TICKET_PRIORITIES) {
      for (const t of MERCHANT_TIERS) {
        if (!seen.has(`${pr}/${t}`)) ctx.addIssue({ code: 'custom', message: `no rule for ${pr}/${t}`, path: ['rules'] });
      }
    }
    for (const s of p.pauseOn) {
      if (s === 'resolved' || s === 'closed') ctx.addIssue({ code: 'custom', message: `${s} ends the clocks; it cannot pause them`, path: ['pauseOn'] });
    }
  });
export type SlaPolicy = z.infer<typeof SlaPolicy>;

/**
 * Parses a policy; with calendars, also checks every calendar it names exists, so a policy can never
 * be stored that would fail when a ticket comes due.
 */
export function parsePolicy(input: unknown, calendars?: CalendarSet): SlaPolicy {
  const policy = SlaPolicy.parse(input);
  if (calendars) {
    const missing = [...new Set(policy.rules.map((r) => r.calendar))].filter((id) => !calendars[id]);
    if (missing.length) throw new Error(`policy ${policy.version} names calendars that do not exist: ${missing.join(', ')}`);
  }
  return policy;
}

export function ruleFor(policy: SlaPolicy, priority: TicketPriority, tier: MerchantTier): PolicyRule {
  const rule = policy.rules.find((r) => r.priority === priority && r.tier === tier);
  if (!rule) throw new Error(`policy ${policy.version} has no rule for ${priority}/${tier}`);
  return rule;
}

/** `resolution@1.0`, `nextUpdate@0.75`: the clock and the fraction, as escalation ids spell them. */
export function stepKey(clock: ClockName, at: number): string {
  return `${clock}@${Number.isInteger(at) ? at.toFixed(1) : String(at)}`;
}

/** One level up, or null at p1. */
export function raisedPriority(p: TicketPriority): TicketPriority | null {
  const i = TICKET_PRIORITIES.indexOf(p);
  return i > 0 ? TICKET_PRIORITIES[i - 1]! : null;
}

export const DEFAULT_POLICY: SlaPolicy = SlaPolicy.parse(data);
