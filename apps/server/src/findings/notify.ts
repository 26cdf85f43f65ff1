/**
 * Who hears about a new finding, once: duplicate charges (dup.*) go to the merchant's own users —
 * console inbox and e-mail, in each person's language, with the payments to refund and the amount;
 * fraud findings (risk.*) go to the organization's risk analysts' console inbox. The finding row is
 * claimed (`notified_at`, a conditional update) in the same transaction as the messages, so two
 * workers never tell anybody twice.
 */
import { namesOf, readableSummary } from './wording.js';
import { findingKind, refundTxnIds, type Language, type TxnFindingCode } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { isMessageId, translate } from '../i18n/messages.js';
import { localTime, renderEmail } from '../notifications/render.js';
import { queueContactSms } from '../notifications/outbound.js';
import type { AppContext } from '../platform/context.js';
import { parseRecordId } from '../payments/records.js';
import { claimNotification, findingRecipients, linesByIds, txnIdsOf, type LineRow, type StoredFinding } from './repository.js';
import type { FindingNotifier } from './runtime.js';

export const money = (lang: Language, minor: number, currency: string | null) =>
  new Intl.NumberFormat(lang, { style: 'currency', currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : 'CNY' }).format(minor / 100);

/** The words of a finding kind (the risk team's names when they exist). */
export function kindWord(lang: Language, code: string): string {
  const id = `risk.kind.${code}`;
  return isMessageId(id) ? translate(lang, id) : code;
}

/** The record ids of a finding split into terminal lines and host lines, for one query. */
export function recordKeys(ids: readonly string[]) {
  const terminal: { terminalId: string; msgId: string }[] = [];
  const host: string[] = [];
  for (const id of ids) {
    const p = parseRecordId(id);
    if (p?.source === 'terminal') terminal.push({ terminalId: p.terminalId, msgId: p.msgId });
    else if (p?.source === 'host') host.push(p.id);
  }
  return { terminal, host };
}

export interface RenderedFinding {
  title: string;
  body: string;
}

/** A finding told to a person: what happened, the payments (time, amount, references), what to do. */
export function renderFinding(f: StoredFinding, lines: Map<string, LineRow>, lang: Language): RenderedFinding {
  const code = f.code as TxnFindingCode;
  const amount = money(lang, Number(f.amount_minor), f.currency);
  const p = { amount, terminal: f.terminal_serial ?? '—', merchant: f.merchant_name ?? '—', kind: kindWord(lang, code) };
  const ids = txnIdsOf(f);
  const payment = (id: string) => {
    const l = lines.get(id);
    if (!l) return null;
    return translate(lang, 'findings.notify.payment', {
      time: localTime(lang, new Date(l.at).toISOString()),
      amount: money(lang, Number(l.amount_minor ?? 0), l.currency),
      stan: l.stan ?? '—',
      rrn: l.rrn ?? '—',
    });
  };
  if (findingKind(code) === 'dup') {
    const refund = new Set(refundTxnIds(code, ids));
    const out = [translate(lang, `findings.notify.${code as 'dup.double_submit'}.lead`, p), ''];
    for (const id of ids) {
      const line = payment(id);
      if (line) out.push(`${refund.has(id) ? translate(lang, 'findings.notify.refund_this') : translate(lang, 'findings.notify.keep_this')} ${line}`);
    }
    out.push('', translate(lang, code === 'dup.missing_reversal' ? 'findings.notify.todo_reversal' : 'findings.notify.todo_refund', p), translate(lang, 'findings.notify.closes'), translate(lang, 'findings.notify.where'));
    return { title: translate(lang, `findings.notify.${code as 'dup.double_submit'}.title`, p), body: out.join('\n') };
  }
  const out = [readableSummary(lang === 'zh-CN' ? f.summary_zh : f.summary_en, namesOf(f)), ''];
  for (const id of ids.slice(0, 10)) {
    const line = payment(id);
    if (line) out.push(`· ${line}`);
  }
  if (ids.length > 10) out.push(translate(lang, 'findings.notify.more_payments', { count: ids.length - 10 }));
  out.push('', translate(lang, 'findings.notify.risk.todo'));
  return { title: translate(lang, 'findings.notify.risk.title', p), body: out.join('\n') };
}

export async function findingLines(tx: RawTx, f: StoredFinding): Promise<Map<string, LineRow>> {
  const k = recordKeys(txnIdsOf(f));
  const rows = await linesByIds(tx, f.org_id, k.terminal, k.host);
  return new Map(rows.map((r) => [r.id, r]));
}

export class FindingNotifications implements FindingNotifier {
  constructor(private readonly ctx: AppContext) {}

  async notifyFindings(orgId: string, ids: string[]): Promise<{ notifications: number; emails: number }> {
    let notifications = 0;
    let emails = 0;
    for (const id of ids) {
      const now = this.ctx.clock.now();
      const r = await this.ctx.db.rawTransaction(async (tx): Promise<{ n: number; e: number; sms?: { f: StoredFinding; textIn: (lang: Language) => RenderedFinding } }> => {
        const f = await claimNotification(tx, id, now);
        if (!f || f.org_id !== orgId) return { n: 0, e: 0 };
        const dup = findingKind(f.code) === 'dup';
        if (dup && !f.merchant_id) return { n: 0, e: 0 };
        const lines = await findingLines(tx, f);
        const texts = new Map<Language, RenderedFinding>();
        const textIn = (lang: Language) => texts.get(lang) ?? texts.set(lang, renderFinding(f, lines, lang)).get(lang)!;
        // The merchant's own contacts who asked for duplicate charges by SMS hear of it too (below).
        const sms = dup ? { f, textIn } : undefined;
        const people = await findingRecipients(tx, orgId, dup ? { merchantId: f.merchant_id! } : { role: 'risk_analyst' });
        if (!people.length) return { n: 0, e: 0, sms };
        const kind = dup ? 'finding.dup' : 'finding.risk';
        const severity = dup ? 'warning' : 'critical';
        let n = 0;
        let e = 0;
        for (const u of people) {
          const text = textIn(u.language);
          if (u.console ?? true) {
            await tx.query('INSERT INTO notifications (org_id, user_id, kind, title, body, severity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [orgId, u.user_id, kind, text.title, text.body, severity, now]);
            n++;
          }
          // Money the customer lost is worth an e-mail unless the person turned e-mail off; fraud stays in the analysts' console.
          if (dup && (u.email_on ?? true)) {
            await tx.query(
              `INSERT INTO deliveries (org_id, channel, target, user_id, event, payload, created_at, next_attempt_at) VALUES ($1, 'email', $2, $3, 'finding', $4, $5, $5)`,
              [orgId, u.email, u.user_id, JSON.stringify({ language: u.language, ...renderEmail(text, u.language) }), now],
            );
            e++;
          }
        }
        return { n, e, sms };
      });
      notifications += r.n;
      emails += r.e;
      // Once: only the caller that claimed the finding gets here with it. Queued after the claim commits
      // (the SMS queue is written through the ORM); the delivery worker sends and retries it.
      if (r.sms) {
        const { f, textIn } = r.sms;
        await queueContactSms(
          this.ctx.db.orm,
          {
            orgId, merchantId: f.merchant_id!, topic: 'duplicate_charge', event: 'finding', path: `/findings/${f.id}`,
            values: (lang) => ({ title: textIn(lang).title, amount: money(lang, Number(f.amount_minor), f.currency), terminal: f.terminal_serial ?? '—', merchant: f.merchant_name ?? '—' }),
          },
          now,
          this.ctx.config,
        );
      }
    }
    return { notifications, emails };
  }
}
