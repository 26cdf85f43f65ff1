/**
 * Log bundles (issue 18): a terminal answers `upload_logs` by posting its logs over HTTPS to
 * /device/v1/logs, naming the command. A bundle is at most MAX_LOG_BUNDLE_BYTES, screened for card
 * data like every way into PosCare (gzip is unpacked to look), kept LOG_RETENTION_DAYS, and read or
 * downloaded by people who may send commands to the terminal.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { and, desc, eq, lt } from 'drizzle-orm';
import { type LogBundle, stringHasCardData } from '@poscare/contracts';
import { type Actor, assertCan } from '../access/actor.js';
import { commands, logBundles } from '../db/schema.js';
import type { Database } from '../db/client.js';
import { AppError } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { TerminalService } from '../terminals/service.js';
import { COMMAND_TTL_MS } from './service.js';

export const LOG_RETENTION_DAYS = 14;
const DAY_MS = 86_400_000;
/** A gzip bundle is unpacked at most this far to screen it; beyond, it is refused as too large. */
const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;

const present = (r: typeof logBundles.$inferSelect): LogBundle => ({
  id: r.id,
  terminalId: r.terminalId,
  commandId: r.commandId,
  filename: r.filename,
  contentType: r.contentType,
  bytes: r.bytes,
  createdAt: r.createdAt.toISOString(),
  expiresAt: new Date(r.createdAt.getTime() + LOG_RETENTION_DAYS * DAY_MS).toISOString(),
});

/** The bundle as text for the card-data screen: gzip unpacked (bounded), anything else read as UTF-8. */
function textOf(bytes: Buffer): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8');
    } catch {
      throw new AppError('validation.payload_too_large', 413, { limit: '32 MiB' });
    }
  }
  return bytes.toString('utf8');
}

export class LogService {
  private terminals: TerminalService;
  constructor(private ctx: AppContext) {
    this.terminals = new TerminalService(ctx);
  }

  /** From the terminal itself (already authenticated): stores the bundle of one of its upload_logs commands. */
  async receive(identity: { orgId: string; terminalId: string }, commandId: string, file: { filename: string; mimetype: string; bytes: Buffer }): Promise<LogBundle> {
    const now = this.ctx.clock.now();
    const [cmd] = await this.ctx.db.orm
      .select({ id: commands.id, createdAt: commands.createdAt })
      .from(commands)
      .where(and(eq(commands.id, commandId), eq(commands.terminalId, identity.terminalId), eq(commands.name, 'upload_logs')));
    // Only in answer to a command, while it is fresh: a terminal cannot fill our store on its own.
    if (!cmd || now.getTime() - cmd.createdAt.getTime() > COMMAND_TTL_MS) throw new AppError('command.log_unrequested', 409);
    const [already] = await this.ctx.db.orm.select({ id: logBundles.id }).from(logBundles).where(eq(logBundles.commandId, commandId));
    if (already) throw new AppError('command.log_unrequested', 409);
    if (stringHasCardData(textOf(file.bytes))) throw new AppError('command.log_card_data', 400);
    const [row] = await this.ctx.db.orm
      .insert(logBundles)
      .values({
        id: randomUUID(),
        orgId: identity.orgId,
        terminalId: identity.terminalId,
        commandId,
        filename: file.filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'logs.txt',
        contentType: /^[a-z]+\/[a-z0-9.+-]+$/i.test(file.mimetype) ? file.mimetype : 'application/octet-stream',
        bytes: file.bytes.length,
        data: file.bytes,
        createdAt: now,
      })
      .returning();
    return present(row!);
  }

  async list(actor: Actor, terminalId: string): Promise<LogBundle[]> {
    assertCan(actor, 'devices:command');
    await this.terminals.get(actor, terminalId);
    const since = new Date(this.ctx.clock.now().getTime() - LOG_RETENTION_DAYS * DAY_MS);
    const rows = await this.ctx.db.orm
      .select({ id: logBundles.id, orgId: logBundles.orgId, terminalId: logBundles.terminalId, commandId: logBundles.commandId, filename: logBundles.filename, contentType: logBundles.contentType, bytes: logBundles.bytes, createdAt: logBundles.createdAt })
      .from(logBundles)
      .where(eq(logBundles.terminalId, terminalId))
      .orderBy(desc(logBundles.createdAt))
      .limit(100);
    return rows.filter((r) => r.createdAt >= since).map((r) => present({ ...r, data: Buffer.alloc(0) }));
  }

  async get(actor: Actor, terminalId: string, id: string): Promise<{ bundle: LogBundle; data: Buffer }> {
    assertCan(actor, 'devices:command');
    await this.terminals.get(actor, terminalId);
    const [row] = await this.ctx.db.orm.select().from(logBundles).where(and(eq(logBundles.id, id), eq(logBundles.terminalId, terminalId)));
    if (!row || this.ctx.clock.now().getTime() - row.createdAt.getTime() > LOG_RETENTION_DAYS * DAY_MS) throw new AppError('command.log_not_found', 404);
    return { bundle: present(row), data: Buffer.from(row.data) };
  }
}

/** Retention: bundles older than LOG_RETENTION_DAYS go (the retention job's step). */
export async function pruneLogBundles(db: Database, now: Date): Promise<void> {
  await db.orm.delete(logBundles).where(lt(logBundles.createdAt, new Date(now.getTime() - LOG_RETENTION_DAYS * DAY_MS)));
}
