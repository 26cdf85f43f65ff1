/** Read side of the device channel: fleet overview, a terminal's live state, charts, events, transactions. */
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { TerminalService } from '../terminals/service.js';
import { IN_SERVICE_SQL as IN_SERVICE, liveHealth, liveStatusSql, OFFLINE_AFTER_MS } from './health.js';

type Row = Record<string, unknown>;

export class FleetService {
  private terminals: TerminalService;
  constructor(private ctx: AppContext) {
    this.terminals = new TerminalService(ctx);
  }

  private q<R = Row>(text: string, params: unknown[]) {
    return this.ctx.db.rawTransaction((tx) => tx.query<R>(text, params));
  }

  /** Tenant filter on `t` (terminals), as SQL with parameters starting at $1. */
  private scope(actor: Actor) {
    return actor.merchantId ? { where: 't.org_id = $1 AND t.merchant_id = $2', params: [actor.orgId, actor.merchantId] } : { where: 't.org_id = $1', params: [actor.orgId] };
  }

  async overview(actor: Actor) {
    assertCan(actor, 'fleet:read');
    const { where, params } = this.scope(actor);
    const cutoff = new Date(this.ctx.clock.now().getTime() - OFFLINE_AFTER_MS);
    const n = params.length + 1;
    // A terminal's status: never_seen, offline, or its health from the latest sample.
    const status = liveStatusSql('l', `$${n}`);
    const base = `FROM terminals t LEFT JOIN terminal_live l ON l.terminal_id = t.id WHERE ${where} AND t.lifecycle_state IN (${IN_SERVICE})`;
    const by = (dim: string, label: string, join = '') =>
      this.q<{ key: string | null; label: string | null; total: string; offline: string; degraded: string; critical: string }>(
        `SELECT ${dim} AS key, ${label} AS label, count(*) AS total,
           count(*) FILTER (WHERE ${status} = 'offline') AS offline,
           count(*) FILTER (WHERE ${status} = 'degraded') AS degraded,
           count(*) FILTER (WHERE ${status} = 'critical') AS critical
         FROM terminals t LEFT JOIN terminal_live l ON l.terminal_id = t.id ${join}
         WHERE ${where} AND t.lifecycle_state IN (${IN_SERVICE})
         GROUP BY 1, 2 ORDER BY count(*) FILTER (WHERE ${status} <> 'ok') DESC, count(*) DESC LIMIT 20`,
        [...params, cutoff],
      );
    const [statusRows, merchants, sites, models, versions, reasons] = await Promise.all([
      this.q<{ status: string; n: string }>(`SELECT ${status} AS status, count(*) AS n ${base} GROUP BY 1`, [...params, cutoff]),
      by('t.merchant_id::text', 'm.name', 'LEFT JOIN merchants m ON m.id = t.merchant_id'),
      by('t.site_id::text', 's.name', 'LEFT JOIN sites s ON s.id = t.site_id'),
      by('t.model', 't.model'),
      by(`coalesce(l.app_version, t.app_version)`, `coalesce(l.app_version, t.app_version)`),
      this.q<{ reason: string; n: string }>(
        `SELECT r.reason, count(*) AS n
         FROM terminals t JOIN terminal_live l ON l.terminal_id = t.id
         CROSS JOIN LATERAL jsonb_array_elements_text(l.health_reasons) AS r(reason)
         WHERE ${where} AND t.lifecycle_state IN (${IN_SERVICE}) AND l.last_seen_at >= $${n}
         GROUP BY 1 ORDER BY 2 DESC`,
        [...params, cutoff],
      ),
    ]);
    const counts = { ok: 0, degraded: 0, critical: 0, offline: 0, never_seen: 0 } as Record<string, number>;
    for (const r of statusRows) counts[r.status] = Number(r.n);
    const dim = (rows: Awaited<ReturnType<typeof by>>) =>
      rows.map((r) => ({ key: r.key, label: r.label, total: Number(r.total), offline: Number(r.offline), degraded: Number(r.degraded), critical: Number(r.critical) }));
    return {
      at: this.ctx.clock.now().toISOString(),
      inService: Object.values(counts).reduce((a, b) => a + b, 0),
      status: counts,
      reasons: reasons.map((r) => ({ reason: r.reason, count: Number(r.n) })),
      byMerchant: dim(merchants),
      bySite: dim(sites),
      byModel: dim(models),
      byVersion: dim(versions),
    };
  }

  async live(actor: Actor, terminalId: string) {
    await this.terminals.get(actor, terminalId);
    // The newest sample is the raw row the live state points at (gone once raw retention dropped it).
    const [row] = await this.q<Row>(
      `SELECT l.*, (SELECT r.data FROM telemetry_raw r
                    WHERE r.terminal_id = l.terminal_id AND r.at = l.last_telemetry_at AND (l.last_msg_id IS NULL OR r.msg_id = l.last_msg_id)
                    ORDER BY r.msg_id DESC LIMIT 1) AS telemetry
       FROM terminal_live l WHERE l.terminal_id = $1`,
      [terminalId],
    );
    const lock = await this.lockState(terminalId);
    if (!row)
      return { terminalId, status: 'never_seen', lastSeenAt: null, lastTelemetryAt: null, telemetry: null, health: null, healthReasons: [], offlineSince: null, readingsAgeMinutes: null, lastReadings: null, appVersion: null, osVersion: null, lock };
    const lastSeen = new Date(row.last_seen_at as string);
    const lastTelemetryAt = row.last_telemetry_at ? new Date(row.last_telemetry_at as string) : null;
    const judged = liveHealth({ health: row.health as string, reasons: row.health_reasons as string[], lastSeenAt: lastSeen, lastTelemetryAt }, this.ctx.clock.now());
    return {
      terminalId,
      ...judged,
      lastSeenAt: lastSeen.toISOString(),
      lastTelemetryAt: lastTelemetryAt?.toISOString() ?? null,
      telemetry: row.telemetry as Record<string, unknown> | null,
      appVersion: (row.app_version as string | null) ?? null,
      osVersion: (row.os_version as string | null) ?? null,
      lock,
    };
  }

  /** Locked when the newest lock or unlock the terminal confirmed (a succeeded acknowledgement) was a lock. */
  private async lockState(terminalId: string): Promise<{ since: string; by: string | null; message: string | null } | null> {
    const [last] = await this.q<Row>(
      `SELECT c.name, c.args, c.requested_by_name, a.at FROM commands c
       JOIN command_acks a ON a.command_id = c.id AND a.status = 'succeeded'
       WHERE c.terminal_id = $1 AND c.name IN ('lock', 'unlock')
       ORDER BY a.at DESC, a.received_at DESC LIMIT 1`,
      [terminalId],
    );
    if (!last || last.name !== 'lock') return null;
    const args = (last.args ?? {}) as { message?: unknown };
    return {
      since: new Date(last.at as string).toISOString(),
      by: (last.requested_by_name as string | null) ?? null,
      message: typeof args.message === 'string' ? args.message : null,
    };
  }

  /**
   * Chart series: averages per bucket and reader success rate per interface. Hours come from the hour
   * roll-ups; minutes from the raw samples' typed columns (a terminal reports once a minute), so they
   * reach back as far as raw telemetry is kept.
   */
  async series(actor: Actor, terminalId: string, q: { from: Date; to: Date; resolution: 'minute' | 'hour' }) {
    await this.terminals.get(actor, terminalId);
    let rows: Row[];
    if (q.resolution === 'hour') {
      rows = await this.q<Row>(
        `SELECT bucket, samples, battery_sum / nullif(battery_n, 0) AS battery, temp_sum / nullif(temp_n, 0) AS temp, temp_max,
                signal_sum / nullif(signal_n, 0) AS signal, latency_sum / nullif(latency_n, 0) AS latency, loss_sum / nullif(loss_n, 0) AS loss,
                chip_attempts, chip_failures, ctls_attempts, ctls_failures, mag_attempts, mag_failures
         FROM telemetry_hour WHERE terminal_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket`,
        [terminalId, q.from, q.to],
      );
    } else {
      // Buckets from `from` to `to` are the samples from the first whole minute at or after `from`.
      const ceilMinute = (d: Date) => new Date(Math.ceil(d.getTime() / 60_000) * 60_000);
      rows = await this.q<Row>(
        `SELECT date_trunc('minute', at) AS bucket, count(*) AS samples, avg(battery_pct) AS battery, avg(temp_c) AS temp, max(temp_c) AS temp_max,
                avg(signal_dbm) AS signal, avg(latency_ms) AS latency, avg(loss_pct) AS loss,
                coalesce(sum(chip_attempts), 0) AS chip_attempts, coalesce(sum(chip_failures), 0) AS chip_failures,
                coalesce(sum(ctls_attempts), 0) AS ctls_attempts, coalesce(sum(ctls_failures), 0) AS ctls_failures,
                coalesce(sum(mag_attempts), 0) AS mag_attempts, coalesce(sum(mag_failures), 0) AS mag_failures
         FROM telemetry_raw WHERE terminal_id = $1 AND at >= $2 AND at < $3 GROUP BY 1 ORDER BY 1`,
        [terminalId, ceilMinute(q.from), ceilMinute(q.to)],
      );
    }
    const rate = (a: unknown, f: unknown) => (Number(a) > 0 ? 1 - Number(f) / Number(a) : null);
    const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);
    return rows.map((r) => ({
      at: new Date(r.bucket as string).toISOString(),
      samples: Number(r.samples),
      batteryPct: round(r.battery),
      tempC: round(r.temp),
      tempMaxC: round(r.temp_max),
      signalDbm: round(r.signal),
      latencyMs: round(r.latency),
      lossPct: round(r.loss),
      chipSuccess: rate(r.chip_attempts, r.chip_failures),
      contactlessSuccess: rate(r.ctls_attempts, r.ctls_failures),
      magstripeSuccess: rate(r.mag_attempts, r.mag_failures),
    }));
  }

  async events(actor: Actor, terminalId: string, limit: number) {
    await this.terminals.get(actor, terminalId);
    const rows = await this.q<Row>('SELECT at, type, code, message FROM device_events WHERE terminal_id = $1 ORDER BY at DESC LIMIT $2', [terminalId, limit]);
    return rows.map((r) => ({ at: new Date(r.at as string).toISOString(), type: r.type as string, code: (r.code as string | null) ?? null, message: (r.message as string | null) ?? null }));
  }

  async transactions(actor: Actor, terminalId: string, limit: number) {
    await this.terminals.get(actor, terminalId);
    const rows = await this.q<Row>(
      `SELECT at, txn_id, amount_minor, currency, entry_mode, outcome, response_code, tvr, tsi, card_token, duration_ms
       FROM transactions WHERE terminal_id = $1 ORDER BY at DESC LIMIT $2`,
      [terminalId, limit],
    );
    return rows.map((r) => ({
      at: new Date(r.at as string).toISOString(),
      id: (r.txn_id as string | null) ?? null,
      amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
      currency: (r.currency as string | null) ?? null,
      entryMode: r.entry_mode as string,
      outcome: r.outcome as string,
      responseCode: (r.response_code as string | null) ?? null,
      tvr: (r.tvr as string | null) ?? null,
      tsi: (r.tsi as string | null) ?? null,
      cardToken: (r.card_token as string | null) ?? null,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    }));
  }

  async rejections(actor: Actor, q: { limit: number; offset: number; reason?: string | undefined }) {
    assertCan(actor, 'devices:manage');
    const since = new Date(this.ctx.clock.now().getTime() - 24 * 3_600_000);
    // Refusals that could not be tied to an organization (failed sign-ins) are for platform admins only.
    const orgFilter = actor.platformAdmin ? '(org_id = $1 OR org_id IS NULL)' : 'org_id = $1';
    const params: unknown[] = [actor.orgId];
    let filter = orgFilter;
    if (q.reason) {
      params.push(q.reason);
      filter += ` AND reason = $${params.length}`;
    }
    const [items, summary] = await Promise.all([
      this.q<Row>(`SELECT * FROM rejected_messages WHERE ${filter} ORDER BY id DESC LIMIT ${q.limit} OFFSET ${q.offset}`, params),
      this.q<{ reason: string; n: string }>(`SELECT reason, count(*) AS n FROM rejected_messages WHERE ${orgFilter} AND received_at >= $2 GROUP BY 1 ORDER BY 2 DESC`, [actor.orgId, since]),
    ]);
    return {
      last24h: summary.map((s) => ({ reason: s.reason, count: Number(s.n) })),
      items: items.map((r) => ({
        id: Number(r.id),
        terminalId: (r.terminal_id as string | null) ?? null,
        channel: r.channel as string,
        topic: (r.topic as string | null) ?? null,
        reason: r.reason as string,
        detail: (r.detail as string | null) ?? null,
        sizeBytes: Number(r.size_bytes),
        sample: (r.sample as string | null) ?? null,
        receivedAt: new Date(r.received_at as string).toISOString(),
      })),
    };
  }
}
