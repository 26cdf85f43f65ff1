import { readFileSync } from 'node:fs';
import { DiagnosisCase, type DiagnosisCaseInput } from '@poscare/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_IDS, type FaultId } from '../faults/ids.js';
import { EVIDENCE, silentMinutes } from './evidence.js';
import { labelledCases, type LabelledCase } from './generate.js';
import { labelScope } from './recipes.js';

const TAXONOMY = JSON.parse(readFileSync(new URL('../../../codes/data/fault-taxonomy.json', import.meta.url), 'utf8')) as { causes: { code: string; zh: string; en: string }[] };

let all: LabelledCase[];
let generationMs = 0;

beforeAll(() => {
  const started = performance.now();
  all = labelledCases();
  generationMs = performance.now() - started;
}, 300_000);

const ofFault = (fault: FaultId | null) => all.filter((c) => c.meta.fault === fault);
const samples = (c: DiagnosisCaseInput) => c.telemetry ?? [];

describe('the labelled case set', () => {
  it('has ten cases for every fault the simulator can inject, and ten healthy terminals', () => {
    for (const fault of FAULT_IDS) expect(ofFault(fault), fault).toHaveLength(10);
    expect(ofFault(null)).toHaveLength(10);
    expect(all).toHaveLength(10 * (FAULT_IDS.length + 1));
    expect(new Set(all.map((c) => c.case.id)).size).toBe(all.length);
    // For the record (the brief asks for under a minute on this machine; shared CPUs make it a poor assertion).
    console.info(`labelled cases: ${all.length} in ${Math.round(generationMs)} ms`);
  });

  it('validates every case against the DiagnosisCase contract', () => {
    const invalid = all.map((c) => ({ id: c.case.id, r: DiagnosisCase.safeParse(c.case) })).filter((x) => !x.r.success);
    expect(invalid.map((x) => `${x.id}: ${x.r.error?.issues[0]?.path.join('.')} ${x.r.error?.issues[0]?.message}`)).toEqual([]);
  });

  it('labels each case with the injected fault and the scope a diagnosis should name', () => {
    const byInjection: Record<string, string> = { terminal: 'terminal', site: 'site', fleet: 'fleet', host: 'host', card: 'card' };
    for (const c of all) {
      expect(c.label.code).toBe(c.meta.fault);
      expect(c.label.scope).toBe(labelScope(c.meta.fault, c.meta.variant));
      if (c.meta.fault === null) {
        expect(c.label.scope).toBe('terminal');
        expect(c.meta.injectedScope).toBeNull();
        continue;
      }
      expect(c.label.scope, c.case.id).toBe(byInjection[c.meta.injectedScope!]);
      // Ground truth has the fault on the case's terminal, except the one a site outage spared.
      expect(c.meta.terminalAffected, c.case.id).toBe(c.meta.variant !== 'survivor');
      expect(Date.parse(c.case.now)).toBeGreaterThan(Date.parse(c.meta.reachedAt!));
    }
    expect(ofFault('ext.card.expired').every((c) => c.label.scope === 'card')).toBe(true);
    expect(ofFault('op.pin.wrong').every((c) => c.label.scope === 'card')).toBe(true);
    expect(ofFault('net.site.outage').every((c) => c.label.scope === 'site')).toBe(true);
    expect(ofFault('sw.update.regression').every((c) => c.label.scope === 'fleet')).toBe(true);
    expect(ofFault('ext.host.outage').every((c) => c.label.scope === 'host')).toBe(true);
    expect(ofFault('net.dns').some((c) => c.label.scope === 'site') && ofFault('net.dns').some((c) => c.label.scope === 'terminal')).toBe(true);
  });

  it("shows each fault's sign in the part of the case that carries it", () => {
    const missing: string[] = [];
    for (const c of all) {
      if (!c.meta.fault) continue;
      const ev = EVIDENCE[c.meta.fault];
      expect(c.meta.evidence, c.case.id).toBe(true);
      const present = ev.part === 'telemetry' ? !!c.case.telemetry : ev.part === 'site' ? !!c.case.site : ev.part === 'fleet' ? !!c.case.fleet : ev.part === 'card' ? !!c.case.card : true;
      if (present && !ev.shows(c.case, c.meta.variant)) missing.push(`${c.case.id} (${c.meta.variant})`);
    }
    expect(missing).toEqual([]);
  });

  it('contactless reader: the contactless failure counters rise after the fault, more than the chip ones', () => {
    for (const c of ofFault('hw.reader.contactless').filter((x) => x.case.telemetry)) {
      // A sample counts what happened in the five minutes before it.
      const reached = Date.parse(c.meta.reachedAt!) - 5 * 60_000;
      const tally = (after: boolean, kind: 'chip' | 'contactless') =>
        samples(c.case)
          .filter((t) => Date.parse(t.at) >= reached === after)
          .reduce((n, t) => n + (t.reader?.[kind]?.failures ?? 0), 0);
      expect(tally(true, 'contactless'), c.case.id).toBeGreaterThanOrEqual(2);
      expect(tally(true, 'contactless'), c.case.id).toBeGreaterThan(tally(false, 'contactless'));
      expect(tally(true, 'contactless'), c.case.id).toBeGreaterThan(tally(true, 'chip'));
    }
  });

  it('site outage: the site peers on its network are offline; the case terminal is either cut off too or on its own SIM', () => {
    for (const c of ofFault('net.site.outage').filter((x) => x.case.site && x.meta.variant !== 'partial-outage')) {
      const peers = c.case.site!.terminals!;
      const lanPeers = peers.filter((p) => p.connectivity !== 'cellular');
      expect(lanPeers.length, c.case.id).toBeGreaterThanOrEqual(2);
      expect(lanPeers.every((p) => p.status === 'offline'), c.case.id).toBe(true);
      if (c.meta.variant === 'survivor') {
        expect(c.case.terminal.connectivity).toBe('cellular');
        expect(silentMinutes(c.case)).toBeLessThan(5);
      } else {
        expect(c.case.terminal.connectivity).not.toBe('cellular');
        expect(silentMinutes(c.case), c.case.id).toBeGreaterThanOrEqual(10);
      }
    }
  });

  it('partial site outage: a segment of a large site (a switch, a circuit) went dark together, far less than half of it', () => {
    const partial = all.filter((c) => c.meta.variant === 'partial-outage');
    expect(partial.length).toBeGreaterThanOrEqual(3);
    for (const c of partial) {
      const peers = c.case.site!.terminals!;
      const dark = peers.filter((p) => p.status === 'offline');
      expect(peers.length + 1, c.case.id).toBeGreaterThanOrEqual(8);
      expect(dark.length, c.case.id).toBeGreaterThanOrEqual(2);
      expect(peers.some((p) => p.status === 'online' && p.connectivity !== 'cellular'), c.case.id).toBe(true);
      expect(silentMinutes(c.case), c.case.id).toBeGreaterThanOrEqual(10);
      expect(c.label).toEqual({ code: 'net.site.outage', scope: 'site' });
    }
  });

  it('a unit unplugged: a countertop terminal (no battery) silent at once, its peers online', () => {
    const unplugged = all.filter((c) => c.meta.variant === 'unplugged');
    expect(unplugged.length).toBeGreaterThanOrEqual(2);
    for (const c of unplugged) {
      expect(silentMinutes(c.case), c.case.id).toBeGreaterThanOrEqual(10);
      expect((c.case.telemetry ?? []).every((t) => t.battery === undefined), c.case.id).toBe(true);
      expect((c.case.site?.terminals ?? []).every((p) => p.status !== 'offline'), c.case.id).toBe(true);
      expect(c.label).toEqual({ code: 'hw.power.adapter', scope: 'terminal' });
    }
  });

  it('one terminal offline alone: silent while its peers are online', () => {
    const alone = all.filter((c) => c.meta.variant === 'offline-alone');
    expect(alone.length).toBeGreaterThanOrEqual(6);
    for (const c of alone) {
      expect(silentMinutes(c.case), c.case.id).toBeGreaterThanOrEqual(10);
      expect((c.case.site?.terminals ?? []).every((p) => p.status !== 'offline'), c.case.id).toBe(true);
    }
  });

  it('card faults: the card failed here and, unless this is its first stop, at other terminals too, with the right codes', () => {
    const codes: Record<string, (a: { outcome?: string; responseCode?: string; entryMode?: string }) => boolean> = {
      'ext.card.expired': (a) => a.responseCode === '54',
      'ext.issuer.decline': (a) => a.responseCode === '05' || a.responseCode === '51',
      'op.pin.wrong': (a) => a.responseCode === '55' || a.responseCode === '75',
      'ext.card.damaged': (a) => a.entryMode === 'fallback',
    };
    for (const [fault, sign] of Object.entries(codes)) {
      for (const c of ofFault(fault as FaultId)) {
        const token = c.meta.cardToken!;
        expect(token, c.case.id).toMatch(/^tok_/);
        const here = (c.case.transactions ?? []).filter((x) => x.cardToken === token);
        if (c.case.transactions) expect(here.some(sign), c.case.id).toBe(true);
        if (!c.case.card) continue;
        expect(c.case.card.token).toBe(token);
        const elsewhere = new Set(c.case.card.attempts!.filter((a) => sign(a) && a.terminalId !== c.case.terminal.id).map((a) => a.terminalId));
        if (c.meta.variant === 'first-stop') expect(elsewhere.size, c.case.id).toBe(0);
        else expect(elsewhere.size, c.case.id).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('declined card at a terminal whose reader is fine: no reader trouble in its telemetry', () => {
    for (const c of ofFault('ext.issuer.decline').filter((x) => x.case.telemetry)) {
      const attempts = samples(c.case).reduce((n, t) => n + (t.reader?.chip?.attempts ?? 0) + (t.reader?.contactless?.attempts ?? 0), 0);
      const failures = samples(c.case).reduce((n, t) => n + (t.reader?.chip?.failures ?? 0) + (t.reader?.contactless?.failures ?? 0), 0);
      expect(failures / Math.max(1, attempts), c.case.id).toBeLessThan(0.15);
    }
  });

  it('bad release: the terminal took it recently and its version fails far more than the one before', () => {
    for (const c of ofFault('sw.update.regression').filter((x) => x.case.fleet)) {
      const v = c.case.fleet!.sameVersion!;
      expect(c.case.terminal.previousAppVersion).toBeDefined();
      expect(c.case.terminal.appVersion).not.toBe(c.case.terminal.previousAppVersion);
      expect(v.failureRate!, c.case.id).toBeGreaterThan(2 * v.baselineFailureRate!);
      expect(Date.parse(c.case.terminal.updatedAt!)).toBeLessThan(Date.parse(c.case.now));
    }
  });

  it('host outage: the host fails payments at other sites far above its baseline; elsewhere host figures stay low', () => {
    for (const c of ofFault('ext.host.outage').filter((x) => x.case.fleet)) {
      const h = c.case.fleet!.host!;
      expect(h.sites!, c.case.id).toBeGreaterThanOrEqual(3);
      expect(h.hostErrorRate!, c.case.id).toBeGreaterThan(3 * h.baselineHostErrorRate!);
    }
    const others = all.filter((c) => c.meta.fault !== 'ext.host.outage' && c.case.fleet);
    expect(others.filter((c) => (c.case.fleet!.host!.hostErrorRate ?? 0) >= 0.1).map((c) => c.case.id)).toEqual([]);
  });

  it('healthy terminals show none of the hard signs', () => {
    for (const c of ofFault(null)) {
      expect(samples(c.case).every((t) => t.keys?.loaded !== false && t.tamper !== true && t.session?.signedIn !== false && t.network?.connected !== false), c.case.id).toBe(true);
      expect(c.case.fleet!.sameVersion!.failureRate ?? 0, c.case.id).toBeLessThan(0.05);
    }
  });
});

describe('case shape', () => {
  it('thins telemetry to one sample per 5 minutes over the last two hours', () => {
    for (const c of all.filter((x) => x.case.telemetry)) {
      const now = Date.parse(c.case.now);
      const at = samples(c.case).map((t) => Date.parse(t.at));
      expect(at.length, c.case.id).toBeLessThanOrEqual(24);
      expect(at.every((t) => t <= now && t > now - 2 * 3_600_000), c.case.id).toBe(true);
      // One sample per 5-minute window ending at `now` (a window with no sample is left out).
      const windows = at.map((t) => Math.floor((now - t) / 300_000));
      expect(new Set(windows).size, c.case.id).toBe(windows.length);
      expect([...windows].sort((a, b) => b - a), c.case.id).toEqual(windows);
    }
    const full = all.filter((c) => c.case.telemetry && c.meta.variant === 'typical');
    expect(full.filter((c) => c.case.telemetry!.length >= 22).length).toBeGreaterThan(full.length * 0.8);
  });

  it('keeps events and at most 500 transactions of the window, in time order', () => {
    for (const c of all) {
      const now = Date.parse(c.case.now);
      const txns = c.case.transactions ?? [];
      expect(txns.length).toBeLessThanOrEqual(500);
      for (const list of [txns, c.case.events ?? []]) {
        const at = list.map((x) => Date.parse(x.at!));
        expect(at.every((t) => t <= now && t > now - 2 * 3_600_000), c.case.id).toBe(true);
        expect([...at].sort((a, b) => a - b)).toEqual(at);
      }
    }
  });

  it('cuts the case down for the variants: transactions and a report only, or telemetry only', () => {
    for (const c of all.filter((x) => x.meta.variant === 'no-telemetry')) {
      expect(Object.keys(c.case).filter((k) => !['schema', 'id', 'now', 'lang', 'terminal'].includes(k)).sort(), c.case.id).toEqual(expect.arrayContaining(['report']));
      expect(c.case.telemetry ?? c.case.events ?? c.case.site ?? c.case.fleet ?? c.case.card).toBeUndefined();
    }
    for (const c of all.filter((x) => x.meta.variant === 'telemetry-only')) {
      expect(Object.keys(c.case).sort()).toEqual(['id', 'lang', 'now', 'schema', 'telemetry', 'terminal']);
    }
  });

  it('has the hard variants: healthy peers, spared survivor, lone offline terminal, mild, missing parts, healthy terminals', () => {
    const count = (v: string) => all.filter((c) => c.meta.variant === v).length;
    for (const v of ['peers-healthy', 'survivor', 'offline-alone', 'mild', 'no-telemetry', 'telemetry-only', 'site-wide', 'first-stop', 'healthy', 'healthy-report']) expect(count(v), v).toBeGreaterThanOrEqual(3);
    for (const c of all.filter((x) => x.meta.variant === 'peers-healthy')) {
      expect(c.case.site!.terminals!.length).toBeGreaterThanOrEqual(2);
      if (c.meta.fault !== 'ext.host.outage') expect(c.case.site!.terminals!.every((p) => p.status !== 'offline'), c.case.id).toBe(true);
    }
    expect(all.filter((c) => c.meta.variant === 'mild').every((c) => c.meta.severity < 0.5)).toBe(true);
  });

  it('spreads over languages, networks, models, versions and the hours of the day', () => {
    const terminals = all.map((c) => c.case.terminal);
    expect(new Set(all.map((c) => c.case.lang))).toEqual(new Set(['zh-CN', 'en-US']));
    expect(new Set(terminals.map((t) => t.connectivity))).toEqual(new Set(['wifi', 'cellular', 'ethernet']));
    expect(new Set(terminals.map((t) => t.model)).size).toBeGreaterThanOrEqual(7);
    expect(new Set(terminals.map((t) => t.appVersion)).size).toBeGreaterThanOrEqual(4);
    const hours = all.map((c) => Number(c.case.now.slice(11, 13)));
    expect(hours.filter((h) => h === 12 || h === 18 || h === 19).length).toBeGreaterThan(40);
    expect(hours.filter((h) => h >= 15 && h < 17).length).toBeGreaterThan(20);
    expect(hours.filter((h) => h < 7 || h >= 23).length).toBeGreaterThan(10);
  });
});

describe('merchant reports', () => {
  it('come with about half the cases, in the case language', () => {
    const withReport = all.filter((c) => c.case.report);
    expect(withReport.length / all.length).toBeGreaterThan(0.35);
    expect(withReport.length / all.length).toBeLessThan(0.7);
    for (const c of withReport) {
      const text = c.case.report!.text!;
      if (c.case.lang === 'zh-CN') expect(text, c.case.id).toMatch(/[\u4e00-\u9fff]/);
      else expect(text, c.case.id).toMatch(/^[\x20-\x7e’]+$/);
      expect(Date.parse(c.case.report!.at!)).toBeLessThanOrEqual(Date.parse(c.case.now));
      if (c.meta.reachedAt) expect(Date.parse(c.case.report!.at!), c.case.id).toBeGreaterThanOrEqual(Date.parse(c.meta.reachedAt) - 60_000);
    }
  });

  it('describe symptoms, never the cause: no taxonomy code or title', () => {
    for (const c of all.filter((x) => x.case.report)) {
      const text = c.case.report!.text!.toLowerCase();
      for (const cause of TAXONOMY.causes) {
        expect(text, c.case.id).not.toContain(cause.code);
        expect(text, c.case.id).not.toContain(cause.zh.toLowerCase());
        expect(text, c.case.id).not.toContain(cause.en.toLowerCase());
      }
    }
  });

  it('vary: many different texts per fault, some vague', () => {
    const texts = new Set(all.map((c) => c.case.report?.text).filter(Boolean));
    expect(texts.size).toBeGreaterThan(100);
    expect(all.some((c) => /机器老出问题|POS acting up|不太对劲|something is wrong/i.test(c.case.report?.text ?? ''))).toBe(true);
  });
});

describe('determinism', () => {
  it('gives the same cases for a seed, whatever perFault, and different ones for another seed', () => {
    const faults: (FaultId | null)[] = ['hw.reader.chip', 'net.site.outage', 'op.pin.wrong', null];
    const a = labelledCases({ perFault: 2, faults });
    expect(JSON.stringify(labelledCases({ perFault: 2, faults }))).toBe(JSON.stringify(a));
    const fromFull = all.filter((c) => faults.includes(c.meta.fault) && c.meta.index < 2);
    expect(JSON.stringify(a)).toBe(JSON.stringify(fromFull));
    const other = labelledCases({ seed: 7, perFault: 2, faults });
    expect(other.map((c) => c.case.now)).not.toEqual(a.map((c) => c.case.now));
  });
});
