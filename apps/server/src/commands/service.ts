/**
 * Remote commands: an operator asks a terminal to reboot, print a test page, exchange keys, settle…
 * A command is stored first, then pushed on the terminal's MQTT command topic (when this process
 * has a broker) and also handed to HTTPS terminals in the answer to their next batch. Its status
 * comes from the terminal's own acknowledgements (cmd_ack), never from our hopes.
 */
import { randomUUID } from 'node:crypto';
import { type CommandRequest, type CommandRow, type DeviceCommand, PROTOCOL_VERSION } from '@poscare/contracts';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { eq } from 'drizzle-orm';
import { commands, deviceCredentials } from '../db/schema.js';
import { AppError } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { TerminalService } from '../terminals/service.js';
import type { Signals } from '../platform/signals.js';

/** A command nobody acknowledged within this time is reported as expired, and no longer delivered. */
export const COMMAND_TTL_MS = 15 * 60_000;

export type CommandPublisher = (orgId: string, terminalId: string, command: DeviceCommand) => Promise<void>;
/** Terminals living inside this process (the demo fleet): takes the command and says whether it could. */
export type LocalTerminals = { has(terminalId: string): boolean; deliver(terminalId: string, command: DeviceCommand): void };

type Row = Record<string, unknown>;

export class CommandService {
  private terminals: TerminalService;
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
    const now = this.ctx.clock.now();
    const id = randomUUID();
    await this.ctx.db.orm.transaction(async (tx) => {
      const [cred] = await tx.select({ revokedAt: deviceCredentials.revokedAt }).from(deviceCredentials).where(eq(deviceCredentials.terminalId, terminalId));
      if ((!cred || cred.revokedAt) && !this.local?.has(terminalId)) throw new AppError('command.not_enrolled', 409);
      await tx.insert(commands).values({
        id,
        orgId: term.orgId,
        terminalId,
        name: req.name,
        args: req.args ?? null,
        reason: req.reason ?? null,
        requestedBy: authorId(actor),
        requestedByName: actor.name,
        createdAt: now,
      });
      await recordAudit(tx, actor, term.orgId, { action: 'command', entity: 'terminal', entityId: terminalId, after: { command: req.name, commandId: id, reason: req.reason ?? null } }, now);
    });
    const command: DeviceCommand = { v: PROTOCOL_VERSION, commandId: id, at: now.toISOString(), name: req.name, ...(req.args ? { args: req.args } : {}) };
    let pushed = false;
    if (this.local?.has(terminalId)) {
      this.local.deliver(terminalId, command);
      pushed = true;
    } else if (this.publisher) {
      // Best effort: a terminal that is not connected gets it over HTTPS or when it comes back.
      pushed = await this.publisher(term.orgId, terminalId, command).then(
        () => true,
        (err: unknown) => {
          this.ctx.log.warn({ err, terminalId, commandId: id }, 'command not published over MQTT');
          return false;
        },
      );
    }
    // The other processes push it too when the terminal may be on their broker (or this one could not push).
    if (this.bus && !(pushed && (this.publisherShared || this.local?.has(terminalId)))) {
      await this.bus
        .publish('command.push', { orgId: term.orgId, terminalId, command, from: this.origin, pushed })
        .catch((err: unknown) => this.ctx.log.warn({ err, terminalId, commandId: id }, 'command not signalled to other processes'));
    }
    return (await this.list(actor, terminalId)).find((c) => c.id === id)!;
  }

  async list(actor: Actor, terminalId: string, limit = 50): Promise<CommandRow[]> {
    assertCan(actor, 'fleet:read');
    await this.terminals.get(actor, terminalId);
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT c.*, a.status AS ack_status, a.detail AS ack_detail, a.at AS ack_at
         FROM commands c
         LEFT JOIN LATERAL (SELECT status, detail, at FROM command_acks WHERE terminal_id = c.terminal_id AND command_id = c.id ORDER BY at DESC, (status = 'received') LIMIT 1) a ON true
         WHERE c.terminal_id = $1 ORDER BY c.created_at DESC LIMIT $2`,
        [terminalId, limit],
      ),
    );
    const now = this.ctx.clock.now().getTime();
    return rows.map((r) => {
      const created = new Date(r.created_at as string);
      const acked = r.ack_status as CommandRow['status'] | null;
      const status: CommandRow['status'] = acked ?? (now - created.getTime() > COMMAND_TTL_MS ? 'expired' : 'sent');
      return {
        id: r.id as string,
        terminalId: r.terminal_id as string,
        name: r.name as CommandRow['name'],
        args: (r.args as Record<string, unknown> | null) ?? null,
        status,
        detail: (r.ack_detail as string | null) ?? null,
        requestedBy: (r.requested_by_name as string | null) ?? null,
        createdAt: created.toISOString(),
        // A terminal's clock may run behind ours; the row never looks older than its creation.
        updatedAt: new Date(Math.max(created.getTime(), r.ack_at ? new Date(r.ack_at as string).getTime() : 0)).toISOString(),
      };
    });
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
