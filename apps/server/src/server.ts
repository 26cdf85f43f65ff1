/**
 * `poscare start`: one codebase, several roles. api serves HTTP and the console; ingest runs the device
 * channel (embedded MQTT broker unless MQTT_URL names an external one); worker runs background jobs.
 */
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { buildApp, createServices } from './app.js';
import { startBroker } from './ingest/broker.js';
import { topicFor } from '@poscare/contracts';
import { startExternalIngest } from './ingest/externalBroker.js';
import { AlertRuntime } from './alerts/runtime.js';
import { AlertSharing } from './alerts/partitions.js';
import { alertTicketOpener } from './tickets/service.js';
import { DeliveryWorker } from './notifications/delivery.js';
import { FindingsRuntime } from './findings/runtime.js';
import { FindingNotifications } from './findings/notify.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { checkSecretKey } from './security/startup.js';
import { JobQueue } from './jobs/queue.js';
import { jobHandlers } from './jobs/handlers.js';
import { startOperationsServer } from './platform/operations.js';
import { seedDemo, seedDemoHistory, DEMO_PASSWORD, DEMO_USERS, type DemoStage } from './demo/seed.js';
import { demoFleet, startLiveDemo } from './demo/live.js';
import { ensureFirstAdmin } from './platform/bootstrap.js';
import { systemClock, type Clock } from './platform/clock.js';
import { consoleIsStale, CONSOLE_DIST } from './platform/consoleBuild.js';
import { lockDataDir } from './platform/dataLock.js';
import { LOG_REDACT, LOG_SERIALIZERS } from './platform/logging.js';
import { openSignals } from './platform/signals.js';
import { shareAccess } from './access/tokenCache.js';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.LOG_LEVEL,
    // People at a terminal get readable lines; services and files get JSON.
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    serializers: LOG_SERIALIZERS,
    redact: LOG_REDACT,
  });
}

export interface StartOptions {
  demo?: boolean;
  clock?: Clock;
  /** Where to print what a person must see (URL, first login); defaults to stdout. */
  say?: (line: string) => void;
  buildConsole?: boolean;
}

export interface Running {
  url: string | null;
  mqttPort: number | null;
  services: ReturnType<typeof createServices>;
  db: Database;
  stop(): Promise<void>;
}

export async function start(config: Config, opts: StartOptions = {}): Promise<Running> {
  // A demo prints its passwords anyway: its administrators may skip the second factor unless told otherwise.
  if (!config.MFA_PLATFORM_ADMINS && opts.demo) config = { ...config, MFA_PLATFORM_ADMINS: 'optional' };
  const log = createLogger(config);
  const clock = opts.clock ?? systemClock;
  const say = opts.say ?? ((l: string) => process.stdout.write(l + '\n'));
  const roles = new Set(config.POSCARE_ROLES);
  const unlock = config.DATABASE_URL ? () => undefined : lockDataDir(config.DATA_DIR);
  const stops: (() => Promise<void> | void)[] = [unlock];
  /** Every role started: the readiness answer (/api/v1/ready) turns 200. */
  let rolesStarted = false;

  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  stops.unshift(() => db.close());
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'database migrated');

  if (roles.has('api')) await checkSecretKey(db, config, log);
  const firstAdmin = await ensureFirstAdmin(db, { email: config.POSCARE_ADMIN_EMAIL, password: config.POSCARE_ADMIN_PASSWORD, now: clock.now() });
  const fleet = opts.demo ? demoFleet(clock.now()) : null;
  const demo = fleet ? await seedDemo(db, fleet, clock.now()) : null;

  const ctx = { db, config, clock, log };
  /** Where the demo's loading stands (the health answer and the console's banner show it). */
  let demoStage: DemoStage = 'knowledge';
  // With an external broker a batch waits for few messages (see ingest/externalBroker.ts): flush sooner.
  const services = createServices(ctx, { maxDelayMs: config.MQTT_URL ? 2 : 25 });
  stops.unshift(() => services.pipeline.close());
  // -- signals between processes --
  // Revocations and commands to push reach every process at once (LISTEN/NOTIFY on PostgreSQL; see platform/signals.ts).
  const signals = await openSignals({ db, databaseUrl: config.DATABASE_URL, log });
  stops.unshift(() => signals.close());
  services.devices.shareCredentials(signals);
  services.commands.shareCommands(signals);
  services.alerts.shareConfig(signals);
  // On PostgreSQL alert evaluation is shared out by partition among worker processes, and what a process
  // ingests for a partition another holds is handed off through the database (alerts/partitions.ts).
  // The embedded store serves one process: its engine is fed directly.
  const sharedAlerts = db.kind === 'postgres' && !!config.DATABASE_URL;
  const sharing = sharedAlerts ? new AlertSharing({ db, databaseUrl: config.DATABASE_URL!, log, signals, pipeline: services.pipeline }) : null;
  if (sharing) stops.unshift(() => sharing.stop());
  // API tokens revoked or their holders changed, block list and fraud cases changed (decision 009).
  stops.unshift(shareAccess(db, signals));
  services.risk.shareSignals(signals);

  let url: string | null = null;
  let mqttPort: number | null = null;
  if (roles.has('api')) {
    const dist = config.CONSOLE_DIST ?? CONSOLE_DIST;
    // The console is built at install and by `npm run demo` (scripts/build-console.mjs), never here:
    // a start does not wait a minute for Vite, which a production install does not have.
    if (opts.buildConsole !== false && !config.CONSOLE_DIST && consoleIsStale()) {
      log.warn('the console build is missing or older than its sources: run `npm run build:console`; the API runs meanwhile');
    }
    const { app } = await buildApp(ctx, { consoleDist: dist, demoStage: demo ? () => demoStage : undefined, rolesStarted: () => rolesStarted }, services);
    await app.listen({ port: config.PORT, host: config.HOST });
    stops.unshift(() => app.close());
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
    url = `http://localhost:${port}`;
  }

  if (roles.has('ingest')) {
    if (config.MQTT_URL) {
      const ext = await startExternalIngest({ url: config.MQTT_URL, clientId: config.INGEST_CLIENT_ID ?? `poscare-ingest-${hostname()}-${config.PORT}`, devices: services.devices, pipeline: services.pipeline, log, group: config.MQTT_SHARED_GROUP, connections: config.INGEST_CONNECTIONS });
      const pub = ext.clients[0];
      if (pub) services.commands.attachPublisher((orgId, terminalId, cmd) => pub.publishAsync(topicFor(orgId, terminalId, 'cmd'), JSON.stringify(cmd), { qos: 1 }).then(() => undefined), { shared: true });
      stops.unshift(() => ext.close());
    } else {
      try {
        const broker = await startBroker({ port: config.MQTT_PORT, devices: services.devices, pipeline: services.pipeline, log });
        mqttPort = broker.port;
        services.commands.attachPublisher(
          (orgId, terminalId, cmd) =>
            new Promise<void>((resolve, reject) =>
              broker.aedes.publish({ cmd: 'publish', topic: topicFor(orgId, terminalId, 'cmd'), payload: Buffer.from(JSON.stringify(cmd)), qos: 1, dup: false, retain: false }, (err) => (err ? reject(err) : resolve())),
            ),
        );
        stops.unshift(() => broker.close());
      } catch (err) {
        log.warn({ port: config.MQTT_PORT, err: (err as Error).message }, `embedded MQTT broker not started: port ${config.MQTT_PORT} is in use; set MQTT_PORT to a free port or MQTT_URL to an external broker`);
      }
    }
  }

  let findingsRuntime: FindingsRuntime | null = null;
  if (roles.has('worker')) {
    // Durable jobs (jobs/registry.ts): diagnoses, the SLA pass each minute and retention each hour, run once
    // across all worker processes, retried with back-off, dead letters at /api/v1/admin/jobs/failed.
    const jobs = new JobQueue(db, log);
    services.metrics.countJobs(jobs);
    await jobs.start({ handlers: jobHandlers(ctx, services), supervise: true });
    stops.unshift(() => jobs.stop());
    // Alerts are evaluated here: fed by this process's ingest when it has one, ticking on the clock.
    const runtime = new AlertRuntime(ctx, {
      localIngest: roles.has('ingest') || sharedAlerts,
      ...(sharing ? { owns: (orgId: string) => sharing.owns(orgId) } : {}),
      diagnose: services.alerts.diagnoser(),
      enqueueDiagnosis: (req) => jobs.send('alert.diagnose', req),
      notifier: services.notifications,
      openTicket: alertTicketOpener(services.tickets),
    });
    if (roles.has('ingest') && !sharedAlerts) runtime.attach(services.pipeline);
    runtime.onLag((ms) => services.metrics.observeAlertLag(ms));
    await runtime.start();
    services.alerts.attachRuntime(runtime);
    stops.unshift(() => runtime.stop());
    const unlisten = runtime.listen(signals);
    stops.unshift(unlisten);
    await sharing?.evaluate(runtime);
    // E-mails and webhook calls queued by notifications, sent with retries.
    const deliveries = new DeliveryWorker(ctx, { smtpUrl: config.SMTP_URL, smtpFrom: config.SMTP_FROM });
    deliveries.start();
    stops.unshift(() => deliveries.stop());
    // -- findings runtime --
    // Live transaction findings: fed the payments this process commits, catching up from the tables on
    // what other processes ingested; the threshold editor's saves reload it at once.
    const findings = new FindingsRuntime(ctx, { feed: services.paymentFeed, notifier: new FindingNotifications(ctx), onRiskChanged: (orgId) => services.risk.findingsChanged(orgId) });
    await findings.start();
    findingsRuntime = findings;
    const unwatch = services.riskThresholds.onSaved((orgId) => void findings.reloadThresholds(orgId));
    stops.unshift(async () => {
      unwatch();
      await findings.stop();
    });
  }

  // The rest of the demo loads while the console already answers; the banner and the health answer say how far.
  const demoLoaded =
    fleet && demo
      ? (async () => {
          await seedDemoHistory(db, fleet, demo, clock.now(), (st) => (demoStage = st));
          // The history was written straight to the tables: the live findings engine reads it afresh (behind, not holding up the demo).
          findingsRuntime?.reloadThresholds(demo.orgId).catch((err: unknown) => log.warn({ err }, 'findings engine could not read the demo history'));
          demoStage = 'live';
          if (!roles.has('ingest')) return null;
          return startLiveDemo({ fleet, orgId: demo.orgId, pipeline: services.pipeline, clock, log, payments: { db, feed: services.paymentFeed }, logs: services.commandLogs });
        })()
      : null;
  if (demoLoaded) {
    let stopped = false;
    stops.unshift(async () => {
      stopped = true;
      (await demoLoaded.catch(() => null))?.stop();
    });
    demoLoaded
      .then((live) => {
        if (stopped) return;
        if (live) attachDemo(live);
        demoStage = 'ready';
        say('  Demo data loaded: service-desk history, knowledge base, and the fleet reporting live.');
      })
      .catch((err: unknown) => {
        demoStage = 'ready';
        log.error({ err }, 'demo data could not be loaded');
      });
  }
  function attachDemo(live: Awaited<ReturnType<typeof startLiveDemo>>) {
    services.commands.attachLocal(live.terminals);
    // A visit that fixed or swapped the terminal ends its simulated faults, so verification passes from its own signals.
    services.fieldwork.workOrders.onRepaired((e) => {
      if (e.outcome === 'fixed' || e.outcome === 'swapped') live.repair(e.terminalId);
    });
  }

  if (!roles.has('api')) {
    // Probes and Prometheus reach every process: without the api role, health, readiness and /metrics alone on PORT.
    try {
      const ops = await startOperationsServer(ctx, services, { rolesStarted: () => rolesStarted });
      stops.unshift(() => ops.close());
    } catch (err) {
      log.warn({ port: config.PORT, err: (err as Error).message }, `health, readiness and metrics not served: port ${config.PORT} is in use; give each process its own PORT`);
    }
  }
  rolesStarted = true;

  say('');
  say(`PosCare is running (roles: ${[...roles].join(', ')}; database: ${db.kind === 'pglite' ? `embedded, ${config.DATA_DIR}` : 'PostgreSQL'})`);
  if (url) {
    say(`  Console:  ${url}`);
    say(`  API docs: ${url}/api/docs`);
  }
  if (mqttPort !== null) say(`  Device channel: MQTT on port ${mqttPort}, HTTPS at ${url ?? ''}/device/v1`);
  if (firstAdmin) {
    say(`  First administrator: ${firstAdmin.email}`);
    if (firstAdmin.generatedPassword) say(`  Password (shown once, change it after signing in): ${firstAdmin.generatedPassword}`);
    if ((config.MFA_PLATFORM_ADMINS ?? 'required') === 'required') say('  At first sign-in the administrator sets up a second factor (an authenticator app).');
  }
  if (demo?.created) say(`  Demo fleet: ${demo.terminals} simulated terminals with injected faults, reporting live.`);
  if (demo) say(`  Demo users (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.email).join(', ')}`);
  say('');

  return {
    url,
    mqttPort,
    services,
    db,
    async stop() {
      for (const s of stops) await s();
    },
  };
}
