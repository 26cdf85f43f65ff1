/**
 * The endpoints an operator's tooling reads from every process: readiness (`/api/v1/ready`) and
 * Prometheus metrics (`/metrics`). The api role serves them with the app; a process without it (ingest,
 * worker) serves them alone, with health, on its PORT. See docs/operations.md.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Readiness } from '@poscare/contracts';
import type { Config } from '../config.js';
import { listMigrations, schemaVersion } from '../db/migrate.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { metricsAccess, type Metrics } from '../metrics/metrics.js';
import { errorHandler } from '../http/errorHandler.js';
import { VERSION } from '../version.js';
import type { AppContext } from './context.js';

export interface OperationsOptions {
  /** Whether every role of this process has started (set by `poscare start` once they have). */
  rolesStarted?: () => boolean;
}

type Role = Config['POSCARE_ROLES'][number];

export async function readiness(ctx: AppContext, rolesStarted: () => boolean): Promise<Readiness> {
  let database = false;
  let migrations = false;
  try {
    await ctx.db.executeSql('SELECT 1', []);
    database = true;
    migrations = (await schemaVersion(ctx.db)) === listMigrations().at(-1);
  } catch {
    // not reachable: both stay false
  }
  const roles = rolesStarted();
  return { ready: database && migrations && roles, checks: { database, migrations, roles }, roles: [...ctx.config.POSCARE_ROLES] as Role[] };
}

export function installOperations(app: FastifyInstance, ctx: AppContext, services: { metrics: Metrics; pipeline: IngestPipeline }, opts: OperationsOptions = {}): void {
  const { metrics } = services;
  metrics.watchIngest(services.pipeline);
  metrics.watchJobQueues(ctx.db);
  metrics.watchAlertHandoff(ctx.db);
  metrics.instrument(app);
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/api/v1/ready', {
    config: { auth: 'public' },
    schema: { tags: ['system'], summary: 'Ready for traffic: database reachable, migrations applied, every role started (503 until then)', response: { 200: Readiness, 503: Readiness } },
    handler: async (_req, reply) => {
      const r = await readiness(ctx, opts.rolesStarted ?? (() => true));
      return reply.status(r.ready ? 200 : 503).send(r);
    },
  });
  api.get('/metrics', {
    config: { auth: 'public' },
    schema: { hide: true },
    onRequest: metricsAccess(ctx.config.METRICS_TOKEN),
    handler: async (_req, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  });
}

/** For a process without the api role: health, readiness and metrics on PORT, nothing else. */
export async function startOperationsServer(ctx: AppContext, services: { metrics: Metrics; pipeline: IngestPipeline }, opts: OperationsOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log as unknown as FastifyBaseLogger, disableRequestLogging: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('lang', 'en-US');
  app.get('/api/v1/health', { schema: { response: { 200: z.object({ status: z.literal('ok'), version: z.string() }) } }, handler: async () => ({ status: 'ok' as const, version: VERSION }) });
  installOperations(app as unknown as FastifyInstance, ctx, services, opts);
  await app.listen({ port: ctx.config.PORT, host: ctx.config.HOST });
  return app as unknown as FastifyInstance;
}
