/**
 * The evidence pack as one PDF in the dispute's language, made with pdfkit and Noto Sans SC embedded
 * (subset to the characters used, so a pack is tens of kilobytes, not the font's 10 MB). Decision 012.
 *
 * The merchant's photos (signed receipts, delivery notes) follow as images, each scaled to the page
 * width with its caption and upload time. pdfkit embeds the file as it is (it cannot downscale), so at
 * most PHOTO_LIMIT.count photos and PHOTO_LIMIT.bytes in all go in; the PDF says how many were left out.
 * Every photo is checked here before pdfkit sees it (pdfkit's PNG reader loops or throws from a zlib
 * callback on a broken file): one that cannot be read is listed with a note and the PDF is still made.
 */
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import type { DisputeDetail, Language } from '@poscare/contracts';
import { translate, type MessageId } from '../i18n/messages.js';
import { localTime, money } from './pack.js';
import { evidenceInfo } from './reasonCodes.js';

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');

const t = (lang: Language, id: string, params: Record<string, unknown> = {}) => translate(lang, id as MessageId, params);

/** What one PDF embeds at most: photos are embedded as uploaded (5 MB each at most), never downscaled. */
export const PHOTO_LIMIT = { count: 12, bytes: 15 * 1024 * 1024, pixels: 40_000_000 } as const;

export interface PdfOptions {
  /** The bytes of one photo (the caller checks the actor may read it); null or a throw counts as unreadable. */
  photo?: (evidenceId: string) => Promise<Uint8Array | null>;
}

/** pdfkit's opened image (not in its type definitions); doc.image takes it as it takes a Buffer. */
interface OpenedImage {
  width: number;
  height: number;
  orientation?: number;
}

type Checked = { ok: true; width: number; height: number } | { ok: false; why: 'format' | 'size' };

/** JPEG: the segments walk to a frame header with sane dimensions and a scan follows. */
function checkJpeg(b: Buffer): Checked {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return { ok: false, why: 'format' };
  let pos = 2;
  let frame: { width: number; height: number } | null = null;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return { ok: false, why: 'format' };
    const marker = b[pos + 1]!;
    if (marker === 0xff) { pos++; continue; }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { pos += 2; continue; }
    const len = b.readUInt16BE(pos + 2);
    if (len < 2 || pos + 2 + len > b.length) return { ok: false, why: 'format' };
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (len < 8) return { ok: false, why: 'format' };
      const height = b.readUInt16BE(pos + 5);
      const width = b.readUInt16BE(pos + 7);
      const channels = b[pos + 9];
      if (!width || !height || (channels !== 1 && channels !== 3 && channels !== 4)) return { ok: false, why: 'format' };
      frame = { width, height };
    }
    if (marker === 0xda) {
      if (!frame) return { ok: false, why: 'format' };
      return frame.width * frame.height > PHOTO_LIMIT.pixels ? { ok: false, why: 'size' } : { ok: true, ...frame };
    }
    pos += 2 + len;
  }
  return { ok: false, why: 'format' };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** PNG: the chunks walk to IEND, the header is one pdfkit can draw, and the pixels inflate to exactly their size. */
function checkPng(b: Buffer): Checked {
  if (b.length < 8 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) return { ok: false, why: 'format' };
  let pos = 8;
  let head: { width: number; height: number; depth: number; color: number; interlace: number } | null = null;
  let palette = false;
  const idat: Buffer[] = [];
  for (;;) {
    if (pos + 12 > b.length) return { ok: false, why: 'format' };
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + len > b.length) return { ok: false, why: 'format' };
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (!head && type !== 'IHDR') return { ok: false, why: 'format' };
    if (type === 'IHDR') {
      if (len !== 13) return { ok: false, why: 'format' };
      head = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8]!, color: data[9]!, interlace: data[12]! };
      if (!head.width || !head.height || !PNG_DEPTHS[head.color]?.includes(head.depth) || data[10] !== 0 || data[11] !== 0 || head.interlace > 1) return { ok: false, why: 'format' };
      if (head.width * head.height > PHOTO_LIMIT.pixels) return { ok: false, why: 'size' };
    } else if (type === 'PLTE') palette = len > 0 && len % 3 === 0;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (!head || !idat.length || (head.color === 3 && !palette)) return { ok: false, why: 'format' };
  const bpp = (PNG_CHANNELS[head.color]! * head.depth) / 8;
  const passes = head.interlace
    ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]
    : [[0, 0, 1, 1]];
  const rows: number[] = []; // the byte length of each scanline, filter byte included
  for (const [x0, y0, dx, dy] of passes as [number, number, number, number][]) {
    const w = Math.ceil((head.width - x0) / dx);
    const h = Math.ceil((head.height - y0) / dy);
    if (w > 0) for (let i = 0; i < h; i++) rows.push(1 + Math.ceil(w * bpp));
  }
  const expected = rows.reduce((a, n) => a + n, 0);
  let pixels: Buffer;
  try {
    pixels = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch {
    return { ok: false, why: 'format' };
  }
  if (pixels.length !== expected) return { ok: false, why: 'format' };
  let at = 0;
  for (const n of rows) {
    if (pixels[at]! > 4) return { ok: false, why: 'format' };
    at += n;
  }
  return { ok: true, width: head.width, height: head.height };
}

export function checkPhoto(b: Buffer): Checked {
  if (b[0] === 0xff) return checkJpeg(b);
  if (b[0] === 0x89) return checkPng(b);
  return { ok: false, why: 'format' };
}

export async function renderDisputePdf(d: DisputeDetail, opts: PdfOptions = {}): Promise<Buffer> {
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

  const photos = d.evidence.filter((e) => e.kind === 'photo');
  if (photos.length) {
    heading(t(lang, 'dispute.pdf.photos'));
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const bottom = () => doc.page.height - doc.page.margins.bottom;
    let count = 0;
    let bytes = 0;
    let left = 0;
    for (const [i, e] of photos.entries()) {
      const name = [e.body, e.item ? evidenceInfo(e.item, lang).text : null].filter(Boolean).join(' · ') || t(lang, 'dispute.pdf.photo_untitled');
      const caption = `${t(lang, 'dispute.pdf.photo_n', { n: i + 1, of: photos.length })} — ${name} — ${localTime(lang, e.at)}${e.byName ? ` · ${e.byName}` : ''} · ${Math.ceil((e.bytes ?? 0) / 1024)} KB`;
      if (count >= PHOTO_LIMIT.count || bytes + (e.bytes ?? 0) > PHOTO_LIMIT.bytes) {
        left++;
        continue;
      }
      let data: Buffer | null = null;
      let checked: Checked = { ok: false, why: 'format' };
      try {
        const raw = opts.photo ? await opts.photo(e.id) : null;
        // PGlite hands back a Uint8Array, node-postgres a Buffer.
        data = raw ? (Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)) : null;
        if (data) checked = checkPhoto(data);
      } catch {
        checked = { ok: false, why: 'format' };
      }
      if (!data || !checked.ok) {
        if (doc.y > bottom() - 40) doc.addPage();
        doc.font('bold').fontSize(9.5).text(caption);
        const note = !data ? 'dispute.pdf.photo_missing' : checked.ok === false && checked.why === 'size' ? 'dispute.pdf.photo_too_big' : 'dispute.pdf.photo_unreadable';
        doc.font('body').fillColor('#b91c1c').text(t(lang, note)).fillColor('#111827').moveDown(0.6);
        continue;
      }
      let image: OpenedImage;
      try {
        image = (doc as unknown as { openImage(src: Buffer): OpenedImage }).openImage(data);
      } catch {
        doc.font('bold').fontSize(9.5).text(caption);
        doc.font('body').fillColor('#b91c1c').text(t(lang, 'dispute.pdf.photo_unreadable')).fillColor('#111827').moveDown(0.6);
        continue;
      }
      // pdfkit turns a JPEG by its EXIF orientation; 5-8 are quarter turns, so width and height swap.
      const turned = (image.orientation ?? 1) > 4;
      const [w0, h0] = turned ? [checked.height, checked.width] : [checked.width, checked.height];
      // As wide as the page, and no taller than a page: a tall photo is scaled down to fit one page.
      const maxHeight = bottom() - doc.page.margins.top - 30;
      const scale = Math.min(width / w0, maxHeight / h0);
      const [w, h] = [w0 * scale, h0 * scale];
      if (doc.y + 30 + h > bottom()) doc.addPage();
      doc.font('bold').fontSize(9.5).text(caption).moveDown(0.3);
      try {
        const top = doc.y;
        const x = doc.page.margins.left + (width - w) / 2;
        doc.image(image as unknown as Buffer, x, top, { width: w, height: h });
        doc.rect(x, top, w, h).lineWidth(0.5).strokeColor('#9ca3af').stroke(); // a white page on white paper still shows its edge
        doc.x = doc.page.margins.left;
        doc.y = top + h + 12;
        count++;
        bytes += data.length;
      } catch {
        doc.font('body').fillColor('#b91c1c').text(t(lang, 'dispute.pdf.photo_unreadable')).fillColor('#111827').moveDown(0.6);
      }
    }
    if (left) {
      if (doc.y > bottom() - 40) doc.addPage();
      doc.font('body').fontSize(9.5).fillColor('#b45309').text(t(lang, 'dispute.pdf.photos_left_out', { n: left, count: PHOTO_LIMIT.count, mb: PHOTO_LIMIT.bytes / 1024 / 1024 })).fillColor('#111827');
    }
  }

  doc.end();
  return done;
}
