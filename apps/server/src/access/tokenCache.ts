/**
 * Verified API tokens, kept a few seconds in this process (decision 009): a machine caller such as a
 * payment gateway asking `risk/decide` thousands of times a second is not looked up in the database
 * (token, user, organization) on every request.
 *
 * What is kept: the actor a token stands for, keyed by the token's hash, at most `max` entries, each for
 * `ttlMs` (default 5 s) on the injected clock. Sessions are not cached.
 *
 * Invalidation: whatever changes who a token acts as (the token revoked; its holder's role, merchant,
 * disabled flag or second factor changed; the organization's second-factor policy) calls
 * `accessChanged(db, …)`, which drops the matching entries in this process at once and signals every
 * other process through `access.changed` (platform/signals.ts; LISTEN/NOTIFY on PostgreSQL). A lookup that
 * read the tables before a change arrived does not keep its row (generation check); after the signals
 * connection was lost and came back, every entry is dropped. A lost signal costs at most `ttlMs`.
 */
import type { Database } from '../db/client.js';
import type { Signals } from '../platform/signals.js';
import type { Actor } from './actor.js';

export const TOKEN_CACHE_TTL_MS = 5_000;
export const TOKEN_CACHE_MAX = 10_000;

/** Who a change concerns: one token, every token of a user, every token of an organization. */
export type AccessChange = { tokenId: string } | { userId: string } | { orgId: string };

export interface CachedToken {
  actor: Actor;
  tokenId: string;
}

interface Entry extends CachedToken {
  until: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private changes = 0;

  constructor(
    private readonly now: () => number,
    /** 0 turns the cache off (every request reads the tables). */
    public ttlMs = TOKEN_CACHE_TTL_MS,
    private readonly max = TOKEN_CACHE_MAX,
  ) {}

  /** Take it before reading the tables; `put` keeps the row only if nothing changed meanwhile. */
  get generation(): number {
    return this.changes;
  }

  get size(): number {
    return this.entries.size;
  }

  get(hash: string): CachedToken | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return e;
  }

  put(hash: string, value: CachedToken, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.changes) return;
    this.entries.delete(hash);
    // Bounded: the oldest entry goes first (Map keeps insertion order).
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { ...value, until: this.now() + this.ttlMs });
  }

  forget(change: AccessChange): void {
    this.changes++;
    for (const [hash, e] of this.entries) {
      if ('tokenId' in change ? e.tokenId === change.tokenId : 'userId' in change ? e.actor.userId === change.userId : e.actor.orgId === change.orgId) {
        this.entries.delete(hash);
      }
    }
  }

  clear(): void {
    this.changes++;
    this.entries.clear();
  }
}

/** The caches opened on one Database in this process, and the signals to tell the others. */
interface Registry {
  caches: Set<TokenCache>;
  bus: Signals | null;
}
const registries = new WeakMap<Database, Registry>();
const registryOf = (db: Database): Registry => {
  let r = registries.get(db);
  if (!r) registries.set(db, (r = { caches: new Set(), bus: null }));
  return r;
};

export function registerTokenCache(db: Database, cache: TokenCache): void {
  registryOf(db).caches.add(cache);
}

/**
 * Something changed who a token acts as: drop it from this process's caches now, then tell every other
 * process. Call after the change committed. Never throws (a signal that cannot be sent is logged; the
 * other processes' entries then expire within their TTL).
 */
export async function accessChanged(db: Database, change: AccessChange, log?: { warn: (o: object, m: string) => void }): Promise<void> {
  const r = registryOf(db);
  for (const c of r.caches) c.forget(change);
  if (!r.bus) return;
  await r.bus.publish('access.changed', change).catch((err: unknown) => log?.warn({ err, change }, 'access change not signalled to other processes'));
}

/**
 * Signals between processes for the token caches on this Database: an `access.changed` from any
 * process drops the matching entries, a resync (signals connection back after a loss) drops them all.
 * Returns the function that stops listening.
 */
export function shareAccess(db: Database, signals: Signals): () => void {
  const r = registryOf(db);
  r.bus = signals;
  const offChange = signals.subscribe('access.changed', (change) => {
    for (const c of r.caches) c.forget(change);
  });
  const offResync = signals.onResync(() => {
    for (const c of r.caches) c.clear();
  });
  return () => {
    offChange();
    offResync();
    if (r.bus === signals) r.bus = null;
  };
}
