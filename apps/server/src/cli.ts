/** The `poscare` command line. Each command validates configuration first and says plainly what went wrong. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { AuditVerifyResult, ImportMode, Language } from '@poscare/contracts';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { AppError } from './errors/errors.js';
import { translate, pickLanguage } from './i18n/messages.js';
import { DataDirBusyError, lockDataDir } from './platform/dataLock.js';
import { VERSION } from './version.js';

// Each command loads what it uses when it runs (the server, the database, the diagnosis engine, the
// findings engine), so `poscare --help` or `poscare txn analyze` do not load the whole server first.
const lang: Language = pickLanguage(process.env.POSCARE_LANG ?? process.env.LANG?.replace('_', '-').split('.')[0], 'en-US');

/** Configuration is read by the commands that use it: zod and the password checker take ~0.3 s to load. */
let configModule: typeof import('./config.js') | undefined;
async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  configModule ??= await import('./config.js');
  return configModule.loadConfig(env);
}

/** Opens the configured database for a one-off command, holding the embedded store's lock meanwhile. */
async function withDb<T>(config: Config, fn: (db: Database, applied: string[]) => Promise<T>): Promise<T> {
  const unlock = config.DATABASE_URL ? () => undefined : lockDataDir(config.DATA_DIR);
  const [{ openDatabase }, { migrate }] = await Promise.all([import('./db/client.js'), import('./db/migrate.js')]);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    return await fn(db, await migrate(db));
  } finally {
    await db.close();
    unlock();
  }
}

function fail(err: unknown): never {
  if (err instanceof AppError) process.stderr.write(`error: ${translate(lang, err.id, err.params)}\n`);
  else if ((configModule && err instanceof configModule.ConfigError) || err instanceof DataDirBusyError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
}

const program = new Command()
  .name('poscare')
  .description('PosCare: POS terminal fleet care from the first signal to a verified fix.\nConfiguration comes from environment variables; see README.md.')
  .version(VERSION);

program
  .command('start')
  .description('start PosCare (API and console, device ingest, background worker)')
  .option('--roles <roles>', 'comma-separated roles to run: api,ingest,worker')
  .option('--demo', 'seed a demo fleet on first start')
  .action(async (o: { roles?: string; demo?: boolean }) => {
    try {
      const config = await loadConfig(o.roles ? { ...process.env, POSCARE_ROLES: o.roles } : process.env);
      const [{ start, createLogger }, { keepRunningOnStrayErrors }] = await Promise.all([import('./server.js'), import('./platform/lastResort.js')]);
      const running = await start(config, { demo: Boolean(o.demo) });
      // From here on, no single message or request may end the process (see platform/lastResort.ts).
      keepRunningOnStrayErrors(createLogger(config));
      const shutdown = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    try {
      const applied = await withDb(await loadConfig(), async (_db, done) => done);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database schema is current');
    } catch (err) {
      fail(err);
    }
  });

program
  .command('create-admin')
  .description('create an administrator (a platform admin of the first organization)')
  .requiredOption('--email <email>', 'sign-in email')
  .option('--name <name>', 'display name', 'Administrator')
  .option('--password <password>', 'password (min. 10 characters); generated and printed when omitted; prefer POSCARE_ADMIN_PASSWORD')
  .action(async (o: { email: string; name: string; password?: string }) => {
    try {
      const config = await loadConfig();
      const [{ isStrongPassword }, { createAdmin }, { count, eq }, { users }, { systemClock }] = await Promise.all([
        import('./auth/passwordPolicy.js'),
        import('./platform/bootstrap.js'),
        import('drizzle-orm'),
        import('./db/schema.js'),
        import('./platform/clock.js'),
      ]);
      const password = o.password ?? config.POSCARE_ADMIN_PASSWORD;
      if (password && password.length < 10) throw new Error('the password must have at least 10 characters');
      if (password && !isStrongPassword(password, { email: o.email, name: o.name })) {
        throw new Error(`${translate(lang, 'password.weak')} (${lang === 'zh-CN' ? '或省略 --password，由 PosCare 生成' : 'or leave --password out to have one generated'})`);
      }
      const r = await withDb(config, async (db) => {
        const [dup] = await db.orm.select({ n: count() }).from(users).where(eq(users.email, o.email.toLowerCase()));
        if ((dup?.n ?? 0) > 0) throw new Error(`a user with email ${o.email} already exists`);
        return createAdmin(db, { email: o.email, name: o.name, password, now: systemClock.now() });
      });
      console.log(`created administrator ${r.email}`);
      if (r.generatedPassword) console.log(`password (shown once): ${r.generatedPassword}`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('import-terminals')
  .description('import terminals from a CSV or XLSX file (columns: serial_number, vendor, model, tid, os_version, app_version, firmware_version, connectivity, site_code, lifecycle_state)')
  .argument('<file>', 'CSV or XLSX file')
  .option('--org <id>', 'organization id (default: the first organization)')
  .option('--dry-run', 'only report problems, write nothing')
  .option('--valid-only', 'write the valid rows even when some rows are invalid')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, o: { org?: string; dryRun?: boolean; validOnly?: boolean; json?: boolean }) => {
    try {
      const config = await loadConfig();
      const mode: ImportMode = o.dryRun ? 'dry_run' : o.validOnly ? 'valid_only' : 'all_or_nothing';
      const bytes = readFileSync(file);
      const [{ eq }, { organizations }, { ImportService }, { systemActor }, { systemClock }, { createLogger }] = await Promise.all([
        import('drizzle-orm'),
        import('./db/schema.js'),
        import('./imports/service.js'),
        import('./access/actor.js'),
        import('./platform/clock.js'),
        import('./server.js'),
      ]);
      const report = await withDb(config, async (db) => {
        const [org] = o.org
          ? await db.orm.select().from(organizations).where(eq(organizations.id, o.org))
          : await db.orm.select().from(organizations).orderBy(organizations.createdAt).limit(1);
        if (!org) throw new Error('no such organization; start PosCare once or pass --org');
        const svc = new ImportService({ db, config, clock: systemClock, log: createLogger({ ...config, LOG_LEVEL: 'warn' }) });
        return svc.importTerminals(systemActor(org.id, 'cli import'), { filename: path.basename(file), bytes, mode, language: lang });
      });
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else {
        for (const p of report.problems) console.log(`row ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.message}`);
        if (report.problemsTruncated) console.log('… more problems not shown');
        console.log(`${report.totalRows} rows: ${report.validRows} valid, ${report.invalidRows} invalid; imported ${report.imported}`);
      }
      if (report.invalidRows > 0 && mode !== 'valid_only') process.exitCode = 2;
    } catch (err) {
      fail(err);
    }
  });

program
  .command('backup')
  .description('write a backup of all PosCare data to FILE (gzip, streamed; works for the embedded store and PostgreSQL); --verify checks a backup file without restoring it')
  .argument('<file>')
  .option('--verify', 'check FILE (structure, row counts, checksums, complete) without restoring it; exit 1 when it is damaged')
  .action(async (file: string, o: { verify?: boolean }) => {
    try {
      if (o.verify) {
        const { verifyBackup } = await import('./backup/backup.js');
        const r = await verifyBackup(file);
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        if (r.ok) {
          console.log(`${file} is a complete PosCare backup (format ${r.header!.formatVersion}, schema ${r.header!.schema ?? 'none'}, taken ${r.header!.createdAt} by PosCare ${r.header!.poscareVersion}): ${Object.keys(r.tables).length} tables, ${rows} rows, every count and checksum matches`);
        } else {
          for (const p of r.problems) process.stderr.write(`problem: ${p}\n`);
          console.log(`${file} is damaged or incomplete: ${r.problems.length} problem(s); do not restore it`);
          process.exitCode = 1;
        }
        return;
      }
      const { backup } = await import('./backup/backup.js');
      const r = await withDb(await loadConfig(), (db) => backup(db, file));
      console.log(`backup written to ${file}: ${Object.entries(r.tables).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('restore')
  .description('replace all PosCare data with a backup (refuses a file that is not a PosCare backup)')
  .argument('<file>')
  .option('--yes', 'do not ask for confirmation')
  .action(async (file: string, o: { yes?: boolean }) => {
    try {
      if (!o.yes && process.stdin.isTTY) {
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question('This replaces ALL current PosCare data. Type "restore" to go on: ');
        rl.close();
        if (answer.trim() !== 'restore') return void console.log('cancelled');
      }
      const { restore } = await import('./backup/backup.js');
      const r = await withDb(await loadConfig(), (db) => restore(db, file));
      console.log(`restored backup of ${r.header.createdAt}: ${Object.entries(r.tables).map(([t, n]) => `${t} ${n}`).join(', ')}`);
      // The data is restored either way; a broken chain is reported, for the operator to look into.
      console.log(auditSummary(r.audit));
      for (const line of auditProblems(r.audit)) process.stderr.write(`warning: ${line}\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('audit')
  .description('audit log commands')
  .addCommand(
    new Command('verify')
      .description("check every organization's audit chain and name the first entry changed, removed or inserted (exit 1 when broken)")
      .option('--org <id>', 'check one organization only')
      .option('--json', 'print the result as JSON')
      .action(async (o: { org?: string; json?: boolean }) => {
        try {
          if (o.org && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(o.org)) throw new Error('--org must be an organization id');
          const { verifyChains } = await import('./audit/chain.js');
          const r = await withDb(await loadConfig(), (db) => verifyChains(db, o.org ? { orgId: o.org } : {}));
          if (o.json) console.log(JSON.stringify(r, null, 2));
          else {
            for (const c of r.chains) {
              const who = c.orgId ? `organization ${c.orgId}` : 'entries without an organization';
              console.log(c.ok ? `${who}: intact, ${c.entries} entries${c.head ? ` (last #${c.head.seq} ${c.head.hash.slice(0, 16)}…)` : ''}` : `${who}: BROKEN — ${problemText(c.problem!)}`);
            }
            console.log(auditSummary(r));
          }
          if (!r.ok) process.exitCode = 1;
        } catch (err) {
          fail(err);
        }
      }),
  );

function problemText(p: NonNullable<AuditVerifyResult['chains'][number]['problem']>): string {
  return `${p.kind} at ${p.seq === null ? `entry id ${p.id}` : `entry ${p.seq}`}: ${p.detail}`;
}
function auditSummary(r: AuditVerifyResult): string {
  const entries = r.chains.reduce((n, c) => n + c.entries, 0);
  const broken = r.chains.filter((c) => !c.ok).length;
  return r.ok ? `audit chain intact: ${r.chains.length} organizations, ${entries} entries` : `audit chain BROKEN in ${broken} of ${r.chains.length} organizations (poscare audit verify names the entries)`;
}
function auditProblems(r: AuditVerifyResult): string[] {
  return r.chains.filter((c) => !c.ok).map((c) => `audit of ${c.orgId ?? 'entries without an organization'}: ${problemText(c.problem!)}`);
}

program
  .command('simulate')
  .description('run a simulated fleet against a running PosCare (registers, enrolls and drives the terminals through the public API)')
  .requiredOption('--token <token>', 'an admin API token (create one in the console under API tokens); or POSCARE_TOKEN')
  .option('--url <url>', 'PosCare base URL', 'http://localhost:8080')
  .option('--terminals <n>', 'number of terminals', '100')
  .option('--merchants <n>', 'number of merchants', '10')
  .option('--seed <n>', 'seed: the same seed gives the same fleet and the same traffic', '1')
  .option('--transport <t>', 'https or mqtt', 'https')
  .option('--mqtt-url <url>', 'broker for --transport mqtt', 'mqtt://127.0.0.1:1883')
  .option('--speed <x>', 'simulated seconds per real second', '60')
  .option('--duration <seconds>', 'how long to run, in real seconds', '60')
  .option('--fault <id...>', 'inject a fault (repeatable), e.g. hw.printer.paper_out net.signal.weak')
  .action(async (o: Record<string, string | string[] | undefined>) => {
    try {
      const { simulate } = await import('./demo/simulate.js');
      const int = (k: string) => {
        const n = Number(o[k]);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} must be a positive number`);
        return n;
      };
      if (o.transport !== 'https' && o.transport !== 'mqtt') throw new Error('--transport must be https or mqtt');
      const final = await simulate({
        url: String(o.url),
        token: String(o.token ?? process.env.POSCARE_TOKEN),
        terminals: int('terminals'),
        merchants: int('merchants'),
        seed: int('seed'),
        transport: o.transport,
        mqttUrl: o.mqttUrl as string | undefined,
        speed: int('speed'),
        durationMs: int('duration') * 1000,
        faults: (o.fault as string[] | undefined) ?? [],
        say: (l) => console.log(l),
      });
      console.log(`done: ${final.sent} messages sent, ${final.rejected} rejected, ${final.errors} errors`);
      process.exit(final.errors > 0 ? 1 : 0);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('diagnose')
  .description('diagnose one case (poscare.diagnosis-case/v1 JSON) from FILE or standard input; prints the result JSON')
  .argument('[file]', 'the case file; standard input when absent or "-"')
  .option('--pretty', 'indent the JSON')
  .action(async (file: string | undefined, opts: { pretty?: boolean }) => {
    const text = !file || file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((e: Error) => fail(new Error(`${file}: ${e.message}`)));
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      fail(new Error(lang === 'zh-CN' ? `输入不是有效的 JSON：${(e as Error).message}` : `input is not valid JSON: ${(e as Error).message}`));
    }
    const { diagnose, DiagnosisInputError } = await import('@poscare/diagnosis');
    try {
      const result = diagnose(input);
      process.stdout.write(`${JSON.stringify(result, null, opts.pretty ? 2 : undefined)}\n`);
    } catch (e) {
      if (e instanceof DiagnosisInputError) fail(new Error(e.messageIn(lang)));
      fail(e);
    }
  });

// Transaction findings (issue 15): duplicate charges and fraud patterns in a stream of records.
program
  .command('txn')
  .description('transaction records: find duplicate charges and fraud patterns')
  .command('analyze')
  .description('analyze FILE (poscare.txn-record/v1, one JSON object per line); prints one finding (poscare.txn-finding/v1) per line')
  .argument('<file>', 'the JSONL file of transaction records')
  .option('--pretty', 'indent each finding')
  .action(async (file: string, opts: { pretty?: boolean }) => {
    const text = await readFile(file, 'utf8').catch((e: Error) => fail(new Error(`${file}: ${e.message}`)));
    const { analyze, parseTxnLines, describeLineError } = await import('@poscare/txn');
    const { records, errors } = parseTxnLines(text);
    if (errors.length) {
      const head = lang === 'zh-CN' ? `${file}：${errors.length} 处错误，未分析` : `${file}: ${errors.length} problem(s), nothing analysed`;
      const shown = errors.slice(0, 20).map((e) => `  ${describeLineError(e)}`);
      if (errors.length > 20) shown.push(`  … ${errors.length - 20} more`);
      process.stderr.write(`error: ${head}\n${shown.join('\n')}\n`);
      process.exit(1);
    }
    const out = analyze(records).map((f) => JSON.stringify(f, null, opts.pretty ? 2 : undefined));
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
  });

// Host records (issue 15): the acquirer's side of each payment, from a host log file.
program.commands
  .find((c) => c.name() === 'txn')!
  .command('import-host')
  .description("import the acquirer host's records from FILE: JSON lines (txn-record/v1, source host), CSV (the same columns) or ISO 8583 (one message per line, hex); prints a row report")
  .argument('<file>', 'the host log (.jsonl, .csv, .hex)')
  .option('--org <id>', 'organization id (default: the first organization)')
  .option('--format <f>', 'jsonl, csv or iso8583 (default: from the file name)')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, o: { org?: string; format?: string; json?: boolean }) => {
    try {
      if (o.format && !['jsonl', 'csv', 'iso8583'].includes(o.format)) throw new Error('--format must be jsonl, csv or iso8583');
      const config = await loadConfig();
      const bytes = readFileSync(file);
      const [{ eq }, { organizations }, { PaymentService }, { PaymentFeed }, { systemActor }, { systemClock }, { createLogger }] = await Promise.all([
        import('drizzle-orm'),
        import('./db/schema.js'),
        import('./payments/service.js'),
        import('./payments/feed.js'),
        import('./access/actor.js'),
        import('./platform/clock.js'),
        import('./server.js'),
      ]);
      const report = await withDb(config, async (db) => {
        const [org] = o.org
          ? await db.orm.select().from(organizations).where(eq(organizations.id, o.org))
          : await db.orm.select().from(organizations).orderBy(organizations.createdAt).limit(1);
        if (!org) throw new Error('no such organization; start PosCare once or pass --org');
        // The live findings engine of a running server catches up with these records from the table.
        const svc = new PaymentService({ db, config, clock: systemClock, log: createLogger({ ...config, LOG_LEVEL: 'warn' }) }, new PaymentFeed());
        return svc.importHost(systemActor(org.id, 'cli import-host'), { filename: path.basename(file), bytes, format: o.format as 'jsonl' | 'csv' | 'iso8583' | undefined, language: lang });
      });
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else {
        for (const p of report.problems) console.log(`line ${p.line}${p.field ? `, ${p.field}` : ''}: ${p.message}`);
        if (report.problemsTruncated) console.log('… more problems not shown');
        console.log(
          lang === 'zh-CN'
            ? `${report.totalRows} 条记录：${report.stored} 条已保存，${report.duplicates} 条此前已保存，${report.refused} 条被拒绝`
            : `${report.totalRows} records: ${report.stored} stored, ${report.duplicates} stored before, ${report.refused} refused`,
        );
      }
      if (report.refused > 0) process.exitCode = 2;
    } catch (err) {
      fail(err);
    }
  });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

await program.parseAsync(process.argv);
