/**
 * Intrusion signals become alerts, in the same `alerts` table and inbox as fleet alerts, under the rule
 * family `security.*`:
 *  - security.login_burst         many failed sign-ins in one organization, across accounts;
 *  - security.login_burst_account many failed sign-ins on one account (from any addresses);
 *  - security.device_two_addresses a terminal credential used from two addresses at once;
 *  - security.revoked_terminal    a terminal whose credential was revoked still sends.
 * One open alert per burst: the fingerprint is unique among open alerts, and an open alert with no new
 * signal for QUIET_MINUTES is resolved before the next signal opens a new one. The alert engine does not
 * evaluate these (alerts/repository.ts leaves security.* out of what it restores); admins are notified.
 * Counts for bursts live in `rate_limits`, shared by every process.
 */
import { randomUUID } from 'node:crypto';
import type { Language } from '@poscare/contracts';
import type { AlertNotifier } from '../alerts/runtime.js';
import type { AppContext } from '../platform/context.js';
import { sharedLimiter, storeClient, type StoreClient } from './rateLimitStore.js';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';

type Severity = 'info' | 'warning' | 'critical';
export interface SecuritySignalDef {
  severity: Severity;
  name: Record<Language, string>;
  /** For bursts: failures counted within windowSec; for devices: how long an address is remembered. */
  threshold: number;
  windowSec: number;
}

/** The security rule family as data: names shown wherever alert rules are named, severities, thresholds. */
export const SECURITY_SIGNALS = {
  'security.login_burst': {
    severity: 'warning',
    name: { 'zh-CN': '登录失败激增（组织内多个账户）', 'en-US': 'Burst of failed sign-ins across accounts' },
    threshold: 20,
    windowSec: 5 * 60,
  },
  'security.login_burst_account': {
    severity: 'warning',
    name: { 'zh-CN': '同一账户登录失败激增', 'en-US': 'Burst of failed sign-ins on one account' },
    threshold: 10,
    windowSec: 5 * 60,
  },
  'security.device_two_addresses': {
    severity: 'critical',
    name: { 'zh-CN': '终端凭据同时从两个地址使用', 'en-US': 'Terminal credential used from two addresses at once' },
    threshold: 2,
    windowSec: 5 * 60,
  },
  'security.revoked_terminal': {
    severity: 'warning',
    name: { 'zh-CN': '已吊销的终端仍在发送消息', 'en-US': 'Messages from a revoked terminal' },
    threshold: 1,
    windowSec: 0,
  },
} as const satisfies Record<string, SecuritySignalDef>;
export type SecuritySignalCode = keyof typeof SECURITY_SIGNALS;

export const QUIET_MINUTES = 30;

export function securitySignalName(code: string, lang: Language): string | undefined {
  return (SECURITY_SIGNALS as Record<string, SecuritySignalDef>)[code]?.name[lang];
}

interface Raise {
  orgId: string;
  code: SecuritySignalCode;
  /** What makes one burst: the fingerprint is the code and this key. */
  key: string;
  groupBy: 'account' | 'organization' | 'terminal';
  scopeLabel: string;
  terminalId?: string | null;
  value: number;
  detail: Record<string, unknown>;
}

export class SecuritySignals {
  private notifier: AlertNotifier | undefined;
  private store: StoreClient;
  private orgFailures: RateLimiterPostgres;
  private accountFailures: RateLimiterPostgres;
  /** Per terminal credential: the addresses it came from lately, and the last one. */
  private addresses = new Map<string, { last: string; seen: Map<string, number> }>();
  private pending = new Set<Promise<unknown>>();

  constructor(private ctx: AppContext, opts: { notifier?: AlertNotifier } = {}) {
    this.notifier = opts.notifier;
    this.store = storeClient(ctx.db);
    const org = SECURITY_SIGNALS['security.login_burst'];
    const acct = SECURITY_SIGNALS['security.login_burst_account'];
    this.orgFailures = sharedLimiter(this.store, { keyPrefix: 'sig_login_org', points: 1_000_000, duration: org.windowSec });
    this.accountFailures = sharedLimiter(this.store, { keyPrefix: 'sig_login_acct', points: 1_000_000, duration: acct.windowSec });
  }

  attachNotifier(n: AlertNotifier): void {
    this.notifier = n;
  }

  /** Waits for signals raised in the background (device paths do not wait for them). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private background(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.ctx.log.warn({ err }, 'security signal not stored')).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** A wrong password or second-factor code on an existing account. */
  async failedSignIn(user: { id: string; orgId: string; email: string }, ip: string): Promise<void> {
    const org = SECURITY_SIGNALS['security.login_burst'];
    const acct = SECURITY_SIGNALS['security.login_burst_account'];
    const [o, a] = await Promise.all([this.orgFailures.consume(user.orgId), this.accountFailures.consume(user.id)]);
    if (a.consumedPoints >= acct.threshold) {
      await this.raise({ orgId: user.orgId, code: 'security.login_burst_account', key: user.id, groupBy: 'account', scopeLabel: user.email, value: a.consumedPoints, detail: { account: user.email, lastAddress: ip, windowMinutes: acct.windowSec / 60 } });
    }
    if (o.consumedPoints >= org.threshold) {
      await this.raise({ orgId: user.orgId, code: 'security.login_burst', key: 'org', groupBy: 'organization', scopeLabel: '*', value: o.consumedPoints, detail: { lastAccount: user.email, lastAddress: ip, windowMinutes: org.windowSec / 60 } });
    }
  }

  /**
   * A terminal authenticated from an address. Two devices sharing one credential alternate: A, B, A within
   * the window. A terminal that merely moved (Wi-Fi to 4G) goes A, B and stays, which is not a signal.
   */
  deviceSeen(orgId: string, terminalId: string, address: string | undefined, channel: 'https' | 'mqtt'): void {
    if (!address) return;
    const def = SECURITY_SIGNALS['security.device_two_addresses'];
    const now = this.ctx.clock.now().getTime();
    let rec = this.addresses.get(terminalId);
    if (!rec) {
      if (this.addresses.size > 200_000) this.addresses.clear();
      this.addresses.set(terminalId, (rec = { last: address, seen: new Map() }));
    }
    for (const [a, at] of rec.seen) if (now - at > def.windowSec * 1000) rec.seen.delete(a);
    const interleaved = rec.last !== address && rec.seen.has(address);
    const others = [...rec.seen.keys()].filter((a) => a !== address);
    rec.seen.set(address, now);
    rec.last = address;
    if (!interleaved) return;
    this.background(
      this.raise({ orgId, code: 'security.device_two_addresses', key: terminalId, groupBy: 'terminal', scopeLabel: terminalId, terminalId, value: others.length + 1, detail: { addresses: [address, ...others], channel } }),
    );
  }

  /** A terminal with a revoked credential tried to send (HTTPS, MQTT, or through an external broker). */
  revokedTerminal(orgId: string, terminalId: string, address: string | undefined, channel: 'https' | 'mqtt'): void {
    this.background(
      this.raise({ orgId, code: 'security.revoked_terminal', key: terminalId, groupBy: 'terminal', scopeLabel: terminalId, terminalId, value: 1, detail: { address: address ?? null, channel } }),
    );
  }

  private async raise(r: Raise): Promise<void> {
    const def: SecuritySignalDef = SECURITY_SIGNALS[r.code];
    const now = this.ctx.clock.now();
    const quietBefore = new Date(now.getTime() - QUIET_MINUTES * 60_000);
    const fingerprint = `${r.code}:${r.key}`;
    const id = randomUUID();
    const fired = await this.ctx.db.rawTransaction(async (tx) => {
      // The terminal's serial number is a better label than its id.
      let scopeLabel = r.scopeLabel;
      if (r.terminalId) {
        const [t] = await tx.query<{ serial_number: string }>('SELECT serial_number FROM terminals WHERE id = $1', [r.terminalId]);
        if (t) scopeLabel = t.serial_number;
      }
      if (r.groupBy === 'organization') {
        const [o] = await tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [r.orgId]);
        if (o) scopeLabel = o.name;
      }
      const stale = await tx.query<{ id: string }>(
        `UPDATE alerts SET status = 'resolved', resolved_at = $3, last_change_at = $3
          WHERE org_id = $1 AND fingerprint = $2 AND status <> 'resolved' AND last_change_at < $4 RETURNING id`,
        [r.orgId, fingerprint, now, quietBefore],
      );
      for (const s of stale) {
        await tx.query(`INSERT INTO alert_events (alert_id, org_id, at, type, actor, detail) VALUES ($1, $2, $3, 'resolved', NULL, $4)`, [s.id, r.orgId, now, JSON.stringify({ quietMinutes: QUIET_MINUTES })]);
      }
      const members = r.terminalId ? [{ terminalId: r.terminalId, since: now.toISOString(), active: true }] : [];
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO alerts (id, org_id, fingerprint, rule_code, rule_version, severity, status, flapping, group_by, scope_key, scope_label,
                             terminal_id, members, member_count, value, threshold, started_at, last_change_at, escalation_level)
         VALUES ($1, $2, $3, $4, 1, $5, 'firing', false, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $14, 0)
         ON CONFLICT (org_id, fingerprint) WHERE status <> 'resolved' DO NOTHING RETURNING id`,
        [id, r.orgId, fingerprint, r.code, def.severity, r.groupBy, r.key, scopeLabel, r.terminalId ?? null, JSON.stringify(members), members.length, r.value, def.threshold, now],
      );
      if (inserted.length) {
        await tx.query(`INSERT INTO alert_events (alert_id, org_id, at, type, actor, detail) VALUES ($1, $2, $3, 'fired', NULL, $4)`, [id, r.orgId, now, JSON.stringify(r.detail)]);
        return { scopeLabel, memberCount: members.length };
      }
      await tx.query(
        `UPDATE alerts SET value = GREATEST(COALESCE(value, 0), $3), last_change_at = $4 WHERE org_id = $1 AND fingerprint = $2 AND status <> 'resolved'`,
        [r.orgId, fingerprint, r.value, now],
      );
      return null;
    });
    if (fired && this.notifier) {
      await this.notifier.notifyAlert(
        {
          alertId: id,
          orgId: r.orgId,
          event: 'fired',
          severity: def.severity,
          ruleCode: r.code,
          ruleName: def.name,
          scopeLabel: fired.scopeLabel,
          merchantId: null,
          siteId: null,
          terminalId: r.terminalId ?? null,
          memberCount: fired.memberCount,
          value: r.value,
          threshold: def.threshold,
          predictedAt: null,
          startedAt: now.toISOString(),
          roles: ['admin'],
        },
        now,
      );
    }
  }
}
