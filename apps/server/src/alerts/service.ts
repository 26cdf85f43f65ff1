/**
 * Alerts for people: the inbox, an alert's page, acknowledging, diagnosing again; rules (versions,
 * edits, preview on the last hours), silences and maintenance windows. Every call checks the
 * permission first and scopes to the actor's organization (merchant users: their own merchant).
 */
import type {
  AlertDetail,
  AlertPage,
  AlertQuery,
  AlertRow,
  AlertRuleDefinition,
  AlertRulePreviewResult,
  AlertRuleRow,
  Language,
  MaintenanceRow,
  SilenceRow,
} from '@poscare/contracts';
import { diagnoseCase, loadKnowledge, parseCase, type Knowledge } from '@poscare/diagnosis';
import { causeTitle } from '@poscare/codes';
import type { AlertState } from '@poscare/alerts';
import type { z } from 'zod';
import type { AlertAck, MaintenanceCreate, SilenceCreate } from '@poscare/contracts';
import { and, eq, sql as dsql } from 'drizzle-orm';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { maintenanceWindows, silences } from '../db/schema.js';
import { recordAudit, recordAuditTx } from '../audit/service.js';
import { errors, AppError } from '../errors/errors.js';
import { securitySignalName } from '../security/signals.js';
import type { AppContext } from '../platform/context.js';
import { MerchantService } from '../merchants/service.js';
import { SiteService } from '../sites/service.js';
import { TerminalService } from '../terminals/service.js';
import { buildTerminalCase, type TerminalRow } from '../diagnosis/repository.js';
import { effectiveRules, recordEvent, ruleVersions, saveRule, storeAlertDiagnosis, type StoredRule } from './repository.js';
import { previewRule } from './preview.js';
import type { AlertRuntime } from './runtime.js';
import type { Signals } from '../platform/signals.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** An alert row as the API presents it: with its ticket's number (T000123), as people name tickets. */
const ALERT_COLUMNS = `a.*, (SELECT k.number FROM tickets k WHERE k.id = a.ticket_id) AS ticket_number`;

export class AlertService {
  private readonly knowledge: Knowledge;
  private readonly terminals: TerminalService;
  private readonly sites: SiteService;
  private readonly merchants: MerchantService;

  constructor(
    private readonly ctx: AppContext,
    private runtime: AlertRuntime | null = null,
  ) {
    this.knowledge = loadKnowledge();
    this.terminals = new TerminalService(ctx);
    this.sites = new SiteService(ctx);
    this.merchants = new MerchantService(ctx);
  }

  attachRuntime(r: AlertRuntime | null): void {
    this.runtime = r;
  }

  private signals: Signals | null = null;

  /** Rules and suppressions saved here reach the evaluators of every other process at once (AlertRuntime.listen). */
  shareConfig(signals: Signals | null): void {
    this.signals = signals;
  }

  private signalConfig(orgId: string, what: 'rules' | 'suppressions'): void {
    // After the commit; best effort: the evaluators still reload on their timers.
    this.signals?.publish('alert.config', { orgId, what }).catch((err: unknown) => this.ctx.log.warn({ err }, 'alert configuration signal not sent'));
  }

  // ---- alerts -------------------------------------------------------------------------------------

  async list(actor: Actor, q: AlertQuery, lang: Language): Promise<AlertPage> {
    assertCan(actor, 'alerts:read');
    const where: string[] = ['a.org_id = $1'];
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (actor.merchantId) where.push(`a.merchant_id = ${p(actor.merchantId)}`);
    const scopeWhere = [...where];
    if (q.status === 'open') where.push(`a.status <> 'resolved'`);
    else if (q.status !== 'all') where.push(`a.status = ${p(q.status)}`);
    if (q.severity) where.push(`a.severity = ${p(q.severity)}`);
    if (q.rule) where.push(`a.rule_code = ${p(q.rule)}`);
    if (q.terminalId) where.push(`(a.terminal_id = ${p(q.terminalId)} OR a.members @> ${p(JSON.stringify([{ terminalId: q.terminalId }]))}::jsonb)`);
    if (q.siteId) where.push(`a.site_id = ${p(q.siteId)}`);
    if (q.merchantId) where.push(`a.merchant_id = ${p(q.merchantId)}`);
    if (q.suppressed === 'hide') where.push('a.suppressed IS NULL');
    else if (q.suppressed === 'only') where.push('a.suppressed IS NOT NULL');
    if (q.q) where.push(`(a.scope_label ILIKE ${p(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`)} OR a.rule_code ILIKE $${params.length})`);
    const rules = await this.rulesByCode(actor.orgId);
    return this.ctx.db.rawTransaction(async (tx) => {
      const [rows, [total], [counts]] = await Promise.all([
        tx.query<Row>(
          `SELECT ${ALERT_COLUMNS} FROM alerts a WHERE ${where.join(' AND ')} ORDER BY (a.status = 'resolved'), CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.last_change_at DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
          params,
        ),
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts a WHERE ${where.join(' AND ')}`, params),
        tx.query<Row>(
          `SELECT count(*) FILTER (WHERE status = 'firing' AND suppressed IS NULL)::int AS firing,
                  count(*) FILTER (WHERE status = 'acknowledged' AND suppressed IS NULL)::int AS acknowledged,
                  count(*) FILTER (WHERE severity = 'critical' AND suppressed IS NULL)::int AS critical,
                  count(*) FILTER (WHERE suppressed IS NOT NULL)::int AS suppressed
             FROM alerts a WHERE ${scopeWhere.join(' AND ')} AND a.status <> 'resolved'`,
          params.slice(0, scopeWhere.length === 2 ? 2 : 1),
        ),
      ]);
      return {
        items: rows.map((r) => presentAlert(r, rules, lang)),
        total: Number(total?.n ?? 0),
        counts: { firing: Number(counts?.firing ?? 0), acknowledged: Number(counts?.acknowledged ?? 0), critical: Number(counts?.critical ?? 0), suppressed: Number(counts?.suppressed ?? 0) },
      };
    });
  }

  async get(actor: Actor, id: string, lang: Language): Promise<AlertDetail> {
    assertCan(actor, 'alerts:read');
    const row = await this.row(actor, id);
    const rules = await this.rulesByCode(actor.orgId);
    return this.ctx.db.rawTransaction(async (tx) => {
      const members = (row.members as { terminalId: string; since: string; active: boolean }[]) ?? [];
      const serials = members.length
        ? await tx.query<{ id: string; serial_number: string }>('SELECT id, serial_number FROM terminals WHERE id = ANY($1::uuid[]) AND org_id = $2', [members.map((m) => m.terminalId), actor.orgId])
        : [];
      const serial = new Map(serials.map((s) => [s.id, s.serial_number]));
      const events = await tx.query<Row>('SELECT at, type, actor, detail FROM alert_events WHERE alert_id = $1 ORDER BY at, id', [id]);
      return {
        ...presentAlert(row, rules, lang),
        members: members.map((m) => ({ terminalId: m.terminalId, serialNumber: serial.get(m.terminalId) ?? null, since: iso(m.since)!, active: m.active })),
        events: events.map((e) => ({ at: iso(e.at)!, type: e.type as AlertDetail['events'][number]['type'], actor: (e.actor as string | null) ?? null, detail: (e.detail as Record<string, unknown> | null) ?? null })),
        rule: rules.get(row.rule_code as string)?.definition ?? null,
      };
    });
  }

  async acknowledge(actor: Actor, id: string, body: z.infer<typeof AlertAck>, lang: Language): Promise<AlertRow> {
    assertCan(actor, 'alerts:manage');
    const row = await this.row(actor, id);
    if (row.status === 'resolved') throw new AppError('alert.already_resolved', 409);
    if (row.status === 'firing') {
      const local = this.runtime?.acknowledge(id, actor.name, body.comment);
      if (local) {
        await this.runtime!.settled();
        // The runtime stored the acknowledgement with its own batch; the audit entry follows it.
        await recordAudit(this.ctx.db.orm, actor, row.org_id as string, { action: 'alert.acknowledge', entity: 'alert', entityId: id, before: { status: 'firing' }, after: { status: 'acknowledged', comment: body.comment ?? null } }, this.ctx.clock.now());
      } else {
        // Evaluated by a worker in another process: it picks the acknowledgement up from here.
        const now = this.ctx.clock.now();
        await this.ctx.db.rawTransaction(async (tx) => {
          await tx.query(`UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, last_change_at = $2 WHERE id = $1 AND status = 'firing'`, [id, now, actor.name]);
          await recordEvent(tx, id, actor.orgId, now, 'acknowledged', actor.name, body.comment ? { comment: body.comment } : null);
          await recordAuditTx(tx, actor, row.org_id as string, { action: 'alert.acknowledge', entity: 'alert', entityId: id, before: { status: 'firing' }, after: { status: 'acknowledged', comment: body.comment ?? null } }, now);
        });
      }
    }
    const rules = await this.rulesByCode(actor.orgId);
    return presentAlert(await this.row(actor, id), rules, lang);
  }

  /** Diagnoses the alert's terminal (a group alert: its first active member) now, and stores the summary. */
  async diagnose(actor: Actor, id: string, lang: Language): Promise<AlertRow> {
    assertCan(actor, 'diagnosis:run');
    const row = await this.row(actor, id);
    const summary = await this.diagnosisFor(row.org_id as string, representative(row));
    if (summary) await this.ctx.db.rawTransaction((tx) => storeAlertDiagnosis(tx, id, actor.orgId, this.ctx.clock.now(), actor.name, summary));
    const rules = await this.rulesByCode(actor.orgId);
    return presentAlert(await this.row(actor, id), rules, lang);
  }

  /** The diagnoser the runtime calls for new alerts. */
  diagnoser() {
    return (a: AlertState) => {
      const members = [...a.members].filter(([, m]) => m.active).map(([id]) => id);
      return this.diagnosisFor(a.orgId, a.terminalId ?? members[0] ?? [...a.members.keys()][0] ?? null);
    };
  }

  /** The diagnosis stored on an alert, from the terminal's stored data (the `alert.diagnose` job runs it). */
  async diagnosisFor(orgId: string, terminalId: string | null): Promise<DiagnosisSummary | null> {
    if (!terminalId) return null;
    const now = this.ctx.clock.now();
    const assembled = await this.ctx.db.rawTransaction(async (tx) => {
      const [term] = await tx.query<TerminalRow>(
        'SELECT id, org_id, merchant_id, site_id, vendor, model, os_version, app_version, connectivity, created_at FROM terminals WHERE id = $1 AND org_id = $2',
        [terminalId, orgId],
      );
      return term ? buildTerminalCase(tx, term, now, 'zh-CN') : null;
    });
    if (!assembled) return null;
    const result = diagnoseCase(parseCase(assembled), { knowledge: this.knowledge });
    return {
      at: now.toISOString(),
      scope: result.scope,
      causes: result.causes.slice(0, 3).map((c) => ({ code: c.code, confidence: c.confidence, title: { 'zh-CN': safeTitle(c.code, 'zh-CN', c.title), 'en-US': safeTitle(c.code, 'en-US', c.title) } })),
    };
  }

  private async row(actor: Actor, id: string): Promise<Row> {
    const params: unknown[] = [id, actor.orgId];
    let sql = `SELECT ${ALERT_COLUMNS} FROM alerts a WHERE id = $1 AND org_id = $2`;
    if (actor.merchantId) sql += ` AND merchant_id = $${params.push(actor.merchantId)}`;
    const [row] = await this.ctx.db.rawTransaction((tx) => tx.query<Row>(sql, params));
    if (!row) throw errors.notFound('alert');
    return row;
  }

  // ---- rules --------------------------------------------------------------------------------------

  private async rulesByCode(orgId: string): Promise<Map<string, StoredRule>> {
    const rules = await this.ctx.db.rawTransaction((tx) => effectiveRules(tx, orgId));
    return new Map(rules.map((r) => [r.definition.code, r]));
  }

  async rules(actor: Actor): Promise<AlertRuleRow[]> {
    assertCan(actor, 'alerts:read');
    const rules = await this.ctx.db.rawTransaction((tx) => effectiveRules(tx, actor.orgId));
    return rules.map(presentRule);
  }

  async versions(actor: Actor, code: string): Promise<AlertRuleRow[]> {
    assertCan(actor, 'alerts:read');
    const rows = await this.ctx.db.rawTransaction((tx) => ruleVersions(tx, actor.orgId, code));
    if (!rows.length) throw errors.notFound('alert rule');
    return rows.map(presentRule);
  }

  async saveRule(actor: Actor, code: string, def: AlertRuleDefinition, comment: string | undefined): Promise<AlertRuleRow> {
    assertCan(actor, 'alerts:configure');
    if (def.code !== code) throw errors.validation([{ path: 'body.definition.code', id: 'alert.rule_code_mismatch', params: { code } }]);
    checkInhibits(def);
    const now = this.ctx.clock.now();
    const before = (await this.rulesByCode(actor.orgId)).get(code) ?? null;
    await this.ctx.db.orm.transaction(async (tx) => {
      const version = await saveRule(tx, actor.orgId, def, { id: authorId(actor), name: actor.name }, comment ?? null, now);
      await recordAudit(tx, actor, actor.orgId, { action: 'alert_rule.save', entity: 'alert_rule', entityId: `${code}@${version}`, before: before?.definition ?? null, after: def }, now);
    });
    await this.runtime?.reloadRules(actor.orgId);
    this.signalConfig(actor.orgId, 'rules');
    const saved = (await this.rulesByCode(actor.orgId)).get(code)!;
    return presentRule(saved);
  }

  async preview(actor: Actor, def: AlertRuleDefinition, hours: number): Promise<AlertRulePreviewResult> {
    assertCan(actor, 'alerts:configure');
    return previewRule(this.ctx, actor.orgId, def, hours);
  }

  // ---- silences and maintenance -----------------------------------------------------------------------

  async silences(actor: Actor): Promise<SilenceRow[]> {
    assertCan(actor, 'alerts:read');
    const now = this.ctx.clock.now();
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(`SELECT * FROM silences WHERE org_id = $1 AND ends_at > $2::timestamptz - interval '7 days' ORDER BY ends_at DESC LIMIT 500`, [actor.orgId, now]),
    );
    return rows.map((r) => presentSilence(r, now));
  }

  async createSilence(actor: Actor, body: z.infer<typeof SilenceCreate>): Promise<SilenceRow> {
    assertCan(actor, 'alerts:manage');
    const now = this.ctx.clock.now();
    const startsAt = body.startsAt ? new Date(body.startsAt) : now;
    const endsAt = new Date(body.endsAt);
    if (endsAt <= startsAt || endsAt <= now) throw errors.validation([{ path: 'body.endsAt', id: 'alert.ends_before_start' }]);
    await this.checkRefs(actor, body.matchers);
    const matchers = Object.fromEntries(Object.entries(body.matchers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      const [r] = await tx.insert(silences).values({ orgId: actor.orgId, matchers, startsAt, endsAt, comment: body.comment, createdBy: actor.name, createdAt: now }).returning();
      await recordAudit(tx, actor, r!.orgId, { action: 'silence.create', entity: 'silence', entityId: r!.id, after: { matchers, startsAt, endsAt, comment: body.comment } }, now);
      return r!;
    });
    await this.afterSuppressionChange(actor.orgId);
    return presentSilence(row, now);
  }

  async expireSilence(actor: Actor, id: string): Promise<SilenceRow> {
    assertCan(actor, 'alerts:manage');
    const now = this.ctx.clock.now();
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      const [r] = await tx
        .update(silences)
        .set({ endsAt: dsql`LEAST(${silences.endsAt}, ${now})` })
        .where(and(eq(silences.id, id), eq(silences.orgId, actor.orgId)))
        .returning();
      if (!r) throw errors.notFound('silence');
      await recordAudit(tx, actor, r.orgId, { action: 'silence.expire', entity: 'silence', entityId: id }, now);
      return r;
    });
    await this.afterSuppressionChange(actor.orgId);
    return presentSilence(row, now);
  }

  async maintenance(actor: Actor): Promise<MaintenanceRow[]> {
    assertCan(actor, 'alerts:read');
    const now = this.ctx.clock.now();
    const params: unknown[] = [actor.orgId, now];
    let scope = '';
    if (actor.merchantId) scope = ` AND (s.merchant_id = $${params.push(actor.merchantId)} OR t.merchant_id = $${params.length})`;
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT w.*, s.name AS site_name, t.serial_number FROM maintenance_windows w LEFT JOIN sites s ON s.id = w.site_id LEFT JOIN terminals t ON t.id = w.terminal_id
          WHERE w.org_id = $1 AND w.ends_at > $2::timestamptz - interval '7 days'${scope} ORDER BY w.starts_at DESC LIMIT 500`,
        params,
      ),
    );
    return rows.map((r) => presentMaintenance(r, now));
  }

  async createMaintenance(actor: Actor, body: z.infer<typeof MaintenanceCreate>): Promise<MaintenanceRow> {
    assertCan(actor, 'alerts:manage');
    const now = this.ctx.clock.now();
    const startsAt = new Date(body.startsAt);
    const endsAt = new Date(body.endsAt);
    if (endsAt <= startsAt) throw errors.validation([{ path: 'body.endsAt', id: 'alert.ends_before_start' }]);
    await this.checkRefs(actor, { siteId: body.siteId, terminalId: body.terminalId });
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      const [r] = await tx
        .insert(maintenanceWindows)
        .values({ orgId: actor.orgId, siteId: body.siteId ?? null, terminalId: body.terminalId ?? null, startsAt, endsAt, reason: body.reason, createdBy: actor.name, createdAt: now })
        .returning({ id: maintenanceWindows.id });
      await recordAudit(tx, actor, actor.orgId, { action: 'maintenance.create', entity: 'maintenance_window', entityId: r!.id, after: body }, now);
      return r!.id;
    });
    await this.afterSuppressionChange(actor.orgId);
    return (await this.maintenance(actor)).find((m) => m.id === row)!;
  }

  async endMaintenance(actor: Actor, id: string): Promise<MaintenanceRow> {
    assertCan(actor, 'alerts:manage');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const res = await tx
        .update(maintenanceWindows)
        .set({ endsAt: dsql`LEAST(${maintenanceWindows.endsAt}, ${now})` })
        .where(and(eq(maintenanceWindows.id, id), eq(maintenanceWindows.orgId, actor.orgId)))
        .returning({ id: maintenanceWindows.id });
      if (!res.length) throw errors.notFound('maintenance window');
      await recordAudit(tx, actor, actor.orgId, { action: 'maintenance.end', entity: 'maintenance_window', entityId: id }, now);
    });
    await this.afterSuppressionChange(actor.orgId);
    return (await this.maintenance(actor)).find((m) => m.id === id)!;
  }

  /** Sites, terminals and merchants named in a silence or window must be the actor's own (the inventory services scope them). */
  private async checkRefs(actor: Actor, refs: { siteId?: string | undefined; terminalId?: string | undefined; merchantId?: string | undefined }): Promise<void> {
    if (refs.siteId) await this.sites.get(actor, refs.siteId);
    if (refs.terminalId) await this.terminals.get(actor, refs.terminalId);
    if (refs.merchantId) await this.merchants.get(actor, refs.merchantId);
  }

  private async afterSuppressionChange(orgId: string): Promise<void> {
    this.signalConfig(orgId, 'suppressions');
    if (!this.runtime) return;
    await this.runtime.reloadSuppressions();
    await this.runtime.tick();
  }
}

interface DiagnosisSummary {
  at: string;
  scope: string;
  causes: { code: string; confidence: number; title: { 'zh-CN': string; 'en-US': string } }[];
}

function safeTitle(code: string, lang: string, fallback: string): string {
  try {
    return causeTitle(code, lang);
  } catch {
    return fallback;
  }
}

function representative(row: Row): string | null {
  if (row.terminal_id) return row.terminal_id as string;
  const members = (row.members as { terminalId: string; active: boolean }[]) ?? [];
  return (members.find((m) => m.active) ?? members[0])?.terminalId ?? null;
}

function checkInhibits(def: AlertRuleDefinition): void {
  if (def.inhibits?.rules.includes(def.code)) throw errors.validation([{ path: 'body.definition.inhibits.rules', id: 'alert.inhibits_itself' }]);
}

export function presentAlert(r: Row, rules: Map<string, StoredRule>, lang: Language): AlertRow {
  const rule = rules.get(r.rule_code as string)?.definition;
  const diag = r.diagnosis as DiagnosisSummary | null;
  const sup = r.suppressed as { kind: 'silence' | 'maintenance' | 'inhibited'; id: string; until: string | null } | null;
  return {
    id: r.id as string,
    ruleCode: r.rule_code as string,
    ruleVersion: Number(r.rule_version),
    name: rule?.name[lang] ?? securitySignalName(r.rule_code as string, lang) ?? (r.rule_code as string),
    severity: r.severity as AlertRow['severity'],
    status: r.status as AlertRow['status'],
    flapping: !!r.flapping,
    suppressed: sup ? { kind: sup.kind, id: sup.id, until: sup.until } : null,
    groupBy: r.group_by as AlertRow['groupBy'],
    scopeKey: r.scope_key as string,
    scopeLabel: r.scope_label as string,
    terminalId: (r.terminal_id as string | null) ?? null,
    siteId: (r.site_id as string | null) ?? null,
    merchantId: (r.merchant_id as string | null) ?? null,
    memberCount: Number(r.member_count),
    cause: (r.cause as string | null) ?? null,
    value: r.value === null || r.value === undefined ? null : Number(r.value),
    threshold: r.threshold === null || r.threshold === undefined ? null : Number(r.threshold),
    predictedAt: iso(r.predicted_at),
    startedAt: iso(r.started_at)!,
    lastChangeAt: iso(r.last_change_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: iso(r.resolved_at),
    escalationLevel: Number(r.escalation_level),
    ticketId: (r.ticket_id as string | null) ?? null,
    ticketNumber: (r.ticket_number as string | null) ?? null,
    diagnosis: diag ? { at: diag.at, scope: diag.scope, causes: diag.causes.map((c) => ({ code: c.code, confidence: c.confidence, title: c.title[lang] ?? c.code })) } : null,
  };
}

function presentRule(r: StoredRule): AlertRuleRow {
  return { code: r.definition.code, version: r.version, source: r.source, definition: r.definition, updatedAt: r.updatedAt, updatedBy: r.updatedBy, comment: r.comment };
}

function presentSilence(r: Row, now: Date): SilenceRow {
  const startsAt = new Date((r.starts_at ?? r.startsAt) as string);
  const endsAt = new Date((r.ends_at ?? r.endsAt) as string);
  return {
    id: r.id as string,
    matchers: r.matchers as Record<string, string>,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    comment: r.comment as string,
    createdBy: ((r.created_by ?? r.createdBy) as string | null) ?? null,
    createdAt: iso(r.created_at ?? r.createdAt)!,
    active: startsAt <= now && now < endsAt,
  };
}

function presentMaintenance(r: Row, now: Date): MaintenanceRow {
  const startsAt = new Date(r.starts_at as string);
  const endsAt = new Date(r.ends_at as string);
  return {
    id: r.id as string,
    siteId: (r.site_id as string | null) ?? null,
    terminalId: (r.terminal_id as string | null) ?? null,
    label: ((r.site_name ?? r.serial_number) as string | null) ?? '',
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    reason: r.reason as string,
    createdBy: (r.created_by as string | null) ?? null,
    active: startsAt <= now && now < endsAt,
  };
}
