/**
 * Slows password guessing without letting anyone lock a person out.
 *
 * - Per (account, client address) pair: 5 free failures, then an exponential wait (30 s, 1 min, 2 min …
 *   up to 15 min) before the next try from that pair. An attacker's failures from their address make
 *   only that pair wait: the real user, signing in from their own address, is not blocked.
 * - Per client address across accounts: a looser budget (30 failures in 15 minutes), which stops one
 *   address from spraying many accounts.
 * Counting per e-mail (known or not) keeps the answer identical for known and unknown accounts.
 * The counts live in `rate_limits`, so every API process shares them. The client address is the
 * socket's, or X-Forwarded-For's only through proxies named in TRUST_PROXY (see app.ts).
 * rate-limiter-flexible measures its windows with Date.now(), not the injected clock.
 */
import { createHash } from 'node:crypto';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { sharedLimiter, type StoreClient } from '../security/rateLimitStore.js';

export interface LoginLimits {
  /** Failures of one account from one address before waits begin. */
  pairFree: number;
  /** The first wait in seconds; each further failure doubles it, up to maxDelaySec. */
  baseDelaySec: number;
  maxDelaySec: number;
  /** How long a pair's failures are remembered (a success forgets them). */
  pairWindowSec: number;
  /** Failures from one address, whatever the accounts, before it waits for the window to end. */
  addressFailures: number;
  addressWindowSec: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  pairFree: 5,
  baseDelaySec: 30,
  maxDelaySec: 15 * 60,
  pairWindowSec: 24 * 3600,
  addressFailures: 30,
  addressWindowSec: 15 * 60,
};

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);

/**
 * The address an attacker cannot cheaply multiply: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its
 * /64 network, as one subscriber usually holds a whole /64.
 */
export function addressKey(ip: string): string {
  const v = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (mapped) return mapped[1]!;
  if (!v.includes(':')) return v;
  const [head = '', tail = ''] = v.split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = v.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class LoginLimiter {
  private pair: RateLimiterPostgres;
  private wait: RateLimiterPostgres;
  private address: RateLimiterPostgres;

  constructor(client: StoreClient, readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.pair = sharedLimiter(client, { keyPrefix: 'login_pair', points: 1_000_000, duration: limits.pairWindowSec });
    this.wait = sharedLimiter(client, { keyPrefix: 'login_wait', points: 1, duration: limits.maxDelaySec });
    this.address = sharedLimiter(client, { keyPrefix: 'login_addr', points: limits.addressFailures, duration: limits.addressWindowSec });
  }

  private keys(account: string, ip: string) {
    const addr = addressKey(ip);
    return { pair: digest(`${account.trim().toLowerCase()}\n${addr}`), addr: digest(addr) };
  }

  /** Seconds until this account may try again from this address, or 0 when it may now. */
  async retryAfter(account: string, ip: string): Promise<number> {
    const k = this.keys(account, ip);
    const [wait, addr] = await Promise.all([this.wait.get(k.pair), this.address.get(k.addr)]);
    let ms = 0;
    if (wait && wait.consumedPoints > 1) ms = Math.max(ms, wait.msBeforeNext);
    if (addr && addr.consumedPoints >= this.limits.addressFailures) ms = Math.max(ms, addr.msBeforeNext);
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /** Counts a failure; returns the wait it started (seconds, 0 while failures are still free). */
  async fail(account: string, ip: string): Promise<number> {
    const k = this.keys(account, ip);
    const [pair] = await Promise.all([this.pair.consume(k.pair), this.address.consume(k.addr).catch(() => null)]);
    const over = pair.consumedPoints - this.limits.pairFree;
    if (over < 0) return 0;
    const seconds = Math.min(this.limits.baseDelaySec * 2 ** Math.min(over, 20), this.limits.maxDelaySec);
    await this.wait.block(k.pair, seconds);
    return seconds;
  }

  /** A full sign-in forgets the pair's failures (not the address's: a valid account must not reset a spray). */
  async succeed(account: string, ip: string): Promise<void> {
    const k = this.keys(account, ip);
    await Promise.all([this.pair.delete(k.pair), this.wait.delete(k.pair)]);
  }
}
