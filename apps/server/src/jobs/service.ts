/** Background jobs as an operator sees them: installation-wide, so for platform administrators only. */
import type { FailedJobs } from '@poscare/contracts';
import { assertCan, type Actor } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { failedJobs, queueDepths } from './repository.js';

export class JobService {
  constructor(private readonly ctx: AppContext) {}

  async failed(actor: Actor, q: { name?: string | undefined; limit: number }): Promise<FailedJobs> {
    assertCan(actor, 'system:operate');
    const [items, queues] = await Promise.all([failedJobs(this.ctx.db, q), queueDepths(this.ctx.db)]);
    return { items, queues };
  }
}
