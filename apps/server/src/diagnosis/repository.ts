/**
 * Builds a diagnosis case for one terminal from what PosCare stores, so nobody assembles JSON by
 * hand: the last two hours of telemetry (five-minute samples), events, recent transactions, the
 * other terminals of its site, fleet aggregates for its app version and its acquirer host, and the
 * history of the card that failed last. Only SQL lives here; the service decides what to ask for.
 *
 * The acquirer host is taken to be the organization's (one host per acquirer organization) until
 * terminals carry their own host routing.
 */
import type { CaseEvent, CaseTelemetry, CaseTransaction, DiagnosisCaseInput, SitePeer } from '@poscare/contracts';
import { SILENT_AFTER_MIN, thinTelemetry } from '@poscare/diagnosis';
import type { RawTx } from '../db/client.js';
import { IN_SERVICE_SQL, OFFLINE_AFTER_MS } from '../fleet/health.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => new Date(v as string).toISOString();
const HOUR = 3_600_000;

/** Silent this long, a terminal is diagnosed from its silence (the engine's own threshold: SILENT_AFTER_MIN). */
const SILENT_AFTER_MS = SILENT_AFTER_MIN * 60_000;

export const CASE_WINDOW = {
  telemetryHours: 2,
  eventHours: 2,
  transactionHours: 6,
  transactionLimit: 500,
  hostMinutes: 15,
  hostBaselineHours: 24,
  cardDays: 30,
};

export interface TerminalRow {
  id: string;
  org_id: string;
  merchant_id: string | null;
  site_id: string | null;
  vendor: string;
  model: string;
  os_version: string | null;
  app_version: string | null;
  connectivity: string | null;
  created_at: string;
}

const CONNECTIVITY: Record<string, 'wifi' | 'cellular' | 'ethernet'> = {
  wifi: 'wifi',
  ethernet: 'ethernet',
  cellular_4g: 'cellular',
  cellular_5g: 'cellular',
  dial_up: 'ethernet',
};

export async function buildTerminalCase(tx: RawTx, term: TerminalRow, now: Date, lang: 'zh-CN' | 'en-US'): Promise<DiagnosisCaseInput> {
  const [live] = await tx.query<Row>('SELECT app_version, last_seen_at FROM terminal_live WHERE terminal_id = $1', [term.id]);
  // A terminal silent for hours is judged by what it said before it went quiet: its last two hours of
  // telemetry and events end where it fell silent, not now (the engine reads the silence from `now`).
  const lastSeen = live?.last_seen_at ? new Date(live.last_seen_at as string) : null;
  const silent = !!lastSeen && now.getTime() - lastSeen.getTime() > SILENT_AFTER_MS;
  const until = silent ? lastSeen : now;
  const telFrom = new Date(until.getTime() - CASE_WINDOW.telemetryHours * HOUR);
  const [telRows, eventRows, txnRows] = await Promise.all([
    tx.query<Row>('SELECT at, data FROM telemetry_raw WHERE terminal_id = $1 AND at >= $2 AND at <= $3 ORDER BY at', [term.id, telFrom, now]),
    tx.query<Row>('SELECT at, type, code, message FROM device_events WHERE terminal_id = $1 AND at >= $2 AND at <= $3 ORDER BY at DESC LIMIT 200', [
      term.id,
      new Date(until.getTime() - CASE_WINDOW.eventHours * HOUR),
      now,
    ]),
    tx.query<Row>(
      `SELECT at, txn_id, stan, rrn, amount_minor, currency, entry_mode, outcome, response_code, tvr, tsi, card_token, duration_ms
       FROM transactions WHERE terminal_id = $1 AND at >= $2 AND at <= $3 ORDER BY at DESC LIMIT $4`,
      [term.id, new Date(now.getTime() - CASE_WINDOW.transactionHours * HOUR), now, CASE_WINDOW.transactionLimit],
    ),
  ]);
  const telemetry = thinTelemetry(telRows.map((r) => ({ ...(r.data as Omit<CaseTelemetry, 'at'>), at: iso(r.at) })));
  const events: CaseEvent[] = eventRows.reverse().map((r) => ({ at: iso(r.at), type: r.type as string, ...(r.code ? { code: r.code as string } : {}), ...(r.message ? { message: r.message as string } : {}) }));
  const transactions: CaseTransaction[] = txnRows.reverse().map((r) => {
    const t: CaseTransaction = { at: iso(r.at), entryMode: r.entry_mode as CaseTransaction['entryMode'], outcome: r.outcome as CaseTransaction['outcome'] };
    if (r.txn_id) t.id = r.txn_id as string;
    if (r.stan) t.stan = r.stan as string;
    if (r.rrn) t.rrn = r.rrn as string;
    if (r.amount_minor !== null) t.amountMinor = Number(r.amount_minor);
    if (r.currency) t.currency = r.currency as string;
    if (r.response_code) t.responseCode = r.response_code as string;
    if (r.tvr) t.tvr = r.tvr as string;
    if (r.tsi) t.tsi = r.tsi as string;
    if (r.card_token) t.cardToken = r.card_token as string;
    if (r.duration_ms !== null) t.durationMs = Number(r.duration_ms);
    return t;
  });

  const appVersion = (live?.app_version as string | undefined) ?? term.app_version ?? undefined;
  const update = await lastUpdate(tx, term.id, now, appVersion);
  const c: DiagnosisCaseInput = {
    schema: 'poscare.diagnosis-case/v1',
    // Short enough to read out on the phone: DX-<time>-<start of the terminal id>.
    id: `DX-${now.toISOString().slice(0, 16).replace(/[-:T]/g, '')}-${term.id.slice(0, 8).toUpperCase()}`,
    now: now.toISOString(),
    lang,
    terminal: {
      id: term.id,
      vendor: term.vendor,
      model: term.model,
      ...(term.os_version ? { os: term.os_version } : {}),
      ...(appVersion ? { appVersion } : {}),
      ...(update?.previous ? { previousAppVersion: update.previous, updatedAt: update.at } : {}),
      installedAt: iso(term.created_at),
      ...(term.connectivity && CONNECTIVITY[term.connectivity] ? { connectivity: CONNECTIVITY[term.connectivity] } : {}),
      ...(term.site_id ? { siteId: term.site_id } : {}),
      ...(term.merchant_id ? { merchantId: term.merchant_id } : {}),
    },
    ...(telemetry.length ? { telemetry } : {}),
    ...(events.length ? { events } : {}),
    ...(transactions.length ? { transactions } : {}),
  };
  if (term.site_id) c.site = { terminals: await sitePeers(tx, term, now) };
  const fleet = await fleetAggregates(tx, term, appVersion, update?.previous, now);
  if (fleet) c.fleet = fleet;
  // The card in question: the last one that failed, or that had to fall back to its magstripe; none for
  // a silent terminal, whose trouble is its silence, not a card it saw before.
  const failing = silent ? undefined : [...transactions].reverse().find((t) => (t.outcome !== 'approved' || t.entryMode === 'fallback') && t.cardToken);
  if (failing?.cardToken) c.card = await cardHistory(tx, term.org_id, failing.cardToken, now);
  return c;
}

/** The most recent app update in the last week: when it happened and what ran before. */
async function lastUpdate(tx: RawTx, terminalId: string, now: Date, current: string | undefined) {
  if (!current) return undefined;
  const weekAgo = new Date(now.getTime() - 7 * 24 * HOUR);
  const [before] = await tx.query<Row>(
    `SELECT at, data->'app'->>'version' AS version FROM telemetry_raw
     WHERE terminal_id = $1 AND at >= $2 AND at <= $3 AND data->'app'->>'version' IS NOT NULL AND data->'app'->>'version' <> $4
     ORDER BY at DESC LIMIT 1`,
    [terminalId, weekAgo, now, current],
  );
  if (!before) return undefined;
  const [first] = await tx.query<Row>(
    `SELECT min(at) AS at FROM telemetry_raw WHERE terminal_id = $1 AND at > $2 AND at <= $3 AND data->'app'->>'version' = $4`,
    [terminalId, before.at, now, current],
  );
  return { previous: before.version as string, at: iso(first?.at ?? before.at) };
}

/** The other terminals of the site that have ever reported: one never seen says nothing about today. */
async function sitePeers(tx: RawTx, term: TerminalRow, now: Date): Promise<SitePeer[]> {
  const rows = await tx.query<Row>(
    `SELECT t.id, t.connectivity, coalesce(l.app_version, t.app_version) AS app_version, l.last_seen_at, l.health
     FROM terminals t JOIN terminal_live l ON l.terminal_id = t.id
     WHERE t.site_id = $1 AND t.org_id = $2 AND t.id <> $3 AND t.lifecycle_state IN (${IN_SERVICE_SQL})
     ORDER BY t.serial_number LIMIT 200`,
    [term.site_id, term.org_id, term.id],
  );
  return rows.map((r) => {
    const seen = r.last_seen_at ? new Date(r.last_seen_at as string) : null;
    const status = !seen || now.getTime() - seen.getTime() > OFFLINE_AFTER_MS ? 'offline' : r.health === 'ok' ? 'online' : 'degraded';
    const conn = CONNECTIVITY[(r.connectivity as string) ?? ''];
    return {
      id: r.id as string,
      status,
      ...(seen ? { lastSeenAt: seen.toISOString() } : {}),
      ...(conn ? { connectivity: conn } : {}),
      ...(r.app_version ? { appVersion: r.app_version as string } : {}),
    } as SitePeer;
  });
}

/**
 * Version: the share of terminals on this app version whose live health is not ok, against the
 * same share on the version they came from. Host: the share of the organization's transactions in
 * the last 15 minutes that timed out or got 91/96/98, against the day before.
 */
async function fleetAggregates(tx: RawTx, term: TerminalRow, version: string | undefined, previous: string | undefined, now: Date) {
  const out: NonNullable<DiagnosisCaseInput['fleet']> = {};
  if (version) {
    const cutoff = new Date(now.getTime() - OFFLINE_AFTER_MS);
    const share = async (v: string) => {
      const [r] = await tx.query<Row>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE l.health <> 'ok') AS bad
         FROM terminal_live l WHERE l.org_id = $1 AND l.app_version = $2 AND l.last_seen_at >= $3`,
        [term.org_id, v, cutoff],
      );
      return { n: Number(r?.n ?? 0), bad: Number(r?.bad ?? 0) };
    };
    const cur = await share(version);
    if (cur.n >= 5) {
      const base = previous ? await share(previous) : undefined;
      out.sameVersion = {
        terminals: cur.n,
        failureRate: cur.bad / cur.n,
        ...(base && base.n >= 5 ? { baselineFailureRate: base.bad / base.n } : {}),
      };
    }
  }
  const hostFault = `(outcome = 'timeout' OR response_code IN ('91', '96', '98'))`;
  const recentFrom = new Date(now.getTime() - CASE_WINDOW.hostMinutes * 60_000);
  const baseFrom = new Date(now.getTime() - CASE_WINDOW.hostBaselineHours * HOUR);
  const [recent, base] = await Promise.all([
    tx.query<Row>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${hostFault}) AS bad, count(DISTINCT x.terminal_id) AS terminals, count(DISTINCT t.site_id) AS sites
       FROM transactions x JOIN terminals t ON t.id = x.terminal_id WHERE x.org_id = $1 AND x.at >= $2 AND x.at <= $3`,
      [term.org_id, recentFrom, now],
    ),
    tx.query<Row>(`SELECT count(*) AS n, count(*) FILTER (WHERE ${hostFault}) AS bad FROM transactions WHERE org_id = $1 AND at >= $2 AND at < $3`, [
      term.org_id,
      baseFrom,
      recentFrom,
    ]),
  ]);
  const rn = Number(recent[0]?.n ?? 0);
  if (rn >= 20) {
    const bn = Number(base[0]?.n ?? 0);
    out.host = {
      terminals: Number(recent[0]!.terminals),
      sites: Number(recent[0]!.sites),
      hostErrorRate: Number(recent[0]!.bad) / rn,
      ...(bn >= 20 ? { baselineHostErrorRate: Number(base[0]!.bad) / bn } : {}),
    };
  }
  return out.sameVersion || out.host ? out : undefined;
}

async function cardHistory(tx: RawTx, orgId: string, token: string, now: Date) {
  const rows = await tx.query<Row>(
    `SELECT terminal_id, at, entry_mode, outcome, response_code FROM transactions
     WHERE card_token = $1 AND org_id = $2 AND at >= $3 AND at <= $4 ORDER BY at DESC LIMIT 50`,
    [token, orgId, new Date(now.getTime() - CASE_WINDOW.cardDays * 24 * HOUR), now],
  );
  return {
    token,
    attempts: rows.reverse().map((r) => ({
      terminalId: r.terminal_id as string,
      at: iso(r.at),
      entryMode: r.entry_mode as string,
      outcome: r.outcome as string,
      ...(r.response_code ? { responseCode: r.response_code as string } : {}),
    })),
  };
}
