import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FailedJobs, FailedJobsQuery } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { JobService } from './service.js';

const tags = ['operations'];

export const jobRoutes =
  (svc: JobService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/admin/jobs/failed', {
      config: { permission: 'system:operate' },
      schema: { tags, summary: 'Background jobs that failed every try (dead letters), newest first, and the depth of each job queue (platform admins)', querystring: FailedJobsQuery, response: { 200: FailedJobs } },
      handler: async (req) => svc.failed(requireActor(req), req.query),
    });
  };
