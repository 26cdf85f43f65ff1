/**
 * Driving a rollout (issue 18): a step sends the current wave's `install` commands through the command
 * service (stored, audited and pushed like any command), follows their acknowledgements into each target's
 * state (installing → installed / failed / no_answer once the command expired), judges the wave (halt.ts)
 * and, when the wave is done and healthy, moves on to the next one, or completes the rollout after the last.
 *
 * A step runs when a person starts or resumes a rollout, and every minute in the `rollouts.pass` job for
 * every running rollout. The judgement runs under the rollout's row lock and every move is written only
 * WHERE the state (and wave) is the one judged, so two passes at once halt or advance a rollout once.
 * Targets are claimed (pending → installing) by one UPDATE before their command is sent, so no terminal is
 * sent a wave's command twice; before each send the rollout must still be running (a pause or an abort
 * stops sending; claimed targets not yet sent go back to pending). Time is the injected clock.
 */
import { systemActor } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import { COMMAND_TTL_MS, type CommandService } from '../commands/service.js';
import type { RawTx } from '../db/client.js';
import type { AppContext } from '../platform/context.js';
import { HALT_POLICY, judgeWave, type WaveJudgement } from './halt.js';

type RolloutRow = { id: string; org_id: string; name: string; package_id: string; waves: number[]; state: string; current_wave: number | null };

export interface StepResult {
  state: string;
  currentWave: number | null;
  sent: number;
  halted: boolean;
  judgement: WaveJudgement | null;
}

/**
 * A target claimed but never given its command (the process stopped mid-wave) goes back to pending after this
 * long, longer than a pass may run (the job expires after 5 minutes), so the next step sends it.
 */
export const UNSENT_CLAIM_MS = 10 * 60_000;

/** Acknowledgements into target states: succeeded → installed, failed → failed, expired unanswered → no_answer. */
async function follow(tx: RawTx, id: string, now: Date): Promise<void> {
  await tx.query(
    "UPDATE rollout_targets SET state = 'pending', updated_at = $2 WHERE rollout_id = $1 AND state = 'installing' AND command_id IS NULL AND updated_at < $3",
    [id, now, new Date(now.getTime() - UNSENT_CLAIM_MS)],
  );
  await tx.query(
    `UPDATE rollout_targets rt SET state = x.next, updated_at = $2
     FROM (
       SELECT t.terminal_id,
              CASE WHEN a.status = 'succeeded' THEN 'installed'
                   WHEN a.status = 'failed' THEN 'failed'
                   WHEN t.state = 'installing' AND c.created_at < $3 THEN 'no_answer' END AS next
       FROM rollout_targets t
       JOIN commands c ON c.id = t.command_id
       LEFT JOIN LATERAL (SELECT status FROM command_acks WHERE terminal_id = c.terminal_id AND command_id = c.id AND status <> 'received' ORDER BY at DESC LIMIT 1) a ON true
       WHERE t.rollout_id = $1 AND t.state IN ('installing', 'no_answer')
     ) x
     WHERE rt.rollout_id = $1 AND rt.terminal_id = x.terminal_id AND x.next IS NOT NULL AND rt.state <> x.next`,
    [id, now, new Date(now.getTime() - COMMAND_TTL_MS)],
  );
}

async function outcome(tx: RawTx, id: string, wave: number) {
  const rows = await tx.query<{ state: string; n: string | number }>('SELECT state, count(*) AS n FROM rollout_targets WHERE rollout_id = $1 AND wave = $2 GROUP BY state', [id, wave]);
  const by = (s: string) => Number(rows.find((r) => r.state === s)?.n ?? 0);
  return { installed: by('installed'), failed: by('failed'), noAnswer: by('no_answer'), open: by('pending') + by('installing') + by('downloading') };
}

/** One step of one rollout: follow, judge, halt / advance / complete, then send the current wave's pending targets. */
export async function stepRollout(ctx: AppContext, commands: CommandService, id: string): Promise<StepResult | null> {
  const now = ctx.clock.now();
  const judged = await ctx.db.rawTransaction(async (tx) => {
    // The row lock: a second step of the same rollout waits here, then sees what the first wrote.
    const [r] = await tx.query<RolloutRow>('SELECT id, org_id, name, package_id, waves, state, current_wave FROM rollouts WHERE id = $1 FOR UPDATE', [id]);
    if (!r) return null;
    await follow(tx, id, now);
    const out = { r, halted: false, judgement: null as WaveJudgement | null };
    if (r.state !== 'running' || r.current_wave === null) return out;
    const wave = r.current_wave;
    const o = await outcome(tx, id, wave);
    const j = judgeWave(o, HALT_POLICY);
    out.judgement = j;
    const actor = systemActor(r.org_id, 'rollout halt');
    if (j.verdict === 'halt') {
      const moved = await tx.query("UPDATE rollouts SET state = 'halted', updated_at = $2 WHERE id = $1 AND state = 'running' AND current_wave = $3 RETURNING id", [id, now, wave]);
      if (moved.length) {
        out.halted = true;
        r.state = 'halted';
        await recordAuditTx(tx, actor, r.org_id, {
          action: 'halt',
          entity: 'rollout',
          entityId: id,
          before: { state: 'running' },
          after: { state: 'halted', reason: 'wave_failure_rate', wave, ...o, ...j, policy: HALT_POLICY },
        }, now);
      }
    } else if (j.verdict === 'done') {
      const last = wave >= r.waves.length - 1;
      const moved = await tx.query(
        `UPDATE rollouts SET ${last ? "state = 'completed'" : 'current_wave = current_wave + 1'}, updated_at = $2 WHERE id = $1 AND state = 'running' AND current_wave = $3 RETURNING id`,
        [id, now, wave],
      );
      if (moved.length) {
        if (last) r.state = 'completed';
        else r.current_wave = wave + 1;
        await recordAuditTx(tx, systemActor(r.org_id, 'rollout'), r.org_id, {
          action: last ? 'complete' : 'next_wave',
          entity: 'rollout',
          entityId: id,
          before: { state: 'running', wave },
          after: last ? { state: 'completed', ...o } : { state: 'running', wave: wave + 1, previous: { ...o, ...j } },
        }, now);
      }
    }
    return out;
  });
  if (!judged) return null;
  const { r } = judged;
  const sent = r.state === 'running' && r.current_wave !== null ? await sendWave(ctx, commands, r, r.current_wave) : 0;
  return { state: r.state, currentWave: r.current_wave, sent, halted: judged.halted, judgement: judged.judgement };
}

/** Claims the wave's pending targets and sends each its install, while the rollout is still running that wave. */
async function sendWave(ctx: AppContext, commands: CommandService, r: RolloutRow, wave: number): Promise<number> {
  const now = ctx.clock.now();
  const claimed = await ctx.db.rawTransaction((tx) =>
    tx.query<{ terminal_id: string }>(
      `UPDATE rollout_targets SET state = 'installing', updated_at = $3
       WHERE rollout_id = $1 AND wave = $2 AND state = 'pending' AND command_id IS NULL
         AND EXISTS (SELECT 1 FROM rollouts WHERE id = $1 AND state = 'running' AND current_wave = $2)
       RETURNING terminal_id`,
      [r.id, wave, now],
    ),
  );
  if (!claimed.length) return 0;
  const pkg = (await ctx.db.rawTransaction((tx) => tx.query<{ kind: string; version: string }>('SELECT kind, version FROM software_packages WHERE id = $1', [r.package_id])))[0];
  const actor = systemActor(r.org_id, `rollout ${r.name}`);
  let sent = 0;
  for (let i = 0; i < claimed.length; i++) {
    const terminalId = claimed[i]!.terminal_id;
    const [now2] = await ctx.db.rawTransaction((tx) => tx.query<{ state: string; current_wave: number | null }>('SELECT state, current_wave FROM rollouts WHERE id = $1', [r.id]));
    if (!pkg || now2?.state !== 'running' || now2.current_wave !== wave) {
      // Paused, halted or aborted meanwhile: the targets not sent yet wait (or stay) unsent.
      const rest = claimed.slice(i).map((c) => c.terminal_id);
      await ctx.db.rawTransaction((tx) =>
        tx.query("UPDATE rollout_targets SET state = 'pending', updated_at = $3 WHERE rollout_id = $1 AND terminal_id = ANY($2::uuid[]) AND command_id IS NULL", [r.id, rest, now]),
      );
      break;
    }
    let commandId: string | null = null;
    try {
      const c = await commands.send(actor, terminalId, {
        name: 'install',
        args: { kind: pkg.kind, version: pkg.version, packageId: r.package_id },
        reason: `Rollout "${r.name}", wave ${wave + 1} of ${r.waves.length}`,
      });
      commandId = c.id;
      sent++;
    } catch (err) {
      // The terminal was unenrolled or the package no longer fits it: this target failed without a command.
      ctx.log.warn({ err, rolloutId: r.id, terminalId }, 'rollout install not sent');
    }
    await ctx.db.rawTransaction((tx) =>
      tx.query(`UPDATE rollout_targets SET ${commandId ? 'command_id = $3' : "state = 'failed'"}, updated_at = $4 WHERE rollout_id = $1 AND terminal_id = $2`, [r.id, terminalId, commandId, now]),
    );
  }
  return sent;
}

/** The scheduled pass (`rollouts.pass`): a step of every running rollout, and following the acks of paused or halted ones. */
export async function runRolloutPass(ctx: AppContext, commands: CommandService, limit = 200): Promise<{ rollouts: number; sent: number; halted: number; completed: number }> {
  const rows = await ctx.db.rawTransaction((tx) =>
    tx.query<{ id: string }>(
      `SELECT r.id FROM rollouts r WHERE r.state = 'running'
          OR (r.state IN ('paused', 'halted', 'aborted') AND EXISTS (SELECT 1 FROM rollout_targets t WHERE t.rollout_id = r.id AND t.state = 'installing'))
       ORDER BY r.updated_at LIMIT ${Math.floor(limit)}`,
    ),
  );
  const out = { rollouts: rows.length, sent: 0, halted: 0, completed: 0 };
  for (const { id } of rows) {
    try {
      const s = await stepRollout(ctx, commands, id);
      if (!s) continue;
      out.sent += s.sent;
      if (s.halted) out.halted++;
      if (s.state === 'completed') out.completed++;
    } catch (err) {
      ctx.log.warn({ err, rolloutId: id }, 'rollout step failed');
    }
  }
  return out;
}
