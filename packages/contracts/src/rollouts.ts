/**
 * Staged rollouts (issue 18): one catalogued package to the terminals a filter matches, in waves given
 * as cumulative percentages (canary 1% → 10% → 50% → 100%). Terminals the package does not fit are left
 * out when the rollout is planned. A rollout's state moves only along ROLLOUT_TRANSITIONS.
 */
import { z } from 'zod';
import { CommandFilter } from './commands.js';
import { Id } from './common.js';

export const ROLLOUT_STATES = ['planned', 'running', 'paused', 'halted', 'completed', 'aborted'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
/**
 * Where a person may move a rollout from each state. Only the rollout pass halts (running → halted, when a
 * wave fails significantly more than allowed); a halted rollout is then only aborted by a person.
 */
export const ROLLOUT_TRANSITIONS: Record<RolloutState, readonly RolloutState[]> = {
  planned: ['running', 'aborted'],
  running: ['paused', 'completed', 'aborted'],
  paused: ['running', 'aborted'],
  halted: ['aborted'],
  completed: [],
  aborted: [],
};
/** `no_answer`: the install command expired without the terminal saying succeeded or failed. */
export const ROLLOUT_TARGET_STATES = ['pending', 'downloading', 'installing', 'installed', 'failed', 'no_answer', 'rolled_back'] as const;
export type RolloutTargetState = (typeof ROLLOUT_TARGET_STATES)[number];

export const DEFAULT_WAVES = [1, 10, 50, 100] as const;

export const RolloutWaves = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .max(10)
  .refine((w) => w.every((p, i) => i === 0 || p > w[i - 1]!), { message: 'each wave a larger percentage than the one before' })
  .refine((w) => w[w.length - 1] === 100, { message: 'the last wave is 100%' });

export const RolloutCreate = z
  .object({
    name: z.string().trim().min(1).max(120),
    packageId: Id,
    filter: CommandFilter,
    waves: RolloutWaves.default([...DEFAULT_WAVES]),
  })
  .strict();
export type RolloutCreate = z.infer<typeof RolloutCreate>;

export const RolloutTransition = z.object({ to: z.enum(ROLLOUT_STATES) }).strict();
export type RolloutTransition = z.infer<typeof RolloutTransition>;

export const Rollout = z.object({
  id: Id,
  name: z.string(),
  packageId: Id,
  filter: CommandFilter,
  waves: z.array(z.number().int()),
  state: z.enum(ROLLOUT_STATES),
  currentWave: z.number().int().nullable(),
  matched: z.number().int().describe('Terminals the filter matched (enrolled, in service)'),
  excluded: z.number().int().describe('Of them, left out because the package does not fit their model or OS'),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Rollout = z.infer<typeof Rollout>;

export const RolloutDetail = Rollout.extend({
  /** Terminals per wave (not cumulative), and their states. */
  wavesDetail: z.array(z.object({ wave: z.number().int(), terminals: z.number().int(), byState: z.record(z.string(), z.number().int()) })),
});
export type RolloutDetail = z.infer<typeof RolloutDetail>;
