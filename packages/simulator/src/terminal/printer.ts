/**
 * Receipts and the paper roll. Staff normally put in a new roll a little while after the terminal says
 * paper is low; under the paper fault nobody does, and the terminal runs out.
 */
import type { Minute } from './minute.js';

export const PAPER_LOW_SHARE = 0.2;

export function printReceipts(m: Minute, atMs: number, copies: number): void {
  const { s, c } = m;
  if (c.printer.fault) return m.eventEvery('PRINTER_FAULT', atMs, 2 * 60_000);
  if (s.printerJammed || c.printer.jam) {
    s.printerJammed = true;
    return m.eventEvery('PRINTER_JAM', atMs, 2 * 60_000);
  }
  if (internalTemp(m) >= 70) return m.eventEvery('PRINTER_OVERHEAT', atMs, 5 * 60_000);
  const p = s.paper;
  if (p.left <= 0) return m.eventEvery('PAPER_OUT', atMs, 2 * 60_000);
  p.left = Math.max(0, p.left - copies);
  if (p.left <= p.capacity * PAPER_LOW_SHARE && !p.lowShown) {
    p.lowShown = true;
    m.event('PAPER_LOW', atMs + 500);
    if (!c.printer.paperNotReplaced) p.replaceAtMs = atMs + s.rng.int(2, 15) * 60_000;
  }
  if (p.left === 0) {
    m.event('PAPER_OUT', atMs + 800);
    // Staff who see the terminal stop printing change the roll at once.
    if (!c.printer.paperNotReplaced) p.replaceAtMs = Math.min(p.replaceAtMs ?? Infinity, atMs + s.rng.int(1, 3) * 60_000);
  }
}

export function replacePaperIfDue(m: Minute): void {
  const p = m.s.paper;
  if (p.replaceAtMs === null || p.replaceAtMs >= m.endMs || m.c.printer.paperNotReplaced) return;
  replacePaper(m, Math.max(m.startMs, p.replaceAtMs));
}

export function replacePaper(m: Minute, atMs: number): void {
  const p = m.s.paper;
  p.left = p.capacity;
  p.lowShown = false;
  p.replaceAtMs = null;
  m.event('PAPER_REPLACED', atMs);
}

export function printerStatus(m: Minute): 'ok' | 'paper_low' | 'paper_out' | 'jam' | 'overheat' | 'fault' {
  const { s, c } = m;
  if (c.printer.fault) return 'fault';
  if (s.printerJammed) return 'jam';
  if (internalTemp(m) >= 70) return 'overheat';
  if (s.paper.left <= 0) return 'paper_out';
  if (s.paper.left <= s.paper.capacity * PAPER_LOW_SHARE) return 'paper_low';
  return 'ok';
}

const internalTemp = (m: Minute) => m.s.env.internalC;
