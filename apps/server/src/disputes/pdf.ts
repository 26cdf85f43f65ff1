/**
 * The evidence pack as one PDF in the dispute's language, made with pdfkit and Noto Sans SC embedded
 * (subset to the characters used, so a pack is tens of kilobytes, not the font's 10 MB). Decision 012.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { DisputeDetail, Language } from '@poscare/contracts';
import { translate, type MessageId } from '../i18n/messages.js';
import { localTime, money } from './pack.js';

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');

const t = (lang: Language, id: string, params: Record<string, unknown> = {}) => translate(lang, id as MessageId, params);

export async function renderDisputePdf(d: DisputeDetail): Promise<Buffer> {
  const lang = d.language;
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `${t(lang, 'dispute.pdf.title')} ${d.caseNumber}`, Producer: 'PosCare' } });
  doc.registerFont('body', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string) => {
    if (doc.y > 720) doc.addPage();
    doc.moveDown(0.6).font('bold').fontSize(12).fillColor('#1f2937').text(text).moveDown(0.2);
    doc.font('body').fontSize(9.5).fillColor('#111827');
  };
  const pair = (k: string, v: string | null | undefined) => doc.font('body').fontSize(9.5).text(`${k}: ${v ?? '—'}`);
  const bullet = (text: string, color = '#111827') => doc.fillColor(color).text(`• ${text}`, { indent: 8 }).fillColor('#111827');

  doc.font('bold').fontSize(17).text(`${t(lang, 'dispute.pdf.title')} — ${d.caseNumber}`);
  doc.font('body').fontSize(9).fillColor('#6b7280').text(t(lang, 'dispute.pdf.generated', { at: localTime(lang, d.pack?.assembledAt ?? d.openedAt) })).fillColor('#111827');

  heading(t(lang, 'dispute.pdf.dispute'));
  pair(t(lang, 'dispute.pdf.kind'), t(lang, `dispute.kind.${d.kind}`));
  pair(t(lang, 'dispute.pdf.network'), t(lang, `dispute.network.${d.network}`));
  pair(t(lang, 'dispute.pdf.reason'), d.reasonText);
  pair(t(lang, 'dispute.pdf.amount'), money(lang, d.amountMinor, d.currency));
  pair(t(lang, 'dispute.pdf.merchant'), d.merchantName);
  pair(t(lang, 'dispute.pdf.terminal'), d.terminalLabel);
  pair(t(lang, 'dispute.pdf.status'), t(lang, `dispute.status.${d.status}`));
  pair(t(lang, 'dispute.pdf.due'), localTime(lang, d.dueAt));

  const pack = d.pack;
  if (pack?.duplicateFinding) {
    heading(t(lang, 'dispute.pdf.duplicate'));
    bullet(pack.duplicateFinding.summary, '#b45309');
  }

  heading(t(lang, 'dispute.pdf.payment'));
  if (!pack || !pack.lines.length) doc.text(t(lang, 'dispute.pdf.no_payment'));
  for (const l of pack?.lines ?? []) {
    bullet(
      [
        t(lang, `dispute.pdf.side.${l.source}`),
        localTime(lang, l.at),
        l.amountMinor === null ? '—' : money(lang, l.amountMinor, l.currency),
        `${t(lang, 'dispute.pdf.outcome')} ${t(lang, `dispute.outcome.${l.outcome}`)}${l.responseCode ? ` (${l.responseCode}${l.responseText ? ` ${l.responseText}` : ''})` : ''}`,
        l.authCode ? `${t(lang, 'dispute.receipt.auth')} ${l.authCode}` : null,
        l.stan ? `STAN ${l.stan}` : null,
        l.rrn ? `RRN ${l.rrn}` : null,
      ]
        .filter(Boolean)
        .join(' · '),
    );
  }

  if (pack) {
    heading(t(lang, 'dispute.pdf.card_read'));
    pair(t(lang, 'dispute.pdf.entry_mode'), pack.entryMode);
    pair('TVR', pack.tvr.length ? pack.tvr.join(lang === 'zh-CN' ? '；' : '; ') : '—');
    pair('TSI', pack.tsi.length ? pack.tsi.join(lang === 'zh-CN' ? '；' : '; ') : '—');

    heading(t(lang, 'dispute.pdf.receipt'));
    const x = doc.x;
    const top = doc.y;
    doc.font('body').fontSize(9);
    const receiptHeight = pack.receipt.length * 13 + 14;
    doc.rect(x, top, 260, receiptHeight).strokeColor('#9ca3af').stroke();
    pack.receipt.forEach((line, i) => doc.text(line, x + 10, top + 7 + i * 13, { width: 240, lineBreak: false }));
    doc.x = x;
    doc.y = top + receiptHeight + 6;

    heading(t(lang, 'dispute.pdf.health'));
    if (!pack.health.length) doc.text(t(lang, 'dispute.pdf.no_health'));
    // Runs of samples that say the same, one line each: "14:00:00 – 14:25:00 healthy (6)".
    const runs: { from: string; to: string; text: string; n: number }[] = [];
    for (const h of pack.health) {
      const text = `${t(lang, `dispute.health.${h.health}`)}${h.reasons.length ? `: ${h.reasons.join(', ')}` : ''}`;
      const last = runs[runs.length - 1];
      if (last && last.text === text) Object.assign(last, { to: h.at, n: last.n + 1 });
      else runs.push({ from: h.at, to: h.at, text, n: 1 });
    }
    for (const r of runs) bullet(`${localTime(lang, r.from)}${r.n > 1 ? ` – ${localTime(lang, r.to)}` : ''} — ${r.text}${r.n > 1 ? ` (${r.n})` : ''}`);
    if (pack.terminal) {
      pair(t(lang, 'dispute.pdf.terminal'), [pack.terminal.label, pack.terminal.model, pack.terminal.site].filter(Boolean).join(' · '));
      pair(t(lang, 'dispute.pdf.accepted'), pack.terminal.acceptedAt ? localTime(lang, pack.terminal.acceptedAt) : null);
    }
    if (pack.tickets.length) {
      heading(t(lang, 'dispute.pdf.tickets'));
      for (const tk of pack.tickets) bullet(`${tk.number ?? ''} ${tk.title} (${localTime(lang, tk.createdAt)})`);
    }
    if (pack.fraudFindings.length) {
      heading(t(lang, 'dispute.pdf.fraud'));
      for (const f of pack.fraudFindings) bullet(f.summary);
    }
  }

  heading(t(lang, 'dispute.pdf.checklist'));
  for (const c of d.checklist) bullet(`[${t(lang, c.present ? 'dispute.pdf.present' : 'dispute.pdf.missing')}] ${c.text}${c.detail ? ` — ${c.detail}` : ''}`, c.present ? '#065f46' : '#b91c1c');

  if (d.evidence.length) {
    heading(t(lang, 'dispute.pdf.added'));
    for (const e of d.evidence) bullet(`${localTime(lang, e.at)} ${e.byName ?? ''}: ${e.kind === 'photo' ? t(lang, 'dispute.pdf.photo', { kb: Math.ceil((e.bytes ?? 0) / 1024) }) : ''}${e.body ?? ''}`);
  }

  doc.end();
  return done;
}
