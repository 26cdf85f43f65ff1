/**
 * Alert texts in a person's language, from the templates in i18n/messages.ts. Pure functions, so the
 * same words reach the console inbox and the e-mail.
 */
import type { AlertSeverity, Language } from '@poscare/contracts';
import { translate } from '../i18n/messages.js';
import type { AlertNotice } from './types.js';

export interface RenderedText {
  title: string;
  body: string;
}

// Our customers and their terminals are in China, so times are shown in China time in both
// languages (the ISO form next to it is unambiguous for everybody else).
const TIME_FORMAT: Intl.DateTimeFormatOptions = { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

export function localTime(lang: Language, iso: string): string {
  return translate(lang, 'notify.time', { time: new Intl.DateTimeFormat(lang, TIME_FORMAT).format(new Date(iso)) });
}

export const severityWord = (lang: Language, s: AlertSeverity) => translate(lang, `notify.severity.${s}`);

const num = (lang: Language, v: number) => new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(v);

export function renderAlert(n: AlertNotice, lang: Language): RenderedText {
  const p = { severity: severityWord(lang, n.severity), rule: n.ruleName[lang], scope: n.scopeLabel, level: n.escalationLevel ?? 1 };
  const lines = [
    translate(lang, `notify.alert.${n.event}.lead`, p),
    '',
    translate(lang, 'notify.alert.severity', p),
    translate(lang, 'notify.alert.members', { count: n.memberCount }),
  ];
  if (n.value !== null) {
    lines.push(
      n.threshold !== null
        ? translate(lang, 'notify.alert.value', { value: num(lang, n.value), threshold: num(lang, n.threshold) })
        : translate(lang, 'notify.alert.value_only', { value: num(lang, n.value) }),
    );
  }
  if (n.predictedAt) lines.push(translate(lang, 'notify.alert.predicted', { time: localTime(lang, n.predictedAt), iso: n.predictedAt }));
  lines.push(translate(lang, 'notify.alert.started', { time: localTime(lang, n.startedAt), iso: n.startedAt }));
  return { title: translate(lang, `notify.alert.${n.event}.title`, p), body: lines.join('\n') };
}

/** An e-mail is the console text plus a line saying why it came. */
export function renderEmail(text: RenderedText, lang: Language): { subject: string; text: string } {
  return { subject: text.title, text: `${text.body}\n\n-- \n${translate(lang, 'notify.email.footer')}\n` };
}

/** What a webhook receives: stable field names, both languages of the rule name, no rendered prose. */
export function webhookBody(n: AlertNotice, sentAt: Date): Record<string, unknown> {
  return {
    event: n.event,
    alert: {
      id: n.alertId,
      rule: { code: n.ruleCode, name: n.ruleName },
      severity: n.severity,
      scope: { label: n.scopeLabel, merchantId: n.merchantId, siteId: n.siteId, terminalId: n.terminalId },
      members: n.memberCount,
      value: n.value,
      threshold: n.threshold,
      predictedAt: n.predictedAt,
      startedAt: n.startedAt,
      escalationLevel: n.escalationLevel ?? 0,
    },
    sentAt: sentAt.toISOString(),
  };
}
