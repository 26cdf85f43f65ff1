/**
 * Alert storage: rule versions, alerts (one row per alert, rewritten as it changes) and their events,
 * silences and maintenance windows, and what the engine needs at start (terminals, trading history).
 * Bulk writes go as one JSON document per statement, so a burst of changes is two statements.
 */
import type { AlertRuleDefinition } from '@poscare/contracts';
import { AlertRuleDefinition as RuleSchema } from '@poscare/contracts';
import { DEFAULT_RULES, type AlertChange, type AlertState, type Maintenance, type RuleVersion, type Silence, type TerminalInfo } from '@poscare/alerts';
import { and, eq, max } from 'drizzle-orm';
import type { Database, Orm, RawTx } from '../db/client.js';
import { alertRules } from '../db/schema.js';

type Row = Record<string, unknown>;

/** Single statements outside a transaction of the caller's. */
export const reader = (db: Database): Pick<RawTx, 'query'> => ({ query: (text, params) => db.rawTransaction((tx) => tx.query(text, params)) });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).getTime());

export interface StoredRule extends RuleVersion {
  source: 'default' | 'organization';
  updatedAt: string | null;
  updatedBy: string | null;
  comment: string | null;
}

/** The org's effective rules: each shipped default (version 1) unless the org saved a newer version, plus the org's own codes. */
export async function effectiveRules(q: Pick<RawTx, 'query'>, orgId: string): Promise<StoredRule[]> {
  const rows = await q.query<Row>(
    `SELECT DISTINCT ON (code) code, version, definition, comment, created_by_name, created_at FROM alert_rules WHERE org_id = $1 ORDER BY code, version DESC`,
    [orgId],
  );
  const saved = new Map(rows.map((r) => [r.code as string, r]));
  const out: StoredRule[] = [];
  for (const d of DEFAULT_RULES) {
    const r = saved.get(d.code);
    if (r) saved.delete(d.code);
    out.push(r ? storedRule(r) : { definition: d, version: 1, source: 'default', updatedAt: null, updatedBy: null, comment: null });
  }
  for (const r of saved.values()) out.push(storedRule(r));
  return out;
}

function storedRule(r: Row): StoredRule {
  return {
    // Stored definitions were checked when saved; parsing fills defaults added to the schema since.
    definition: RuleSchema.parse(r.definition),
    version: Number(r.version),
    source: 'organization',
    updatedAt: new Date(r.created_at as string).toISOString(),
    updatedBy: (r.created_by_name as string | null) ?? null,
    comment: (r.comment as string | null) ?? null,
  };
}

export async function ruleVersions(q: Pick<RawTx, 'query'>, orgId: string, code: string): Promise<StoredRule[]> {
  const rows = await q.query<Row>(`SELECT code, version, definition, comment, created_by_name, created_at FROM alert_rules WHERE org_id = $1 AND code = $2 ORDER BY version DESC`, [orgId, code]);
  const out = rows.map(storedRule);
  const shipped = DEFAULT_RULES.find((d) => d.code === code);
  if (shipped) out.push({ definition: shipped, version: 1, source: 'default', updatedAt: null, updatedBy: null, comment: null });
  return out;
}

/** Stores a new version of a rule (a shipped default is version 1); returns its number. */
export async function saveRule(tx: Orm, orgId: string, def: AlertRuleDefinition, by: { id: string | null; name: string }, comment: string | null, at: Date): Promise<number> {
  const [r] = await tx.select({ v: max(alertRules.version) }).from(alertRules).where(and(eq(alertRules.orgId, orgId), eq(alertRules.code, def.code)));
  const shipped = DEFAULT_RULES.some((d) => d.code === def.code);
  const version = Math.max(Number(r?.v ?? 0), shipped ? 1 : 0) + 1;
  await tx.insert(alertRules).values({ orgId, code: def.code, version, definition: def as unknown as Record<string, unknown>, comment, createdBy: by.id, createdByName: by.name, createdAt: at });
  return version;
}

/** Terminals the engine watches: installed or active, with the labels alerts show. */
export async function monitoredTerminals(q: Pick<RawTx, 'query'>, orgId?: string, ids?: string[]): Promise<{ info: TerminalInfo; lastSeen: number | null }[]> {
  const where = ["t.lifecycle_state IN ('installed', 'active')"];
  const params: unknown[] = [];
  if (orgId) where.push(`t.org_id = $${params.push(orgId)}`);
  if (ids) where.push(`t.id = ANY($${params.push(ids)}::uuid[])`);
  const rows = await q.query<Row>(
    `SELECT t.id, t.org_id, t.serial_number, t.site_id, s.name AS site_name, t.merchant_id, m.name AS merchant_name, m.acquirer_host,
            coalesce(l.app_version, t.app_version) AS app_version, l.last_seen_at
       FROM terminals t LEFT JOIN sites s ON s.id = t.site_id LEFT JOIN merchants m ON m.id = t.merchant_id LEFT JOIN terminal_live l ON l.terminal_id = t.id
      WHERE ${where.join(' AND ')}`,
    params,
  );
  return rows.map((r) => ({
    info: {
      id: r.id as string,
      orgId: r.org_id as string,
      serial: r.serial_number as string,
      siteId: (r.site_id as string | null) ?? null,
      siteLabel: (r.site_name as string | null) ?? null,
      merchantId: (r.merchant_id as string | null) ?? null,
      merchantLabel: (r.merchant_name as string | null) ?? null,
      host: (r.acquirer_host as string | null) ?? null,
      appVersion: (r.app_version as string | null) ?? null,
    },
    lastSeen: ms(r.last_seen_at),
  }));
}

export async function lastSeen(q: Pick<RawTx, 'query'>): Promise<{ id: string; at: number }[]> {
  const rows = await q.query<Row>(`SELECT terminal_id, last_seen_at FROM terminal_live`);
  return rows.map((r) => ({ id: r.terminal_id as string, at: ms(r.last_seen_at)! }));
}

/** Approved payments per terminal and hour over the last four weeks: the trading baseline's history. */
export async function tradingHistory(q: Pick<RawTx, 'query'>, orgId: string, now: Date): Promise<{ terminalId: string; hour: number; n: number }[]> {
  const rows = await q.query<Row>(
    `SELECT terminal_id, date_trunc('hour', at) AS h, count(*)::int AS n FROM transactions
      WHERE org_id = $1 AND outcome = 'approved' AND at >= $2 AND at < $3 GROUP BY 1, 2`,
    [orgId, new Date(now.getTime() - 28 * 86_400_000), now],
  );
  return rows.map((r) => ({ terminalId: r.terminal_id as string, hour: ms(r.h)!, n: Number(r.n) }));
}

export async function orgIds(q: Pick<RawTx, 'query'>): Promise<string[]> {
  return (await q.query<{ id: string }>('SELECT id FROM organizations')).map((r) => r.id);
}

export async function activeSilences(q: Pick<RawTx, 'query'>, now: Date): Promise<Silence[]> {
  const rows = await q.query<Row>('SELECT id, org_id, matchers, starts_at, ends_at FROM silences WHERE ends_at > $1', [now]);
  return rows.map((r) => ({ id: r.id as string, orgId: r.org_id as string, matchers: r.matchers as Silence['matchers'], startsAt: ms(r.starts_at)!, endsAt: ms(r.ends_at)! }));
}

export async function activeMaintenance(q: Pick<RawTx, 'query'>, now: Date): Promise<Maintenance[]> {
  const rows = await q.query<Row>('SELECT id, org_id, site_id, terminal_id, starts_at, ends_at FROM maintenance_windows WHERE ends_at > $1', [now]);
  return rows.map((r) => ({
    id: r.id as string,
    orgId: r.org_id as string,
    siteId: (r.site_id as string | null) ?? null,
    terminalId: (r.terminal_id as string | null) ?? null,
    startsAt: ms(r.starts_at)!,
    endsAt: ms(r.ends_at)!,
  }));
}

/** Open alerts as the engine left them (after a restart, the engine takes them over). */
export async function openAlerts(q: Pick<RawTx, 'query'>, orgIds?: readonly string[]): Promise<AlertState[]> {
  // security.* alerts are raised and closed by security/signals.ts, not evaluated by the engine.
  const rows = await q.query<Row>(
    `SELECT * FROM alerts WHERE status <> 'resolved' AND rule_code NOT LIKE 'security.%'${orgIds ? ' AND org_id = ANY($1::uuid[])' : ''}`,
    orgIds ? [orgIds] : [],
  );
  return rows.map((r) => ({
    id: r.id as string,
    orgId: r.org_id as string,
    fingerprint: r.fingerprint as string,
    ruleCode: r.rule_code as string,
    ruleVersion: Number(r.rule_version),
    rule: null as unknown as AlertState['rule'],
    groupBy: r.group_by as AlertState['groupBy'],
    scopeKey: r.scope_key as string,
    scopeLabel: r.scope_label as string,
    terminalId: (r.terminal_id as string | null) ?? null,
    siteId: (r.site_id as string | null) ?? null,
    merchantId: (r.merchant_id as string | null) ?? null,
    severity: r.severity as AlertState['severity'],
    status: r.status as AlertState['status'],
    flapping: !!r.flapping,
    suppressed: r.suppressed ? { ...(r.suppressed as { kind: 'silence'; id: string; until: string | null }), until: ms((r.suppressed as { until: string | null }).until) } : null,
    members: new Map(((r.members as { terminalId: string; since: string; active: boolean }[]) ?? []).map((m) => [m.terminalId, { since: ms(m.since)!, active: m.active, clearedAt: null }])),
    value: (r.value as number | null) ?? null,
    threshold: (r.threshold as number | null) ?? null,
    predictedAt: ms(r.predicted_at),
    startedAt: ms(r.started_at)!,
    lastChangeAt: ms(r.last_change_at)!,
    acknowledgedAt: ms(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: null,
    escalationLevel: Number(r.escalation_level),
    clearSince: null,
    ticketId: (r.ticket_id as string | null) ?? null,
  }));
}

/** The alert's row as stored. */
function alertRow(a: AlertState): Row {
  return {
    id: a.id,
    org_id: a.orgId,
    fingerprint: a.fingerprint,
    rule_code: a.ruleCode,
    rule_version: a.ruleVersion,
    severity: a.severity,
    status: a.status,
    flapping: a.flapping,
    suppressed: a.suppressed ? { kind: a.suppressed.kind, id: a.suppressed.id, until: iso(a.suppressed.until) } : null,
    group_by: a.groupBy,
    scope_key: a.scopeKey,
    scope_label: a.scopeLabel,
    terminal_id: a.terminalId,
    site_id: a.siteId,
    merchant_id: a.merchantId,
    members: [...a.members].map(([terminalId, m]) => ({ terminalId, since: iso(m.since), active: m.active })),
    member_count: a.members.size,
    cause: a.rule?.cause ?? null,
    value: a.value,
    threshold: a.threshold,
    predicted_at: iso(a.predictedAt),
    started_at: iso(a.startedAt),
    last_change_at: iso(a.lastChangeAt),
    acknowledged_at: iso(a.acknowledgedAt),
    acknowledged_by: a.acknowledgedBy,
    resolved_at: iso(a.resolvedAt),
    escalation_level: a.escalationLevel,
    ticket_id: a.ticketId,
  };
}

const UPDATABLE = [
  'severity', 'status', 'flapping', 'suppressed', 'scope_label', 'members', 'member_count', 'value', 'threshold', 'predicted_at',
  'last_change_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'escalation_level',
];

/**
 * Writes the alerts' current state and their new events in one transaction. Returns the alerts that
 * were adopted: engine id → the id an open alert of the same fingerprint is already stored under.
 *
 * Storing is idempotent per fingerprint. After a crash, a restarted engine may not hold an open alert
 * that is stored (the dying process's last write landed after the new one restored its alerts); when
 * the condition fires again, the engine opens the same fingerprint under a new id. That change is
 * written to the stored alert instead, so there is still one open alert and no change is lost.
 */
export async function persistChanges(db: Database, changes: AlertChange[], skipEvent: (c: AlertChange) => boolean): Promise<Map<string, string>> {
  const adopted = new Map<string, string>();
  if (!changes.length) return adopted;
  const latest = new Map<string, AlertState>();
  for (const c of changes) latest.set(c.alert.id, c.alert);
  const events = changes
    .filter((c) => !skipEvent(c))
    .map((c) => {
      const { actor, ...detail } = (c.detail ?? {}) as { actor?: string };
      return { alert_id: c.alert.id, org_id: c.alert.orgId, at: iso(c.at), type: c.type, actor: actor ?? null, detail: Object.keys(detail).length ? detail : null };
    });
  for (let attempt = 0; ; attempt++) {
    adopted.clear();
    try {
      await db.rawTransaction(async (tx) => {
        const rows = [...latest.values()].map(alertRow);
        const own = new Set(rows.map((r) => r.id as string));
        const stored = await tx.query<{ id: string; new_id: string }>(
          `SELECT a.id, r.id AS new_id FROM json_to_recordset($1::json) AS r(id uuid, org_id uuid, fingerprint text)
             JOIN alerts a ON a.org_id = r.org_id AND a.fingerprint = r.fingerprint AND a.status <> 'resolved' AND a.id <> r.id`,
          [JSON.stringify(rows.map((r) => ({ id: r.id, org_id: r.org_id, fingerprint: r.fingerprint })))],
        );
        // Alerts that resolve first, so that a fingerprint's next alert in the same batch finds it closed.
        const resolvedFirst = [rows.filter((r) => r.status === 'resolved'), rows.filter((r) => r.status !== 'resolved')];
        const storedFor = new Map(stored.map((s) => [s.new_id, s.id]));
        const taken = new Set<string>();
        for (const r of resolvedFirst.flat()) {
          const storedId = storedFor.get(r.id as string);
          // An open row this batch writes itself (resolving it, say) is the engine's own, and a stored row goes on as one alert only.
          if (!storedId || own.has(storedId) || taken.has(storedId)) continue;
          taken.add(storedId);
          adopted.set(r.id as string, storedId);
          r.id = storedId;
        }
        for (const part of resolvedFirst) {
          if (!part.length) continue;
          await tx.query(
            `INSERT INTO alerts SELECT * FROM json_populate_recordset(null::alerts, $1::json)
             ON CONFLICT (id) DO UPDATE SET ${UPDATABLE.map((c) => `${c} = excluded.${c}`).join(', ')}`,
            [JSON.stringify(part)],
          );
        }
        if (events.length) {
          await tx.query(
            `INSERT INTO alert_events (alert_id, org_id, at, type, actor, detail)
             SELECT alert_id, org_id, at, type, actor, detail FROM json_populate_recordset(null::alert_events, $1::json)`,
            [JSON.stringify(events.map((e) => ({ ...e, alert_id: adopted.get(e.alert_id) ?? e.alert_id })))],
          );
        }
      });
      return adopted;
    } catch (err) {
      // Another process stored an open alert of one of these fingerprints meanwhile: adopt it, once more.
      const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
      const unique = (e.code ?? e.cause?.code) === '23505' && (e.constraint ?? e.cause?.constraint ?? 'alerts_open_fingerprint') === 'alerts_open_fingerprint';
      if (!unique || attempt >= 2) throw err;
    }
  }
}

export async function recordEvent(q: Pick<RawTx, 'query'>, alertId: string, orgId: string, at: Date, type: string, actor: string | null, detail: Record<string, unknown> | null): Promise<void> {
  await q.query('INSERT INTO alert_events (alert_id, org_id, at, type, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)', [alertId, orgId, at, type, actor, detail ? JSON.stringify(detail) : null]);
}

/** Stores an alert's diagnosis summary and records it on the alert's timeline. */
export async function storeAlertDiagnosis(
  tx: Pick<RawTx, 'query'>,
  alertId: string,
  orgId: string,
  at: Date,
  actor: string | null,
  summary: { scope: string; causes: { code: string; confidence: number }[] },
): Promise<void> {
  await tx.query('UPDATE alerts SET diagnosis = $2 WHERE id = $1', [alertId, JSON.stringify(summary)]);
  await recordEvent(tx, alertId, orgId, at, 'diagnosed', actor, { scope: summary.scope, causes: summary.causes.map((c) => ({ code: c.code, confidence: c.confidence })) });
}
