import { OFFLINE_AFTER_MS } from '../fleet/health.js';
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import {
  type AcceptanceCreate,
  LIFECYCLE_STATES,
  LIFECYCLE_TRANSITIONS,
  type LifecycleChange,
  type LifecycleState,
  type TerminalCreate,
  type TerminalQuery,
  type TerminalUpdate,
} from '@poscare/contracts';
import type { Orm } from '../db/client.js';
import { sites, terminalAcceptances, terminalStateHistory, terminals } from '../db/schema.js';
import { errors, fromUniqueViolation } from '../errors/errors.js';
import { type Actor, assertCan, authorId, targetOrg } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import * as repo from './repository.js';

const UNIQUE = { terminals_org_serial: ['terminal', 'serial_number'] as [string, string] };
/** States in which a terminal is at a merchant's site and so must have one. */
const NEEDS_SITE: readonly LifecycleState[] = ['installed', 'active'];

export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}

export class TerminalService {
  constructor(private ctx: AppContext) {}

  list(actor: Actor, q: z.infer<typeof TerminalQuery>) {
    assertCan(actor, 'inventory:read');
    return repo.listTerminals(this.ctx.db.orm, actor, q, new Date(this.ctx.clock.now().getTime() - OFFLINE_AFTER_MS));
  }

  async get(actor: Actor, id: string) {
    assertCan(actor, 'inventory:read');
    const row = await repo.findTerminal(this.ctx.db.orm, actor, id);
    if (!row) throw errors.notFound('terminal');
    return row;
  }

  async detail(actor: Actor, id: string) {
    const row = await this.get(actor, id);
    const [history, acceptances] = await Promise.all([
      repo.terminalHistory(this.ctx.db.orm, id),
      repo.terminalAcceptanceRecords(this.ctx.db.orm, id),
    ]);
    return {
      ...row.terminal,
      siteName: row.siteName,
      merchantName: row.merchantName,
      history,
      acceptances,
      allowedTransitions: [...LIFECYCLE_TRANSITIONS[row.terminal.lifecycleState]],
    };
  }

  async stats(actor: Actor) {
    assertCan(actor, 'inventory:read');
    const { byState, byModel } = await repo.terminalStats(this.ctx.db.orm, actor);
    const states = Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, 0])) as Record<LifecycleState, number>;
    for (const r of byState) states[r.state] = r.n;
    return {
      byState: states,
      total: byState.reduce((a, r) => a + r.n, 0),
      byModel: byModel.map((r) => ({ model: r.model, count: r.n })),
    };
  }

  /** Resolves a site id to the site's merchant, checking it lies in the terminal's organization. */
  private async siteOwner(orm: Orm, orgId: string, siteId: string | null | undefined) {
    if (!siteId) return { siteId: null, merchantId: null };
    const [site] = await orm.select().from(sites).where(and(eq(sites.id, siteId), eq(sites.orgId, orgId)));
    if (!site) throw errors.notFound('site');
    return { siteId: site.id, merchantId: site.merchantId };
  }

  async create(actor: Actor, input: z.infer<typeof TerminalCreate>) {
    assertCan(actor, 'inventory:write');
    const { orgId: requestedOrg, siteId, lifecycleState, ...fields } = input;
    const orgId = targetOrg(actor, requestedOrg);
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const owner = await this.siteOwner(tx, orgId, siteId);
        if (NEEDS_SITE.includes(lifecycleState) && !owner.siteId) throw errors.siteRequired(lifecycleState);
        const [row] = await tx
          .insert(terminals)
          .values({ ...fields, ...owner, orgId, lifecycleState, createdAt: now, updatedAt: now })
          .returning();
        await tx.insert(terminalStateHistory).values({
          orgId,
          terminalId: row!.id,
          fromState: null,
          toState: lifecycleState,
          reason: 'created',
          actorId: authorId(actor),
          actorName: actor.name,
          at: now,
        });
        await recordAudit(tx, actor, row!.orgId, { action: 'create', entity: 'terminal', entityId: row!.id, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async update(actor: Actor, id: string, input: z.infer<typeof TerminalUpdate>) {
    assertCan(actor, 'inventory:write');
    const before = (await this.get(actor, id)).terminal;
    const now = this.ctx.clock.now();
    const { siteId, ...fields } = input;
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const owner = siteId === undefined ? {} : await this.siteOwner(tx, before.orgId, siteId);
        if ('siteId' in owner && !owner.siteId && NEEDS_SITE.includes(before.lifecycleState)) {
          throw errors.siteRequired(before.lifecycleState);
        }
        const [row] = await tx
          .update(terminals)
          .set({ ...fields, ...owner, updatedAt: now })
          .where(eq(terminals.id, id))
          .returning();
        await recordAudit(tx, actor, before.orgId, { action: 'update', entity: 'terminal', entityId: id, before, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async changeLifecycle(actor: Actor, id: string, change: z.infer<typeof LifecycleChange>) {
    assertCan(actor, 'terminal:lifecycle');
    const before = (await this.get(actor, id)).terminal;
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction((tx) => this.transition(tx, actor, before, change.to, change.reason ?? null, now));
  }

  private async transition(
    tx: Orm,
    actor: Actor,
    before: typeof terminals.$inferSelect,
    to: LifecycleState,
    reason: string | null,
    now: Date,
  ) {
    if (!canTransition(before.lifecycleState, to)) throw errors.illegalTransition(before.lifecycleState, to);
    if (NEEDS_SITE.includes(to) && !before.siteId) throw errors.siteRequired(to);
    const [row] = await tx
      .update(terminals)
      .set({ lifecycleState: to, updatedAt: now })
      // Guards against a concurrent change: the update only applies to the state we checked.
      .where(and(eq(terminals.id, before.id), eq(terminals.lifecycleState, before.lifecycleState)))
      .returning();
    if (!row) throw errors.illegalTransition(before.lifecycleState, to);
    await tx.insert(terminalStateHistory).values({
      orgId: before.orgId,
      terminalId: before.id,
      fromState: before.lifecycleState,
      toState: to,
      reason,
      actorId: authorId(actor),
      actorName: actor.name,
      at: now,
    });
    await recordAudit(
      tx,
      actor,
      before.orgId,
      { action: 'lifecycle', entity: 'terminal', entityId: before.id, before: { lifecycleState: before.lifecycleState }, after: { lifecycleState: to, reason } },
      now,
    );
    return row;
  }

  /**
   * Records an installation acceptance check. A check passes when nothing failed (not-applicable is
   * fine, e.g. no magstripe reader); a passed check on an installed terminal puts it into service.
   */
  async recordAcceptance(actor: Actor, id: string, input: z.infer<typeof AcceptanceCreate>) {
    assertCan(actor, 'terminal:acceptance');
    const terminal = (await this.get(actor, id)).terminal;
    const passed = !Object.values(input.items).includes('fail');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx
        .insert(terminalAcceptances)
        .values({
          orgId: terminal.orgId,
          terminalId: id,
          items: input.items,
          passed,
          notes: input.notes ?? null,
          actorId: authorId(actor),
          actorName: actor.name,
          at: now,
        })
        .returning();
      await recordAudit(tx, actor, terminal.orgId, { action: 'acceptance', entity: 'terminal', entityId: id, after: { items: input.items, passed } }, now);
      if (passed && terminal.lifecycleState === 'installed') {
        await this.transition(tx, actor, terminal, 'active', 'acceptance_passed', now);
      }
      return row!;
    });
  }
}
