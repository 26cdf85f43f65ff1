/**
 * "What would this rule have done?": replays the organization's stored telemetry and payments of the
 * last hours through a fresh engine that holds only the edited rule, minute by minute, and lists the
 * alerts it would have raised. Only the parts of each sample the rule reads are fetched; a large fleet
 * is previewed on a part of its terminals (the answer says how many).
 */
import { randomUUID } from 'node:crypto';
import { AlertEngine, featuresOf, txnFeaturesOf } from '@poscare/alerts';
import type { AlertRuleDefinition, AlertRulePreviewResult, Telemetry } from '@poscare/contracts';
import type { AppContext } from '../platform/context.js';
import { monitoredTerminals, reader, tradingHistory } from './repository.js';

/** Most samples one preview reads. */
const MAX_SAMPLES = 250_000;
const MIN = 60_000;

/** The top-level telemetry fields a metric lives in. */
function telemetryKeys(def: AlertRuleDefinition): string[] | null {
  const c = def.condition;
  const metric = c.kind === 'threshold' ? c.metric : c.kind === 'trend' ? c.metric : c.kind === 'ratio' && c.source.startsWith('reader.') ? 'reader' : null;
  const keys = new Set<string>();
  if (c.kind === 'fleet_version') keys.add('app').add('os');
  // Host outages are also seen in telemetry (sites that cannot reach the host); trading silence needs to know the terminal was online.
  if (c.kind === 'host_outage' || c.kind === 'trade_absence') keys.add('network');
  if (c.kind === 'trend' && c.when) keys.add(topKey(c.when.metric));
  if (metric) keys.add(metric.startsWith('paper.') ? 'printer' : topKey(metric));
  return keys.size ? [...keys] : null;
}

function topKey(metric: string): string {
  const head = metric.split('.')[0]!;
  if (head === 'clockSkewAbsS') return 'clockSkewS';
  return head;
}

/** Whether the rule reads payments (reader ratios and other telemetry rules do not). */
function needsTxns(def: AlertRuleDefinition): boolean {
  const c = def.condition;
  switch (c.kind) {
    case 'ratio':
      return c.source.startsWith('txn.');
    case 'trade_absence':
    case 'host_outage':
    case 'card_failures':
      return true;
    case 'trend':
      return c.metric === 'paper.receiptsLeft';
    case 'fleet_version':
      return c.metric === 'txn.terminal_error';
    default:
      return false;
  }
}

type Item = { at: number; terminalId: string; t?: Telemetry; txn?: ReturnType<typeof txnFeaturesOf>; appVersion?: string | null };

export async function previewRule(ctx: AppContext, orgId: string, def: AlertRuleDefinition, hours: number): Promise<AlertRulePreviewResult> {
  const q = reader(ctx.db);
  const to = ctx.clock.now();
  const from = new Date(to.getTime() - hours * 3_600_000);
  const all = await monitoredTerminals(q, orgId);
  const perTerminal = hours * 60;
  const terms = all.length * perTerminal > MAX_SAMPLES ? all.slice(0, Math.max(1, Math.floor(MAX_SAMPLES / perTerminal))) : all;
  const ids = terms.map((t) => t.info.id);

  const engine = new AlertEngine({ newId: randomUUID });
  engine.setRules(orgId, [{ definition: { ...def, enabled: true, escalation: [] }, version: 0 }]);
  for (const t of terms) engine.upsertTerminal(t.info);
  if (def.condition.kind === 'trade_absence') for (const h of await tradingHistory(q, orgId, from)) engine.seedTrading(h.terminalId, h.hour, h.n);

  const keys = telemetryKeys(def);
  const projection = keys ? `json_build_object(${keys.map((k) => `'${k}', data->'${k}'`).join(', ')})` : 'NULL';
  const [samples, txns] = await Promise.all([
    q.query<{ terminal_id: string; at: string; d: Telemetry | string | null }>(
      `SELECT terminal_id, at, ${projection} AS d FROM telemetry_raw WHERE org_id = $1 AND terminal_id = ANY($2::uuid[]) AND at >= $3 AND at < $4`,
      [orgId, ids, from, to],
    ),
    needsTxns(def)
      ? q.query<{ terminal_id: string; at: string; outcome: string; response_code: string | null; entry_mode: string; card_token: string | null }>(
          `SELECT terminal_id, at, outcome, response_code, entry_mode, card_token FROM transactions WHERE org_id = $1 AND terminal_id = ANY($2::uuid[]) AND at >= $3 AND at < $4`,
          [orgId, ids, from, to],
        )
      : Promise.resolve([]),
  ]);
  const items: Item[] = [];
  for (const s of samples) {
    const t = typeof s.d === 'string' ? (JSON.parse(s.d) as Telemetry) : (s.d ?? {});
    items.push({ at: new Date(s.at).getTime(), terminalId: s.terminal_id, t, appVersion: t.app?.version ?? null });
  }
  for (const x of txns) {
    items.push({
      at: new Date(x.at).getTime(),
      terminalId: x.terminal_id,
      txn: txnFeaturesOf({ outcome: x.outcome as never, responseCode: x.response_code ?? undefined, entryMode: x.entry_mode as never, cardToken: x.card_token ?? undefined }),
    });
  }
  items.sort((a, b) => a.at - b.at);

  const hits = new Map<string, AlertRulePreviewResult['hits'][number]>();
  const collect = () => {
    for (const c of engine.drain()) {
      const a = c.alert;
      if (c.type === 'fired') hits.set(a.id, { scopeKey: a.scopeKey, label: a.scopeLabel, terminals: a.members.size, firedAt: new Date(c.at).toISOString(), resolvedAt: null, value: a.value });
      const h = hits.get(a.id);
      if (!h) continue;
      h.terminals = Math.max(h.terminals, a.members.size);
      if (a.value !== null) h.value = a.value;
      if (c.type === 'resolved') h.resolvedAt = new Date(c.at).toISOString();
    }
  };
  let nextTick = from.getTime() + MIN;
  for (const it of items) {
    while (it.at >= nextTick) {
      engine.tick(nextTick);
      collect();
      nextTick += MIN;
    }
    if (it.t) engine.observeTelemetry(it.terminalId, it.at, featuresOf(it.t), it.appVersion ?? null);
    else if (it.txn) engine.observeTxn(it.terminalId, it.at, it.txn);
  }
  for (; nextTick <= to.getTime(); nextTick += MIN) engine.tick(nextTick);
  collect();
  const list = [...hits.values()].sort((a, b) => a.firedAt.localeCompare(b.firedAt));
  return { from: from.toISOString(), to: to.toISOString(), terminals: terms.length, samples: samples.length, alerts: list.length, hits: list.slice(0, 500) };
}
