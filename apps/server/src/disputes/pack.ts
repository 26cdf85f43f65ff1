/**
 * The evidence pack: what PosCare's own records prove about the disputed payment, assembled when the
 * dispute opens — both sides of the payment, entry mode and EMV data in words, the receipt re-rendered
 * from the record, the terminal's health ±30 minutes, the terminal and its acceptance, related tickets,
 * fraud findings on the card and a duplicate-charge finding — and the checklist of what the reason
 * code's group needs, with what is still missing.
 */
import { decodeTsi, decodeTvr, responseCode } from '@poscare/codes';
import type { DisputeGroup, EvidenceCheck, EvidenceItem, EvidencePack, Language, PackLine, Telemetry } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { assessHealth } from '../fleet/health.js';
import { isMessageId, translate } from '../i18n/messages.js';
import { paymentLines } from '../payments/repository.js';
import { evidenceInfo, requiredEvidence } from './reasonCodes.js';
import * as repo from './repository.js';

const HEALTH_WINDOW_MS = 30 * 60_000;
const iso = (v: Date | string) => new Date(v).toISOString();
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function money(lang: Language, minor: number, currency: string | null): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : 'CNY' }).format(minor / 100);
}

export function localTime(lang: Language, at: Date | string): string {
  return new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(at));
}

const entryWord = (lang: Language, mode: string | null) => {
  if (!mode) return null;
  const id = `dispute.entry.${mode}`;
  return isMessageId(id) ? translate(lang, id) : mode;
};

function safeBits(decode: () => { bits: { zh: string; en: string }[] }, lang: Language): string[] {
  try {
    return decode().bits.map((b) => (lang === 'zh-CN' ? b.zh : b.en));
  } catch {
    return [];
  }
}

/** Assembles the pack for a matched dispute (null when the dispute has no payment yet). */
export async function assemblePack(tx: RawTx, d: repo.DisputeDbRow, lang: Language, now: Date): Promise<EvidencePack | null> {
  if (!d.terminal_id || !d.stan || !d.payment_day) return null;
  const { terminal, host } = await paymentLines(tx, d.org_id, undefined, d.terminal_id, d.stan, d.payment_day);
  const sales = (rows: Record<string, unknown>[]) => rows.filter((r) => r.type === 'sale');
  const tLines = sales(terminal);
  const hLines = sales(host);
  const line = (r: Record<string, unknown>, source: 'terminal' | 'host'): PackLine => {
    const rc = str(r.response_code);
    const info = rc ? responseCode(rc) : null;
    return {
      source,
      at: iso(r.at as string),
      type: String(r.type),
      amountMinor: num(r.amount_minor),
      currency: str(r.currency),
      outcome: String(r.outcome),
      responseCode: rc,
      responseText: info ? (lang === 'zh-CN' ? info.zh : info.en) : null,
      authCode: str(r.auth_code),
      stan: str(r.stan),
      rrn: str(r.rrn),
      entryMode: String(r.entry_mode),
      cardToken: str(r.card_token),
    };
  };
  const lines = [...tLines.map((r) => line(r, 'terminal')), ...hLines.map((r) => line(r, 'host'))];
  const main = tLines[tLines.length - 1] ?? hLines[hLines.length - 1];
  const at = main ? new Date(main.at as string) : new Date(d.payment_at ?? now);
  const tvrHex = str(tLines.find((r) => r.tvr)?.tvr);
  const tsiHex = str(tLines.find((r) => r.tsi)?.tsi);
  const tvr = tvrHex ? safeBits(() => decodeTvr(tvrHex), lang) : [];
  const tsi = tsiHex ? safeBits(() => decodeTsi(tsiHex), lang) : [];
  if (tvrHex && !tvr.length && /^0+$/.test(tvrHex)) tvr.push(translate(lang, 'dispute.pack.tvr_clean'));

  const samples = await repo.telemetryAround(tx, d.terminal_id, at, HEALTH_WINDOW_MS);
  const health = samples.map((s) => {
    const h = assessHealth((typeof s.data === 'string' ? JSON.parse(s.data) : s.data) as Telemetry);
    return { at: iso(s.at), health: h.health, reasons: h.reasons.map((r) => (isMessageId(`fleet.reason.${r}`) ? translate(lang, `fleet.reason.${r}` as never) : r)) };
  });
  const facts = await repo.terminalFacts(tx, d.org_id, d.terminal_id);
  const tickets = await repo.ticketsAround(tx, d.org_id, d.terminal_id, at);
  const recordIds = [...tLines, ...hLines].map((r) => (r.msg_id ? `${r.terminal_id}/${r.msg_id}` : `host:${r.id}`));
  const cardToken = d.card_token ?? str(main?.card_token);
  const fraud = await repo.fraudFindingsFor(tx, d.org_id, cardToken, recordIds);
  const dup = await repo.duplicateFindingFor(tx, d.org_id, recordIds);
  const summary = (f: { summary_zh: string; summary_en: string }) => (lang === 'zh-CN' ? f.summary_zh : f.summary_en).replace(/\{[^}]*\}/g, '—');

  return {
    assembledAt: now.toISOString(),
    language: lang,
    lines,
    entryMode: entryWord(lang, str(main?.entry_mode)),
    tvr,
    tsi,
    receipt: main ? renderReceipt(lang, main, facts, hLines.find((h) => h.outcome === 'approved') ?? hLines[0]) : [],
    health,
    terminal: facts ? { label: facts.label, model: [facts.vendor, facts.model].filter(Boolean).join(' ') || null, site: facts.site, acceptedAt: facts.accepted_at ? iso(facts.accepted_at) : null } : null,
    tickets: tickets.map((t) => ({ id: t.id, number: t.number, title: t.title, status: t.status, createdAt: iso(t.created_at) })),
    fraudFindings: fraud.map((f) => ({ id: f.id, code: f.code, summary: summary(f), decision: f.decision })),
    duplicateFinding: dup ? { id: dup.id, code: dup.code, summary: summary(dup) } : null,
  };
}

/** The receipt as the terminal printed it, re-rendered from the record (card data never: the token's last characters only). */
function renderReceipt(lang: Language, t: Record<string, unknown>, facts: Awaited<ReturnType<typeof repo.terminalFacts>>, h: Record<string, unknown> | undefined): string[] {
  const L = (id: string, v: unknown) => `${translate(lang, `dispute.receipt.${id}` as never)}: ${v ?? '—'}`;
  const token = str(t.card_token);
  const approved = (h?.outcome ?? t.outcome) === 'approved';
  return [
    facts?.merchant_name ?? '—',
    L('mid', facts?.mid),
    L('tid', facts?.tid ?? facts?.label),
    L('type', translate(lang, 'dispute.receipt.sale')),
    L('card', token ? `****${token.slice(-4)}` : null),
    L('entry', entryWord(lang, str(t.entry_mode))),
    L('time', localTime(lang, t.at as string)),
    L('stan', t.stan),
    L('rrn', t.rrn ?? h?.rrn),
    L('auth', t.auth_code ?? h?.auth_code),
    L('amount', money(lang, Number(t.amount_minor ?? h?.amount_minor ?? 0), str(t.currency))),
    approved ? translate(lang, 'dispute.receipt.approved') : translate(lang, 'dispute.receipt.not_approved', { outcome: String(h?.outcome ?? t.outcome) }),
  ];
}

const CHIP_MODES = new Set(['chip', 'contactless']);

/** What the group needs, and whether the pack and the merchant's additions hold each. */
export function checklist(lang: Language, group: DisputeGroup | null, pack: EvidencePack | null, added: { item: string | null }[]): EvidenceCheck[] {
  if (!group) return [];
  const has = (item: EvidenceItem) => added.some((a) => a.item === item);
  const term = pack?.lines.filter((l) => l.source === 'terminal') ?? [];
  const host = pack?.lines.filter((l) => l.source === 'host') ?? [];
  const entry = term[term.length - 1]?.entryMode ?? host[host.length - 1]?.entryMode ?? null;
  // TSI byte 1 bit 7 in words (codes' data, either language).
  const verified = (pack?.tsi ?? []).some((t) => /持卡人验证|Cardholder verification/i.test(t));
  const auth = [...host, ...term].find((l) => l.outcome === 'approved' && l.authCode);
  const yes = (id: string, params: Record<string, unknown> = {}) => translate(lang, `dispute.check.${id}` as never, params);
  return requiredEvidence(group).map((item): EvidenceCheck => {
    const info = evidenceInfo(item, lang);
    let present = false;
    let detail: string | null = null;
    switch (item) {
      case 'receipt':
        present = !!pack?.receipt.length;
        detail = present ? yes('receipt_ok') : yes('no_record');
        break;
      case 'both_sides':
        present = term.length > 0 && host.length > 0;
        detail = present ? yes('both_ok') : term.length ? yes('host_missing') : host.length ? yes('terminal_missing') : yes('no_record');
        break;
      case 'auth_code':
        present = !!auth;
        detail = auth ? yes('auth_ok', { code: auth.authCode }) : yes('auth_missing');
        break;
      case 'chip_read':
        present = !!entry && CHIP_MODES.has(entry);
        detail = entry ? yes(present ? 'chip_ok' : 'chip_not', { mode: entryWord(lang, entry) }) : yes('no_record');
        break;
      case 'cardholder_verified':
        present = verified;
        detail = verified ? yes('cvm_ok') : yes('cvm_missing');
        break;
      case 'terminal_health':
        present = !!pack?.health.length;
        detail = present ? yes('health_ok', { count: pack!.health.length }) : yes('health_missing');
        break;
      case 'signed_receipt':
        // A PIN-verified chip payment needs no signature.
        present = verified || has(item);
        detail = verified ? yes('cvm_no_signature') : present ? yes('added') : null;
        break;
      case 'fraud_findings':
        present = !!pack?.fraudFindings.length;
        break;
      default:
        present = has(item);
        detail = present ? yes('added') : null;
    }
    return { item, source: info.source, text: info.text, present, detail };
  });
}
