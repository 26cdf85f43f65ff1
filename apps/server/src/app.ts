/**
 * Builds the HTTP application: plugins, the access gate, the error mapper and every domain's routes.
 * Used by `poscare start` (api role) and by tests through `app.inject`.
 */
import { existsSync } from 'node:fs';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditService } from './audit/service.js';
import { auditRoutes } from './audit/routes.js';
import { AuthService } from './auth/service.js';
import { authRoutes } from './auth/routes.js';
import { installAccess } from './http/access.js';
import { installMfaGate } from './auth/mfaGate.js';
import { SecuritySignals } from './security/signals.js';
import { installInputGuard } from './http/inputGuard.js';
import { HELMET_OPTIONS, installHsts } from './http/securityHeaders.js';
import { errorHandler, renderError } from './http/errorHandler.js';
import { AppError } from './errors/errors.js';
import { ImportService } from './imports/service.js';
import { importRoutes } from './imports/routes.js';
import { MerchantService } from './merchants/service.js';
import { merchantRoutes } from './merchants/routes.js';
import { OrganizationService } from './organizations/service.js';
import { organizationRoutes } from './organizations/routes.js';
import type { AppContext } from './platform/context.js';
import { SiteService } from './sites/service.js';
import { siteRoutes } from './sites/routes.js';
import { TerminalService } from './terminals/service.js';
import { terminalRoutes } from './terminals/routes.js';
import { UserService } from './users/service.js';
import { userRoutes } from './users/routes.js';
import { VERSION } from './version.js';
import { DeviceService } from './devices/service.js';
import { deviceAdminRoutes, deviceChannelRoutes } from './devices/routes.js';
import { FleetService } from './fleet/service.js';
import { fleetRoutes } from './fleet/routes.js';
import { IngestPipeline, type PipelineOptions } from './ingest/pipeline.js';
import { DiagnosisService } from './diagnosis/service.js';
import { diagnosisRoutes } from './diagnosis/routes.js';
import { CommandService } from './commands/service.js';
import { commandDeviceRoutes, commandRoutes } from './commands/routes.js';
import { LogService } from './commands/logs.js';
import { SoftwareService } from './software/service.js';
import { softwareDeviceRoutes, softwareRoutes } from './software/routes.js';
import { RolloutService } from './rollouts/service.js';
import { rolloutRoutes } from './rollouts/routes.js';
import { AlertService } from './alerts/service.js';
import { alertRoutes } from './alerts/routes.js';
import { NotificationService } from './notifications/service.js';
import { notificationRoutes } from './notifications/routes.js';
import { TicketService } from './tickets/service.js';
import { ticketRoutes } from './tickets/routes.js';
import { ReportService } from './reports/service.js';
import { reportRoutes } from './reports/routes.js';
import { KnowledgeService } from './knowledge/service.js';
import { knowledgeRoutes } from './knowledge/routes.js';
import { createFieldworkServices, fieldworkRoutes, type FieldworkServices } from './fieldwork/index.js';
import { SatisfactionService } from './satisfaction/service.js';
import { satisfactionRoutes } from './satisfaction/routes.js';
import { OverviewService } from './overview/service.js';
import { overviewRoutes } from './overview/routes.js';
// -- operations imports --
import { JobService } from './jobs/service.js';
import { jobRoutes } from './jobs/routes.js';
import { Metrics } from './metrics/metrics.js';
import { installOperations } from './platform/operations.js';
// -- risk imports --
import { RiskService } from './risk/service.js';
import { RiskThresholds } from './risk/thresholds.js';
import { riskRoutes } from './risk/routes.js';
import { PaymentFeed } from './payments/feed.js';
import { feedPaymentsFrom } from './payments/ingestFeed.js';
import { PaymentService } from './payments/service.js';
import { paymentRoutes } from './payments/routes.js';
// -- findings imports --
import { FindingService } from './findings/service.js';
import { findingRoutes } from './findings/routes.js';
// -- disputes imports --
import { DisputeService } from './disputes/service.js';
import { disputeRoutes } from './disputes/routes.js';

export interface Services {
  auth: AuthService;
  organizations: OrganizationService;
  merchants: MerchantService;
  sites: SiteService;
  terminals: TerminalService;
  users: UserService;
  imports: ImportService;
  audit: AuditService;
  devices: DeviceService;
  fleet: FleetService;
  pipeline: IngestPipeline;
  diagnosis: DiagnosisService;
  commands: CommandService;
  commandLogs: LogService;
  /** The software catalogue: signed packages, trusted keys, compatibility (issue 18). */
  software: SoftwareService;
  /** Staged rollouts: planned waves, guarded state (issue 18). */
  rollouts: RolloutService;
  alerts: AlertService;
  notifications: NotificationService;
  tickets: TicketService;
  // -- kb service --
  knowledge: KnowledgeService;
  // -- fieldwork service --
  fieldwork: FieldworkServices;
  // -- reports service --
  reports: ReportService;
  satisfaction: SatisfactionService;
  overview: OverviewService;
  security: SecuritySignals;
  // -- operations service --
  /** Background jobs as operators see them (dead letters, queue depth). */
  jobs: JobService;
  /** This process's Prometheus registry (/metrics). */
  metrics: Metrics;
  // -- risk service --
  /** Risk cases, block list, risk/decide (in-memory index), per-kind statistics. */
  risk: RiskService;
  /** Threshold versions and backtests; `onSaved` tells the live findings engine to reload. */
  riskThresholds: RiskThresholds;
  // -- payments --
  /** Committed payment records (terminal lines from ingest, host records from imports), for the live findings engine. */
  paymentFeed: PaymentFeed;
  /** Host records import, the transactions explorer, reconciliation. */
  payments: PaymentService;
  // -- findings service --
  /** Live findings over HTTP (list, detail with both sides, ask for help, charged twice?). */
  findings: FindingService;
  // -- disputes service --
  /** Disputes: matching, evidence packs, merchant responses, the PDF. */
  disputes: DisputeService;
}

export function createServices(ctx: AppContext, ingest: PipelineOptions = {}): Services {
  const notifications = new NotificationService(ctx);
  const security = new SecuritySignals(ctx, { notifier: notifications });
  const devices = new DeviceService(ctx);
  devices.attachSignals(security);
  // -- payments feed --
  const paymentFeed = new PaymentFeed();
  const commands = new CommandService(ctx);
  return {
    auth: new AuthService(ctx, { signals: security }),
    organizations: new OrganizationService(ctx),
    merchants: new MerchantService(ctx),
    sites: new SiteService(ctx),
    terminals: new TerminalService(ctx),
    users: new UserService(ctx),
    imports: new ImportService(ctx),
    audit: new AuditService(ctx),
    devices,
    fleet: new FleetService(ctx),
    pipeline: feedPaymentsFrom(new IngestPipeline(ctx, ingest), paymentFeed, ctx),
    diagnosis: new DiagnosisService(ctx),
    commands,
    commandLogs: new LogService(ctx),
    software: new SoftwareService(ctx),
    rollouts: new RolloutService(ctx, commands),
    alerts: new AlertService(ctx),
    notifications,
    tickets: new TicketService(ctx),
    // -- kb service instance --
    knowledge: new KnowledgeService(ctx),
    // -- fieldwork service instance --
    fieldwork: createFieldworkServices(ctx),
    // -- reports service instance --
    reports: new ReportService(ctx),
    satisfaction: new SatisfactionService(ctx),
    overview: new OverviewService(ctx),
    security,
    // -- operations service instance --
    jobs: new JobService(ctx),
    metrics: new Metrics(),
    // -- risk service instances --
    risk: new RiskService(ctx),
    riskThresholds: new RiskThresholds(ctx),
    // -- payments feed instance --
    paymentFeed,
    payments: new PaymentService(ctx, paymentFeed),
    // -- findings service instance --
    findings: new FindingService(ctx, new TicketService(ctx)),
    // -- disputes service instance --
    disputes: new DisputeService(ctx),
  };
}

export interface BuildOptions {
  /** Folder of the built console; served at / when present. */
  consoleDist?: string | undefined;
  /** With `--demo`: how far the demo data has loaded (the health answer tells the console, which shows a banner). */
  demoStage?: (() => string) | undefined;
  /** Whether every role of this process has started (the readiness answer); unset: ready once built. */
  rolesStarted?: (() => boolean) | undefined;
  /** false: risk/decide as before decision 016 (zod validation and serialisation, helmet): the benchmark's same-run "before". */
  leanDecide?: boolean | undefined;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}, given?: Services): Promise<{ app: FastifyInstance; services: Services }> {
  const services = given ?? createServices(ctx);
  const app = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // X-Forwarded-For counts only from the proxies TRUST_PROXY names; otherwise anyone could pick the
    // address the sign-in limits count against.
    // Fastify takes a hop count too (proxy-addr); its types leave number out.
    trustProxy: (ctx.config.TRUST_PROXY ?? false) as boolean | string[],
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url.startsWith('/device/')) {
      return reply.status(404).send(renderError(req.lang, new AppError('route.not_found', 404, { method: req.method, url: req.url.split('?')[0] })));
    }
    // Client-side routes of the console all answer with its index page.
    if (opts.consoleDist && req.method === 'GET') return reply.sendFile('index.html');
    return reply.status(404).send(renderError(req.lang, new AppError('route.not_found', 404, { method: req.method, url: req.url })));
  });

  await app.register(helmet, HELMET_OPTIONS);
  installHsts(app);
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: ctx.config.MAX_UPLOAD_MB * 1024 * 1024, files: 1 }, throwFileSizeLimit: true });
  await app.register(swagger, {
    openapi: {
      info: { title: 'PosCare API', version: VERSION, description: 'POS terminal fleet care: inventory, telemetry, diagnosis, service desk.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'poscare_session' },
          token: { type: 'http', scheme: 'bearer', description: 'API token created under /api/v1/me/tokens' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  installAccess(app, services.auth);
  installMfaGate(app);
  installInputGuard(app);
  // -- operations: readiness and /metrics (platform/operations.ts) --
  installOperations(app as unknown as FastifyInstance, ctx, services, { rolesStarted: opts.rolesStarted });

  app.get('/api/v1/health', {
    config: { auth: 'public' },
    schema: {
      tags: ['system'],
      response: { 200: z.object({ status: z.literal('ok'), version: z.string(), database: z.enum(['pglite', 'postgres']), demo: z.object({ ready: z.boolean(), stage: z.string() }).optional() }) },
    },
    handler: async () => {
      const stage = opts.demoStage?.();
      return { status: 'ok' as const, version: VERSION, database: ctx.db.kind, ...(stage ? { demo: { ready: stage === 'ready', stage } } : {}) };
    },
  });

  await app.register(
    async (api) => {
      await api.register(authRoutes(services.auth, { ttlHours: ctx.config.SESSION_TTL_HOURS, secure: ctx.config.COOKIE_SECURE }));
      await api.register(organizationRoutes(services.organizations));
      await api.register(merchantRoutes(services.merchants));
      await api.register(siteRoutes(services.sites));
      await api.register(terminalRoutes(services.terminals));
      await api.register(importRoutes(services.imports));
      await api.register(userRoutes(services.users, services.auth.mfa));
      await api.register(auditRoutes(services.audit));
      await api.register(deviceAdminRoutes(services.devices, services.fleet));
      await api.register(fleetRoutes(services.fleet));
      await api.register(diagnosisRoutes(services.diagnosis));
      await api.register(commandRoutes(services.commands, services.commandLogs));
      await api.register(softwareRoutes(services.software));
      await api.register(rolloutRoutes(services.rollouts));
      await api.register(alertRoutes(services.alerts));
      await api.register(notificationRoutes(services.notifications));
      await api.register(ticketRoutes(services.tickets));
      // -- kb routes --
      await api.register(knowledgeRoutes(services.knowledge));
      // -- fieldwork routes --
      await api.register(fieldworkRoutes(services.fieldwork));
      // -- reports routes --
      await api.register(reportRoutes(services.reports));
      await api.register(satisfactionRoutes(services.satisfaction));
      await api.register(overviewRoutes(services.overview));
      // -- operations routes --
      await api.register(jobRoutes(services.jobs));
      // -- payments routes --
      await api.register(paymentRoutes(services.payments, ctx.config.MAX_UPLOAD_MB * 1024 * 1024));
      // -- risk routes --
      await api.register(riskRoutes(services.risk, services.riskThresholds, { leanDecide: opts.leanDecide !== false }));
      // -- findings routes --
      await api.register(findingRoutes(services.findings));
      // -- disputes routes --
      await api.register(disputeRoutes(services.disputes));
    },
    { prefix: '/api/v1' },
  );
  await app.register(deviceChannelRoutes(services.devices, services.pipeline, services.commands), { prefix: '/device/v1' });
  await app.register(commandDeviceRoutes(services.devices, services.commandLogs), { prefix: '/device/v1' });
  await app.register(softwareDeviceRoutes(services.devices, services.software), { prefix: '/device/v1' });

  if (opts.consoleDist && existsSync(opts.consoleDist)) {
    // wildcard: assets of a console rebuilt while the server runs are served without a restart.
    await app.register(fastifyStatic, { root: opts.consoleDist, wildcard: true });
  }
  return { app: app as unknown as FastifyInstance, services };
}
