/**
 * Remote commands: an operator asks a terminal to reboot, print a test page, exchange keys, settle…
 * A command is stored first, then pushed on the terminal's MQTT command topic (when this process
 * has a broker) and also handed to HTTPS terminals in the answer to their next batch. Its status
 * comes from the terminal's own acknowledgements (cmd_ack), never from our hopes.
 */
import { randomUUID } from 'node:crypto';
import {
  BULK_MAX,
  type BatchSummary,
  type BulkCommandRequest,
  type BulkPreview,
  type BulkPreviewRequest,
  type CommandArgs,
  type CommandBatch,
  type CommandBatchDetail,
  type CommandFilter,
  type CommandRequest,
  type CommandRow,
  type DeviceCommand,
  parseCommandArgs,
  PROTOCOL_VERSION,
} from '@poscare/contracts';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { commandBatches, commands, deviceCredentials } from '../db/schema.js';
import type { RawTx } from '../db/client.js';
import { listTerminals } from '../terminals/repository.js';
import { OFFLINE_AFTER_MS } from '../fleet/health.js';
import { AppError } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { TerminalService } from '../terminals/service.js';
import { SiteService } from '../sites/service.js';
import { MerchantService } from '../merchants/service.js';
import type { Signals } from '../platform/signals.js';
import { type InstallTarget, SoftwareService } from '../software/service.js';

/** A command nobody acknowledged within this time is reported as expired, and no longer delivered. */
export const COMMAND_TTL_MS = 15 * 60_000;

export type CommandPublisher = (orgId: string, terminalId: string, command: DeviceCommand) => Promise<void>;
/** Terminals living inside this process (the demo fleet): takes the command and says whether it could. */
export type LocalTerminals = { has(terminalId: string): boolean; deliver(terminalId: string, command: DeviceCommand): void };

type Row = Record<string, unknown>;
/** A terminal a bulk command may go to, with what decides whether a package fits it. */
export type Target = InstallTarget & { orgId: string };

export class CommandService {
  private terminals: TerminalService;
  /** `install` names a catalogued package that fits the terminal (issue 18). */
  private software: SoftwareService;
  private publisher: CommandPublisher | null = null;
  private local: LocalTerminals | null = null;
  /** The publisher reaches every terminal (an external broker) rather than those on this process's own broker. */
  private publisherShared = false;
  private bus: Signals | null = null;
  private unshare: (() => void) | null = null;
  /** Tells this service's own push signals from other processes'. */
  private readonly origin = randomUUID();

  constructor(private ctx: AppContext) {
    this.terminals = new TerminalService(ctx);
    this.software = new SoftwareService(ctx);
  }

  /**
   * Set by the process that holds an MQTT connection: the embedded broker (reaches the terminals connected to
   * this process) or an external broker's client (`shared`: reaches every terminal).
   */
  attachPublisher(p: CommandPublisher | null, opts: { shared?: boolean } = {}): void {
    this.publisher = p;
    this.publisherShared = Boolean(opts.shared);
  }

  /**
   * Signals between processes (platform/signals.ts): every stored command is signalled, and a process holding an
   * MQTT connection pushes the commands other processes stored (an `api`-only process has no broker). A command
   * the sender already pushed through an external broker is not pushed again by the others.
   */
  shareCommands(signals: Signals | null): void {
    this.unshare?.();
    this.unshare = null;
    this.bus = signals;
    if (!signals) return;
    this.unshare = signals.subscribe('command.push', async ({ orgId, terminalId, command, from, pushed }) => {
      if (from === this.origin) return;
      if (this.local?.has(terminalId)) return this.local.deliver(terminalId, command);
      if (!this.publisher || (pushed && this.publisherShared)) return;
      await this.publisher(orgId, terminalId, command).catch((err: unknown) =>
        this.ctx.log.warn({ err, terminalId, commandId: command.commandId }, 'signalled command not published over MQTT'),
      );
    });
  }

  /** Set by the live demo, whose simulated terminals answer commands like real ones. */
  attachLocal(l: LocalTerminals | null): void {
    this.local = l;
  }

  async send(actor: Actor, terminalId: string, req: CommandRequest): Promise<CommandRow> {
    assertCan(actor, 'devices:command');
    const { terminal: term } = await this.terminals.get(actor, terminalId);
    let args = checkedArgs(req.name, req.args);
    if (req.name === 'install') {
      // Only a catalogued package that fits this terminal's model and OS is installed.
      const r = (await this.software.resolveInstall(term.orgId, args as CommandArgs<'install'>, [term])).get(term.id)!;
      if (!r.ok) throw r.error;
      args = r.args;
    }
    const now = this.ctx.clock.now();
    const id = randomUUID();
    await this.ctx.db.orm.transaction(async (tx) => {
      const [cred] = await tx.select({ revokedAt: deviceCredentials.revokedAt }).from(deviceCredentials).where(eq(deviceCredentials.terminalId, terminalId));
      if ((!cred || cred.revokedAt) && !this.local?.has(terminalId)) throw new AppError('command.not_enrolled', 409);
      await tx.insert(commands).values({ id, orgId: term.orgId, terminalId, name: req.name, args, reason: req.reason ?? null, requestedBy: authorId(actor), requestedByName: actor.name, createdAt: now });
      await recordAudit(tx, actor, term.orgId, { action: 'command', entity: 'terminal', entityId: terminalId, after: { command: req.name, commandId: id, args, reason: req.reason ?? null } }, now);
    });
    await this.push(term.orgId, terminalId, { v: PROTOCOL_VERSION, commandId: id, at: now.toISOString(), name: req.name, ...(args ? { args } : {}) });
    return (await this.list(actor, terminalId)).find((c) => c.id === id)!;
  }

  /** Pushes a stored command: to a terminal in this process, over MQTT, and signals the other processes. */
  private async push(orgId: string, terminalId: string, command: DeviceCommand): Promise<void> {
    let pushed = false;
    if (this.local?.has(terminalId)) {
      this.local.deliver(terminalId, command);
      pushed = true;
    } else if (this.publisher) {
      // Best effort: a terminal that is not connected gets it over HTTPS or when it comes back.
      pushed = await this.publisher(orgId, terminalId, command).then(
        () => true,
        (err: unknown) => {
          this.ctx.log.warn({ err, terminalId, commandId: command.commandId }, 'command not published over MQTT');
          return false;
        },
      );
    }
    // The other processes push it too when the terminal may be on their broker (or this one could not push).
    if (this.bus && !(pushed && (this.publisherShared || this.local?.has(terminalId)))) {
      await this.bus
        .publish('command.push', { orgId, terminalId, command, from: this.origin, pushed })
        .catch((err: unknown) => this.ctx.log.warn({ err, terminalId, commandId: command.commandId }, 'command not signalled to other processes'));
    }
  }

  async list(actor: Actor, terminalId: string, limit = 50): Promise<CommandRow[]> {
    assertCan(actor, 'fleet:read');
    await this.terminals.get(actor, terminalId);
    const rows = await this.ctx.db.rawTransaction((tx) => selectCommands(tx, 'c.terminal_id = $1', [terminalId], limit));
    const now = this.ctx.clock.now().getTime();
    return rows.map((r) => toRow(r, now));
  }

  /**
   * The terminals in service a filter matches, and the enrolled ones among them (those a command reaches).
   * Also the rollout planner's: a rollout goes to the terminals a bulk command would.
   */
  async targets(actor: Actor, filter: CommandFilter): Promise<{ matched: Target[]; reachable: Target[] }> {
    // Another tenant's merchant or site in the filter is "not found", as everywhere else.
    if (filter.merchantId) await new MerchantService(this.ctx).get(actor, filter.merchantId);
    if (filter.siteId) await new SiteService(this.ctx).get(actor, filter.siteId);
    const q = { ...filter, inService: true, limit: BULK_MAX + 1, offset: 0, sort: 'serial' as const, order: 'asc' as const };
    const { items } = await listTerminals(this.ctx.db.orm, actor, q, new Date(this.ctx.clock.now().getTime() - OFFLINE_AFTER_MS));
    const matched = items.map((i) => ({ id: i.terminal.id, orgId: i.terminal.orgId, vendor: i.terminal.vendor, model: i.terminal.model, osVersion: i.terminal.osVersion }));
    if (matched.length > BULK_MAX) throw new AppError('command.bulk_too_many', 400, { max: BULK_MAX });
    const enrolled = new Set<string>();
    for (let i = 0; i < matched.length; i += 1000) {
      const ids = matched.slice(i, i + 1000).map((m) => m.id);
      const creds = await this.ctx.db.orm
        .select({ terminalId: deviceCredentials.terminalId })
        .from(deviceCredentials)
        .where(and(inArray(deviceCredentials.terminalId, ids), isNull(deviceCredentials.revokedAt)));
      for (const c of creds) enrolled.add(c.terminalId);
    }
    return { matched, reachable: matched.filter((m) => enrolled.has(m.id) || this.local?.has(m.id)) };
  }

  async preview(actor: Actor, req: BulkPreviewRequest): Promise<BulkPreview> {
    assertCan(actor, 'devices:command');
    const { packageId, install, ...filter } = req;
    const t = await this.targets(actor, filter);
    if (!packageId && !install) return { matched: t.matched.length, reachable: t.reachable.length };
    // An install: terminals the package does not fit are counted out, as sendBulk leaves them out.
    let args = install;
    if (!args) {
      const pkg = await this.software.get(actor, packageId!);
      args = { kind: pkg.kind, version: pkg.version, packageId: pkg.id };
    }
    const fits = await this.installable(t.reachable[0]?.orgId ?? actor.orgId, args, t.reachable);
    return { matched: t.matched.length, reachable: fits.length, incompatible: t.reachable.length - fits.length };
  }

  /** The targets a catalogued install fits, each with its arguments (hash, signature, key, download address). */
  private async installable(orgId: string, args: CommandArgs<'install'>, targets: Target[]): Promise<(Target & { args: Record<string, unknown> })[]> {
    const out: (Target & { args: Record<string, unknown> })[] = [];
    for (let i = 0; i < targets.length; i += 1000) {
      const chunk = targets.slice(i, i + 1000);
      const resolved = await this.software.resolveInstall(orgId, args, chunk);
      for (const t of chunk) {
        const r = resolved.get(t.id);
        if (r?.ok) out.push({ ...t, args: r.args });
      }
    }
    return out;
  }

  /**
   * One command to every enrolled terminal in service the filter matches. The person confirmed a count;
   * when the filter now reaches another number the bulk command is refused, so nobody sends to more
   * terminals than they agreed to. Each terminal's command is stored and audited like a single one.
   */
  async sendBulk(actor: Actor, req: BulkCommandRequest): Promise<CommandBatchDetail> {
    assertCan(actor, 'devices:command');
    let { reachable } = await this.targets(actor, req.filter);
    // A platform admin's filter may span organizations; a batch belongs to one, so they narrow it first.
    if (new Set(reachable.map((r) => r.orgId)).size > 1) throw new AppError('command.bulk_many_orgs', 400);
    const args = checkedArgs(req.name, req.args);
    let argsOf = (_id: string) => args;
    if (req.name === 'install' && reachable.length) {
      // Terminals the package does not fit are left out, as the preview counted them out.
      const fits = await this.installable(reachable[0]!.orgId, args as CommandArgs<'install'>, reachable);
      const byId = new Map(fits.map((f) => [f.id, f.args]));
      reachable = fits;
      argsOf = (id) => byId.get(id) ?? args;
    }
    if (reachable.length === 0) throw new AppError('command.bulk_empty', 400);
    if (reachable.length !== req.expectedCount) throw new AppError('command.bulk_count_changed', 409, { expected: req.expectedCount, now: reachable.length });
    const orgId = reachable[0]!.orgId;
    const now = this.ctx.clock.now();
    const batchId = randomUUID();
    const sent = reachable.map((r) => ({ terminalId: r.id, id: randomUUID() }));
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.insert(commandBatches).values({
        id: batchId, orgId, name: req.name, args, filter: req.filter, reason: req.reason ?? null, total: sent.length,
        requestedBy: authorId(actor), requestedByName: actor.name, createdAt: now,
      });
      for (let i = 0; i < sent.length; i += 500) {
        await tx.insert(commands).values(
          sent.slice(i, i + 500).map((c) => ({ id: c.id, orgId, terminalId: c.terminalId, name: req.name, args: argsOf(c.terminalId), reason: req.reason ?? null, requestedBy: authorId(actor), requestedByName: actor.name, createdAt: now, batchId })),
        );
      }
      for (const c of sent) {
        await recordAudit(tx, actor, orgId, { action: 'command', entity: 'terminal', entityId: c.terminalId, after: { command: req.name, commandId: c.id, batchId, args: argsOf(c.terminalId), reason: req.reason ?? null } }, now);
      }
    });
    for (const c of sent) {
      const a = argsOf(c.terminalId);
      await this.push(orgId, c.terminalId, { v: PROTOCOL_VERSION, commandId: c.id, at: now.toISOString(), name: req.name, ...(a ? { args: a } : {}) });
    }
    return this.batch(actor, batchId);
  }

  async batches(actor: Actor, limit = 50): Promise<CommandBatch[]> {
    assertCan(actor, 'devices:command');
    const rows = await this.ctx.db.orm
      .select()
      .from(commandBatches)
      .where(actor.orgId ? eq(commandBatches.orgId, actor.orgId) : undefined)
      .orderBy(desc(commandBatches.createdAt))
      .limit(limit);
    if (!rows.length) return [];
    const now = this.ctx.clock.now().getTime();
    const cmds = await this.ctx.db.rawTransaction((tx) => selectCommands(tx, 'c.batch_id = ANY($1::uuid[])', [rows.map((r) => r.id)], BULK_MAX * limit));
    return rows.map((b) => presentBatch(b, summarise(cmds.filter((c) => c.batch_id === b.id).map((c) => toRow(c, now)))));
  }

  async batch(actor: Actor, id: string): Promise<CommandBatchDetail> {
    assertCan(actor, 'devices:command');
    const [b] = await this.ctx.db.orm
      .select()
      .from(commandBatches)
      .where(and(eq(commandBatches.id, id), actor.orgId ? eq(commandBatches.orgId, actor.orgId) : undefined));
    if (!b) throw new AppError('command.batch_not_found', 404);
    const now = this.ctx.clock.now().getTime();
    const rows = await this.ctx.db.rawTransaction((tx) =>
      selectCommands(tx, 'c.batch_id = $1', [id], BULK_MAX, ', t.serial_number, s.name AS site_name', 'JOIN terminals t ON t.id = c.terminal_id LEFT JOIN sites s ON s.id = t.site_id'),
    );
    const terminals = rows.map((r) => ({ ...toRow(r, now), serialNumber: r.serial_number as string, siteName: (r.site_name as string | null) ?? null }));
    terminals.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
    return { ...presentBatch(b, summarise(terminals)), terminals };
  }

  /**
   * Commands an HTTPS terminal has not yet been handed: unacknowledged and not expired. Marked as
   * delivered so the next batch does not carry them again (MQTT terminals get them on their topic).
   */
  async pendingForDevice(terminalId: string): Promise<DeviceCommand[]> {
    const now = this.ctx.clock.now();
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `UPDATE commands c SET delivered_at = $2
         WHERE c.terminal_id = $1 AND c.delivered_at IS NULL AND c.created_at > $3
           AND NOT EXISTS (SELECT 1 FROM command_acks a WHERE a.terminal_id = c.terminal_id AND a.command_id = c.id)
         RETURNING c.id, c.name, c.args, c.created_at`,
        [terminalId, now, new Date(now.getTime() - COMMAND_TTL_MS)],
      ),
    );
    return rows
      .sort((a, b) => new Date(a.created_at as string).getTime() - new Date(b.created_at as string).getTime())
      .map((r) => ({
        v: PROTOCOL_VERSION,
        commandId: r.id as string,
        at: new Date(r.created_at as string).toISOString(),
        name: r.name as DeviceCommand['name'],
        ...(r.args ? { args: r.args as Record<string, unknown> } : {}),
      }));
  }
}

/** The command's arguments as its schema reads them (defaults filled); a 400 naming the field otherwise. */
function checkedArgs(name: CommandRequest['name'], args: Record<string, unknown> | undefined): Record<string, unknown> | null {
  const r = parseCommandArgs(name, args);
  if (!r.ok) throw new AppError('validation.failed', 400, {}, r.issues.map((i) => ({ path: ['args', ...i.path].join('.'), id: 'row.invalid', text: i.message })));
  return Object.keys(r.args).length ? r.args : null;
}

async function selectCommands(tx: RawTx, where: string, params: unknown[], limit: number, extraCols = '', joins = ''): Promise<Row[]> {
  return tx.query<Row>(
    `SELECT c.*, a.status AS ack_status, a.detail AS ack_detail, a.at AS ack_at, a.result AS ack_result${extraCols}
     FROM commands c ${joins}
     LEFT JOIN LATERAL (SELECT status, detail, at, result FROM command_acks WHERE terminal_id = c.terminal_id AND command_id = c.id ORDER BY at DESC, (status = 'received') LIMIT 1) a ON true
     WHERE ${where} ORDER BY c.created_at DESC LIMIT ${Math.floor(limit)}`,
    params,
  );
}

function toRow(r: Row, nowMs: number): CommandRow {
  const created = new Date(r.created_at as string);
  const acked = r.ack_status as CommandRow['status'] | null;
  // A received command that never finished is as unanswered as one never received.
  const expired = nowMs - created.getTime() > COMMAND_TTL_MS;
  const status: CommandRow['status'] = acked && acked !== 'received' ? acked : expired ? 'expired' : (acked ?? 'sent');
  return {
    id: r.id as string,
    terminalId: r.terminal_id as string,
    name: r.name as CommandRow['name'],
    args: (r.args as Record<string, unknown> | null) ?? null,
    status,
    detail: (r.ack_detail as string | null) ?? null,
    result: (r.ack_result as Record<string, unknown> | null) ?? null,
    batchId: (r.batch_id as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    requestedBy: (r.requested_by_name as string | null) ?? null,
    createdAt: created.toISOString(),
    // A terminal's clock may run behind ours; the row never looks older than its creation.
    updatedAt: new Date(Math.max(created.getTime(), r.ack_at ? new Date(r.ack_at as string).getTime() : 0)).toISOString(),
  };
}

export function summarise(rows: readonly Pick<CommandRow, 'status'>[]): BatchSummary {
  const s: BatchSummary = { total: rows.length, succeeded: 0, failed: 0, noAnswer: 0, pending: 0 };
  for (const r of rows) {
    if (r.status === 'succeeded') s.succeeded++;
    else if (r.status === 'failed') s.failed++;
    else if (r.status === 'expired') s.noAnswer++;
    else s.pending++;
  }
  return s;
}

function presentBatch(b: typeof commandBatches.$inferSelect, summary: BatchSummary): CommandBatch {
  return {
    id: b.id,
    name: b.name as CommandBatch['name'],
    args: b.args ?? null,
    filter: b.filter as CommandFilter,
    reason: b.reason,
    requestedBy: b.requestedByName,
    createdAt: b.createdAt.toISOString(),
    summary,
  };
}
