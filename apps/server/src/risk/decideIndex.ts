/**
 * What `risk/decide` reads, in memory per organization: the active block list (card tokens,
 * terminals), the open fraud cases by card token and terminal, and terminals by TID. A verdict is then
 * a few map look-ups, no database round trip.
 *
 * Freshness: this process reloads an organization right after its own changes (a block, a decision;
 * the findings engine calls `invalidate` when it opens or resolves a fraud finding), and other processes'
 * changes at once through the `risk.changed` signal (RiskService.shareSignals). As a fallback for a lost
 * signal, an index older than `maxAgeMs` (10 s) is reloaded in the background while the current one keeps
 * answering, so a request never waits on the database once warm.
 */
import type { RawTx } from '../db/client.js';
import type { Clock } from '../platform/clock.js';
import { loadIndexRows } from './repository.js';

export interface BlockEntry {
  id: string;
  /** ms since epoch; null: until removed. */
  expiresAt: number | null;
}
export interface CaseEntry {
  id: string;
  code: string;
}

export interface OrgIndex {
  loadedAt: number;
  terminals: Set<string>;
  terminalsByTid: Map<string, string>;
  cardBlocks: Map<string, BlockEntry>;
  terminalBlocks: Map<string, BlockEntry>;
  cardCases: Map<string, CaseEntry[]>;
  terminalCases: Map<string, CaseEntry[]>;
}

type Loader = <T>(fn: (tx: RawTx) => Promise<T>) => Promise<T>;

export class DecideIndex {
  private readonly orgs = new Map<string, OrgIndex>();
  private readonly loading = new Map<string, Promise<OrgIndex>>();
  /** Bumped by invalidate: a load that started before the change must not be kept as current. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly run: Loader,
    private readonly clock: Clock,
    /** Public so that a process whose changes arrive by signal can trust its index longer (RiskService.shareSignals). */
    public maxAgeMs = 10_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The organization's index; loads it on first use, refreshes it in the background when old. */
  async get(orgId: string): Promise<OrgIndex> {
    const idx = this.orgs.get(orgId);
    if (!idx) return this.load(orgId);
    if (this.clock.now().getTime() - idx.loadedAt > this.maxAgeMs && !this.loading.has(orgId)) {
      this.load(orgId).catch(this.onError);
    }
    return idx;
  }

  /** The warm index without waiting, or undefined (then call `get`). */
  peek(orgId: string): OrgIndex | undefined {
    const idx = this.orgs.get(orgId);
    if (idx && this.clock.now().getTime() - idx.loadedAt > this.maxAgeMs && !this.loading.has(orgId)) this.load(orgId).catch(this.onError);
    return idx;
  }

  /** Something changed for this organization: reload now (answers meanwhile come from the old index). */
  async invalidate(orgId: string): Promise<void> {
    this.generation.set(orgId, (this.generation.get(orgId) ?? 0) + 1);
    this.loading.delete(orgId);
    await this.load(orgId);
  }

  /** How old the organization's index is (ms); Infinity when none is loaded. */
  ageOf(orgId: string): number {
    const idx = this.orgs.get(orgId);
    return idx ? this.clock.now().getTime() - idx.loadedAt : Infinity;
  }

  /** Whether this process holds an index of the organization (loaded or loading). */
  has(orgId: string): boolean {
    return this.orgs.has(orgId) || this.loading.has(orgId);
  }

  forget(orgId?: string): void {
    if (orgId) this.orgs.delete(orgId);
    else this.orgs.clear();
  }

  private load(orgId: string): Promise<OrgIndex> {
    const pending = this.loading.get(orgId);
    if (pending) return pending;
    const gen = this.generation.get(orgId) ?? 0;
    const p = (async () => {
      const now = this.clock.now();
      const rows = await this.run((tx) => loadIndexRows(tx, orgId, now));
      const idx: OrgIndex = {
        loadedAt: now.getTime(),
        terminals: new Set(rows.terminals.map((t) => t.id)),
        terminalsByTid: new Map(rows.terminals.filter((t) => t.tid).map((t) => [t.tid!, t.id])),
        cardBlocks: new Map(),
        terminalBlocks: new Map(),
        cardCases: new Map(),
        terminalCases: new Map(),
      };
      for (const b of rows.blocks) {
        const entry = { id: b.id, expiresAt: b.expires_at ? new Date(b.expires_at).getTime() : null };
        (b.kind === 'card_token' ? idx.cardBlocks : idx.terminalBlocks).set(b.value, entry);
      }
      const add = (m: Map<string, CaseEntry[]>, k: string, c: CaseEntry) => {
        const list = m.get(k);
        if (!list) m.set(k, [c]);
        else if (!list.some((x) => x.id === c.id)) list.push(c);
      };
      for (const c of rows.cases) {
        if (c.card_token) add(idx.cardCases, c.card_token, { id: c.id, code: c.code });
        if (c.terminal_id) add(idx.terminalCases, c.terminal_id, { id: c.id, code: c.code });
      }
      if ((this.generation.get(orgId) ?? 0) === gen) this.orgs.set(orgId, idx);
      return idx;
    })().finally(() => {
      if (this.loading.get(orgId) === p) this.loading.delete(orgId);
    });
    this.loading.set(orgId, p);
    return p;
  }
}
