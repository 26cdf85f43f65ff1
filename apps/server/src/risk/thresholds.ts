/**
 * An organization's finding thresholds as versions (overrides over the contract's defaults; the
 * newest is in force) and the backtest that shows, before saving, what each version, the current one
 * and the proposal would have found over the last 30 days — the same TxnAnalyzer over the same stored
 * records (payments/records.ts loadRecords) the live engine reads.
 *
 * A backtest is bounded twice: by records (beyond the limit it replays the most recent days that fit,
 * and says from when) and by time (older versions are left out once the budget is spent, and named).
 */
import {
  TXN_FINDING_CODES,
  type BacktestAnswer,
  type BacktestRequest,
  type Language,
  type ThresholdOverrides,
  type ThresholdSave,
  type ThresholdsView,
  type ThresholdVersion,
  type TxnRecord,
} from '@poscare/contracts';
import { analyze, DEFAULT_THRESHOLDS, resolveThresholds, type TxnThresholdOverrides } from '@poscare/txn';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import { AppError, errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import { loadRecords } from '../payments/records.js';
import type { AppContext } from '../platform/context.js';
import * as repo from './repository.js';

const DAY = 86_400_000;

export interface ThresholdOptions {
  /** Records a backtest replays at most (both sides together). */
  backtestRecordLimit?: number;
  /** Wall time a backtest may spend on replays before it leaves out older versions. */
  backtestBudgetMs?: number;
  /** Versions replayed at most besides the current one and the proposal (newest first). */
  backtestMaxVersions?: number;
}

export type ThresholdsListener = (orgId: string) => void;

export class RiskThresholds {
  private readonly listeners: ThresholdsListener[] = [];
  private readonly recordLimit: number;
  private readonly budgetMs: number;
  private readonly maxVersions: number;

  constructor(
    private readonly ctx: AppContext,
    opts: ThresholdOptions = {},
  ) {
    this.recordLimit = opts.backtestRecordLimit ?? 150_000;
    this.budgetMs = opts.backtestBudgetMs ?? 20_000;
    this.maxVersions = opts.backtestMaxVersions ?? 5;
  }

  /**
   * Called after a new version is committed — the live findings engine reloads the organization's
   * thresholds here (its `reloadThresholds(orgId)`).
   */
  onSaved(fn: ThresholdsListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  async view(actor: Actor): Promise<ThresholdsView> {
    assertCan(actor, 'risk:work');
    return this.ctx.db.rawTransaction(async (tx) => {
      const versions = await repo.thresholdVersions(tx, actor.orgId);
      const history: ThresholdVersion[] = [...versions.map(versionOf), DEFAULTS_VERSION];
      const current = history[0]!;
      return {
        current,
        effective: resolveThresholds(current.overrides as TxnThresholdOverrides) as unknown as Record<string, unknown>,
        defaults: DEFAULT_THRESHOLDS as unknown as Record<string, unknown>,
        history,
        merchants: await repo.merchantsOf(tx, actor.orgId),
      };
    });
  }

  async save(actor: Actor, body: ThresholdSave): Promise<ThresholdsView> {
    assertCan(actor, 'risk:configure');
    const now = this.ctx.clock.now();
    const note = body.note?.trim() || null;
    const overrides = tidy(body.overrides);
    await this.ctx.db.rawTransaction(async (tx) => {
      await this.checkMerchants(tx, actor.orgId, overrides);
      const before = await repo.currentThresholds(tx, actor.orgId);
      if (!(await repo.insertThresholdVersion(tx, actor.orgId, body.baseVersion, overrides, note, authorId(actor), now))) {
        const latest = await repo.currentThresholds(tx, actor.orgId);
        throw new AppError('risk.thresholds_changed_meanwhile', 409, { version: latest.version });
      }
      await recordAuditTx(
        tx,
        actor,
        actor.orgId,
        { action: 'save', entity: 'txn_thresholds', entityId: String(body.baseVersion + 1), before: { version: before.version, overrides: before.overrides }, after: { version: body.baseVersion + 1, overrides, note } },
        now,
      );
    });
    for (const fn of this.listeners) {
      try {
        fn(actor.orgId);
      } catch (err) {
        this.ctx.log.warn({ err }, 'thresholds listener failed');
      }
    }
    return this.view(actor);
  }

  async backtest(actor: Actor, body: BacktestRequest, lang: Language): Promise<BacktestAnswer> {
    assertCan(actor, 'risk:configure');
    const proposed = tidy(body.overrides);
    const days = body.days ?? 30;
    const to = this.ctx.clock.now();
    let from = new Date(to.getTime() - days * DAY);
    const { records, versions, shortened } = await this.ctx.db.rawTransaction(async (tx) => {
      await this.checkMerchants(tx, actor.orgId, proposed);
      const perDay = await repo.recordsPerDay(tx, actor.orgId, from, to);
      const total = perDay.reduce((a, d) => a + Number(d.n), 0);
      let shortened = false;
      if (total > this.recordLimit) {
        // The most recent whole days that fit (at least the newest day).
        let sum = 0;
        let start = perDay[0]?.day;
        for (const d of perDay) {
          if (sum + Number(d.n) > this.recordLimit && sum > 0) break;
          sum += Number(d.n);
          start = d.day;
        }
        from = new Date(Math.max(from.getTime(), new Date(`${start}T00:00:00Z`).getTime()));
        shortened = true;
      }
      let records: TxnRecord[] = await loadRecords(tx, actor.orgId, from, to);
      if (records.length > this.recordLimit) {
        records = records.slice(records.length - this.recordLimit);
        from = new Date(records[0]!.at);
        shortened = true;
      }
      return { records, versions: await repo.thresholdVersions(tx, actor.orgId), shortened };
    });

    const started = Date.now();
    const runs: BacktestAnswer['runs'] = [];
    const replay = async (label: 'version' | 'current' | 'proposed', version: number | null, overrides: ThresholdOverrides) => {
      // Let other requests in between replays: each is a few hundred ms of CPU per 60,000 records.
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      const counts = countByCode(analyze(records, { thresholds: overrides as TxnThresholdOverrides }));
      runs.push({ label, version, counts, total: Object.values(counts).reduce((a, b) => a + b, 0), ms: Math.round(performance.now() - t0) });
    };
    const current = versions[0] ? versionOf(versions[0]) : DEFAULTS_VERSION;
    await replay('proposed', null, proposed);
    await replay('current', current.version, current.overrides);
    const older = [...versions.slice(1).map(versionOf), ...(current.version === 0 ? [] : [DEFAULTS_VERSION])];
    const skipped: number[] = [];
    for (const [i, v] of older.entries()) {
      if (i >= this.maxVersions || Date.now() - started > this.budgetMs) skipped.push(v.version);
      else await replay('version', v.version, v.overrides);
    }
    const byVersion = (a: BacktestAnswer['runs'][number]) => (a.label === 'proposed' ? Infinity : (a.version ?? 0));
    runs.sort((a, b) => byVersion(a) - byVersion(b));

    const p = runs.find((r) => r.label === 'proposed')!;
    const c = runs.find((r) => r.label === 'current')!;
    const difference = Object.fromEntries(TXN_FINDING_CODES.map((code) => [code, (p.counts[code] ?? 0) - (c.counts[code] ?? 0)]));
    const messages: string[] = [];
    if (shortened) messages.push(translate(lang, 'risk.backtest_shortened', { limit: this.recordLimit.toLocaleString('en-US'), from: from.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' }));
    if (skipped.length) messages.push(translate(lang, 'risk.backtest_skipped', { versions: skipped.sort((a, b) => a - b).join(', ') }));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      records: records.length,
      shortened,
      recordLimit: this.recordLimit,
      skippedVersions: skipped,
      message: messages.length ? messages.join(' ') : null,
      runs,
      difference,
    };
  }

  private async checkMerchants(tx: Parameters<Parameters<AppContext['db']['rawTransaction']>[0]>[0], orgId: string, o: ThresholdOverrides): Promise<void> {
    const ids = Object.keys(o.splitSale?.singleSaleLimitByMerchant ?? {});
    if (!ids.length) return;
    const known = new Set((await repo.merchantsOf(tx, orgId)).map((m) => m.id));
    const unknown = ids.filter((id) => !known.has(id));
    // Another organization's merchant is answered as one that does not exist.
    if (unknown.length) throw errors.notFound('merchant');
  }
}

const DEFAULTS_VERSION: ThresholdVersion = { version: 0, overrides: {}, note: null, createdByName: null, createdAt: null };

function versionOf(r: repo.ThresholdRow): ThresholdVersion {
  return { version: Number(r.version), overrides: r.overrides ?? {}, note: r.note, createdByName: r.created_by_name, createdAt: new Date(r.created_at).toISOString() };
}

/** Drops empty sections, so a version stores only what it changes. */
function tidy(o: ThresholdOverrides): ThresholdOverrides {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!v || typeof v !== 'object') continue;
    const section = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && !(typeof x === 'object' && x !== null && !Object.keys(x).length)));
    if (Object.keys(section).length) out[k] = section;
  }
  return out as ThresholdOverrides;
}

function countByCode(findings: { code: string }[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(TXN_FINDING_CODES.map((c) => [c, 0]));
  for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
  return counts;
}
