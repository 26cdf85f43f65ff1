/**
 * Staged rollouts (issue 18), the skeleton: a rollout is planned from a catalogued package and a filter
 * (the terminals a bulk command would reach, less those the package does not fit), split into waves by
 * the planner, and moved between states by people — only WHERE state = the state they saw, so two
 * people cannot both win. Starting or resuming a rollout takes a step (runner.ts): the current wave's
 * install commands go out; the `rollouts.pass` job then follows them, halts or moves to the next wave.
 */
import { randomUUID } from 'node:crypto';
import { isCompatible, ROLLOUT_TRANSITIONS, type Rollout, type RolloutCreate, type RolloutDetail, type RolloutState, type CommandFilter } from '@poscare/contracts';
import { and, count, desc, eq } from 'drizzle-orm';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { CommandService } from '../commands/service.js';
import { rollouts, rolloutTargets } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { SoftwareService } from '../software/service.js';
import { planWaves } from './planner.js';
import { runRolloutPass, stepRollout } from './runner.js';
import { HALT_POLICY } from './halt.js';

type Row = typeof rollouts.$inferSelect;

const present = (r: Row): Rollout => ({
  id: r.id,
  name: r.name,
  packageId: r.packageId,
  filter: r.filter as CommandFilter,
  waves: r.waves,
  state: r.state as RolloutState,
  currentWave: r.currentWave,
  matched: r.matched,
  excluded: r.excluded,
  createdBy: r.createdByName,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export class RolloutService {
  private software: SoftwareService;
  constructor(
    private ctx: AppContext,
    private commands: CommandService,
  ) {
    this.software = new SoftwareService(ctx);
  }

  async plan(actor: Actor, req: RolloutCreate): Promise<RolloutDetail> {
    assertCan(actor, 'software:manage');
    const pkg = await this.software.get(actor, req.packageId);
    const { reachable } = await this.commands.targets(actor, req.filter);
    const mine = reachable.filter((t) => t.orgId === actor.orgId);
    const fits = mine.filter((t) => isCompatible(pkg, t).ok);
    if (fits.length === 0) throw new AppError('rollout.empty', 400, { excluded: mine.length - fits.length });
    const id = randomUUID();
    const plan = planWaves(id, fits.map((t) => t.id), req.waves);
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.insert(rollouts).values({
        id, orgId: actor.orgId, name: req.name, packageId: pkg.id, filter: req.filter, waves: req.waves, state: 'planned', currentWave: null,
        matched: mine.length, excluded: mine.length - fits.length, createdBy: authorId(actor), createdByName: actor.name, createdAt: now, updatedAt: now,
      });
      const rows = [...plan].map(([terminalId, wave]) => ({ rolloutId: id, terminalId, orgId: actor.orgId, wave, state: 'pending', updatedAt: now }));
      for (let i = 0; i < rows.length; i += 500) await tx.insert(rolloutTargets).values(rows.slice(i, i + 500));
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'rollout', entityId: id, after: { name: req.name, packageId: pkg.id, version: pkg.version, waves: req.waves, filter: req.filter, targets: rows.length, excluded: mine.length - fits.length } }, now);
    });
    return this.get(actor, id);
  }

  async list(actor: Actor): Promise<Rollout[]> {
    assertCan(actor, 'software:read');
    const rows = await this.ctx.db.orm.select().from(rollouts).where(eq(rollouts.orgId, actor.orgId)).orderBy(desc(rollouts.createdAt)).limit(100);
    return rows.map(present);
  }

  private async row(actor: Actor, id: string): Promise<Row> {
    const [r] = await this.ctx.db.orm.select().from(rollouts).where(and(eq(rollouts.id, id), eq(rollouts.orgId, actor.orgId)));
    if (!r) throw errors.notFound('rollout');
    return r;
  }

  async get(actor: Actor, id: string): Promise<RolloutDetail> {
    assertCan(actor, 'software:read');
    const r = await this.row(actor, id);
    const counts = await this.ctx.db.orm
      .select({ wave: rolloutTargets.wave, state: rolloutTargets.state, n: count() })
      .from(rolloutTargets)
      .where(eq(rolloutTargets.rolloutId, id))
      .groupBy(rolloutTargets.wave, rolloutTargets.state);
    const wavesDetail = r.waves.map((_, wave) => {
      const byState: Record<string, number> = {};
      for (const c of counts) if (c.wave === wave) byState[c.state] = Number(c.n);
      return { wave, terminals: Object.values(byState).reduce((a, b) => a + b, 0), byState };
    });
    return { ...present(r), wavesDetail };
  }

  /**
   * Start, pause, resume, complete or abort. The move is written only while the rollout is still in the
   * state this request found it in: of two people acting at once, the second is told it changed (409).
   */
  async transition(actor: Actor, id: string, to: RolloutState): Promise<RolloutDetail> {
    assertCan(actor, 'software:manage');
    const r = await this.row(actor, id);
    const from = r.state as RolloutState;
    if (!ROLLOUT_TRANSITIONS[from].includes(to)) throw new AppError('rollout.bad_transition', 409, { from, to });
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const moved = await tx
        .update(rollouts)
        .set({ state: to, updatedAt: now, ...(to === 'running' && r.currentWave === null ? { currentWave: 0 } : {}) })
        .where(and(eq(rollouts.id, id), eq(rollouts.orgId, actor.orgId), eq(rollouts.state, from)))
        .returning({ id: rollouts.id });
      if (moved.length === 0) throw new AppError('rollout.state_changed', 409);
      await recordAudit(tx, actor, actor.orgId, { action: 'transition', entity: 'rollout', entityId: id, before: { state: from }, after: { state: to, ...(to === 'running' ? { haltPolicy: HALT_POLICY } : {}) } }, now);
    });
    // Started or resumed: the current wave's installs go out now rather than at the next pass.
    if (to === 'running') await stepRollout(this.ctx, this.commands, id);
    return this.get(actor, id);
  }

  /** The scheduled pass over every organization's rollouts (jobs: `rollouts.pass`). */
  pass() {
    return runRolloutPass(this.ctx, this.commands);
  }
}
