/**
 * Terminal import from CSV/XLSX: a dry run reports every problem row by row; a real run writes all
 * rows or nothing, or only the valid rows when the user asks for that. Rows are written with COPY.
 */
import { randomUUID } from 'node:crypto';
import type { ImportMode, ImportReport, Language } from '@poscare/contracts';
import { csvRows } from '../db/client.js';
import { errors } from '../errors/errors.js';
import { payloadTooLarge } from '../http/upload.js';
import { type Actor, assertCan, authorId, targetOrg } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { TERMINAL_COPY_COLUMNS } from '../terminals/repository.js';
import { detectKind, readSheet } from './parse.js';
import { renderProblem, validateRowsInSteps, type ValidRow } from './validate.js';

const MAX_REPORTED_PROBLEMS = 1_000;
const HISTORY_COLUMNS = ['id', 'org_id', 'terminal_id', 'from_state', 'to_state', 'reason', 'actor_id', 'actor_name', 'at'] as const;

export interface ImportInput {
  filename?: string | undefined;
  bytes: Buffer;
  mode: ImportMode;
  orgId?: string | undefined;
  language: Language;
}

export class ImportService {
  constructor(private ctx: AppContext) {}

  /** The largest file the import route accepts (MAX_UPLOAD_MB). */
  get maxUploadBytes(): number {
    return this.ctx.config.MAX_UPLOAD_MB * 1024 * 1024;
  }

  async importTerminals(actor: Actor, input: ImportInput): Promise<ImportReport> {
    assertCan(actor, 'import:run');
    const orgId = targetOrg(actor, input.orgId);
    // The route stops a larger upload while it arrives; the same limit holds for `poscare import-terminals`.
    if (input.bytes.length > this.maxUploadBytes) throw payloadTooLarge(this.maxUploadBytes);
    // The caps are enforced while the file is read, on the import thread: nothing past them is ever parsed.
    const sheet = await readSheet(detectKind(input.filename, input.bytes), input.bytes, {
      maxRows: this.ctx.config.MAX_IMPORT_ROWS,
      maxUnpackedBytes: this.ctx.config.MAX_IMPORT_UNPACKED_MB * 1024 * 1024,
    });

    const known = await this.known(orgId);
    const { valid, problems, totalRows, invalidRows } = await validateRowsInSteps(sheet, known);
    const report: ImportReport = {
      mode: input.mode,
      totalRows,
      validRows: valid.length,
      invalidRows,
      imported: 0,
      problems: problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => renderProblem(input.language, p)),
      problemsTruncated: problems.length > MAX_REPORTED_PROBLEMS,
    };
    if (input.mode === 'dry_run') return report;
    if (input.mode === 'all_or_nothing' && invalidRows > 0) throw errors.importInvalidRows(invalidRows);
    if (valid.length > 0) await this.write(actor, orgId, valid, input);
    return { ...report, imported: valid.length };
  }

  /** What validation needs from the database: the org's sites by code, and which serials exist. */
  private async known(orgId: string) {
    return this.ctx.db.rawTransaction(async (tx) => {
      const [sites, serials] = await Promise.all([
        tx.query<{ code: string; id: string; merchant_id: string }>('SELECT code, id, merchant_id FROM sites WHERE org_id = $1', [orgId]),
        tx.query<{ serial_number: string }>('SELECT serial_number FROM terminals WHERE org_id = $1', [orgId]),
      ]);
      return {
        sites: new Map(sites.map((s) => [s.code, { id: s.id, merchantId: s.merchant_id }])),
        existingSerials: new Set(serials.map((s) => s.serial_number)),
      };
    });
  }

  private async write(actor: Actor, orgId: string, valid: ValidRow[], input: ImportInput) {
    const now = this.ctx.clock.now();
    const actorId = authorId(actor);
    const terminals: unknown[][] = [];
    const history: unknown[][] = [];
    for (const r of valid) {
      const id = randomUUID();
      terminals.push([id, orgId, r.merchantId, r.siteId, r.serialNumber, r.tid, r.vendor, r.model, r.osVersion, r.appVersion, r.firmwareVersion, r.connectivity, r.lifecycleState, now, now]);
      history.push([randomUUID(), orgId, id, null, r.lifecycleState, 'imported', actorId, actor.name, now]);
    }
    await this.ctx.db.rawTransaction(async (tx) => {
      await tx.copyIn('terminals', TERMINAL_COPY_COLUMNS, csvRows(terminals));
      await tx.copyIn('terminal_state_history', HISTORY_COLUMNS, csvRows(history));
      // One audit entry per import: who, which file, how many; the rows themselves carry their history.
      await recordAuditTx(tx, actor, orgId, { action: 'import', entity: 'terminal', after: { file: input.filename ?? null, mode: input.mode, imported: valid.length } }, now);
    });
  }
}
