/**
 * The sign each fault leaves in a case, as a person reading the case would look for it: the contactless
 * counters failing, the printer saying paper_low, the site's peers offline, the version failing more
 * than the one before it, the card refused at other terminals. Generation keeps a case only once its
 * sign is there (a merchant calls about what they see), and the tests check every case for it.
 */
import type { CaseTelemetry, DiagnosisCaseInput } from '@poscare/contracts';
import type { FaultId } from '../faults/ids.js';

/** The part of a case that carries the sign. */
export type EvidencePart = 'telemetry' | 'site' | 'fleet' | 'card' | 'none';

export interface Evidence {
  part: EvidencePart;
  shows(c: DiagnosisCaseInput, variant: string): boolean;
}

const samples = (c: DiagnosisCaseInput): CaseTelemetry[] => c.telemetry ?? [];
const anySample = (c: DiagnosisCaseInput, pred: (t: CaseTelemetry) => boolean) => samples(c).some(pred);
const total = (c: DiagnosisCaseInput, f: (t: CaseTelemetry) => number | undefined) => samples(c).reduce((n, t) => n + (f(t) ?? 0), 0);

/** Minutes between the last sample the platform has and the case's moment. */
export function silentMinutes(c: DiagnosisCaseInput): number {
  const last = samples(c).at(-1);
  return last ? (Date.parse(c.now) - Date.parse(last.at)) / 60_000 : Infinity;
}

const inTelemetry = (shows: (c: DiagnosisCaseInput) => boolean): Evidence => ({ part: 'telemetry', shows });

/** Few people swipe, so two failed swipes already stand out; taps and chip reads need three. */
function reader(kind: 'chip' | 'contactless' | 'magstripe', minFailures: number): Evidence {
  return inTelemetry((c) => {
    const attempts = total(c, (t) => t.reader?.[kind]?.attempts);
    const failures = total(c, (t) => t.reader?.[kind]?.failures);
    return failures >= minFailures && failures / Math.max(1, attempts) >= 0.1;
  });
}

/** The problem card was refused, unreadable or pushed to the stripe at this terminal. */
const cardTrouble: Evidence = {
  part: 'card',
  shows: (c) => (c.card?.attempts ?? []).some((a) => a.terminalId === c.terminal.id && (a.outcome !== 'approved' || a.entryMode === 'fallback')),
};

export const EVIDENCE: Record<FaultId | 'healthy', Evidence> = {
  'hw.reader.chip': reader('chip', 3),
  'hw.reader.contactless': reader('contactless', 3),
  'hw.reader.magstripe': reader('magstripe', 2),
  'hw.printer.paper_out': inTelemetry((c) => anySample(c, (t) => t.printer?.status === 'paper_low' || t.printer?.status === 'paper_out')),
  'hw.printer.jam': inTelemetry((c) => anySample(c, (t) => t.printer?.status === 'jam')),
  'hw.printer.fault': inTelemetry((c) => anySample(c, (t) => t.printer?.status === 'fault')),
  'hw.battery.degraded': inTelemetry((c) => anySample(c, (t) => (t.battery?.healthPct ?? 100) < 75)),
  'hw.battery.depleted': {
    part: 'telemetry',
    shows: (c, variant) =>
      anySample(c, (t) => (t.battery?.pct ?? 100) < 35 && t.battery?.charging === false) && (variant !== 'offline-alone' || silentMinutes(c) >= 10),
  },
  'hw.power.adapter': {
    part: 'telemetry',
    shows: (c, variant) =>
      variant === 'unplugged'
        ? silentMinutes(c) >= 10
        : anySample(c, (t) => t.power?.source === 'mains' && t.battery?.charging === false && (t.battery?.pct ?? 100) < 99.5),
  },
  'env.temperature': inTelemetry((c) => anySample(c, (t) => (t.tempC ?? 0) >= 55)),
  'env.humidity': inTelemetry((c) => anySample(c, (t) => (t.humidityPct ?? 0) >= 86)),
  'env.power.unstable': inTelemetry((c) => anySample(c, (t) => t.power?.mainsVoltage !== undefined && Math.abs(t.power.mainsVoltage - 220) > 12)),
  'net.signal.weak': inTelemetry((c) => anySample(c, (t) => t.network?.signalDbm !== undefined && t.network.signalDbm <= (t.network.type === 'cellular' ? -100 : -75))),
  'net.site.outage': { part: 'site', shows: (c) => (c.site?.terminals ?? []).some((p) => p.status === 'offline') },
  'net.dns': inTelemetry((c) => anySample(c, (t) => t.network?.dnsOk === false)),
  'net.firewall': inTelemetry((c) => anySample(c, (t) => t.network?.connected === true && t.network.dnsOk !== false && t.network.hostReachable === false)),
  'net.latency': inTelemetry((c) => anySample(c, (t) => (t.network?.latencyMs ?? 0) > 350)),
  'net.sim': inTelemetry((c) => anySample(c, (t) => !!t.network?.simState && t.network.simState !== 'ready') || silentMinutes(c) >= 10),
  'net.ip_conflict': inTelemetry((c) => anySample(c, (t) => t.network?.ipConflict === true)),
  'sw.app.crash': inTelemetry((c) => total(c, (t) => t.app?.crashes) >= 3),
  'sw.update.regression': {
    part: 'fleet',
    shows: (c) => {
      const v = c.fleet?.sameVersion;
      return !!c.terminal.previousAppVersion && !!v && (v.failureRate ?? 0) >= 0.04 && (v.failureRate ?? 0) >= 2 * (v.baselineFailureRate ?? 0);
    },
  },
  'sw.keys.missing': inTelemetry((c) => anySample(c, (t) => t.keys?.loaded === false)),
  'sw.clock.skew': inTelemetry((c) => anySample(c, (t) => Math.abs(t.clockSkewS ?? 0) > 300)),
  'sw.storage.full': inTelemetry((c) => anySample(c, (t) => !!t.storage?.totalMb && (t.storage.freeMb ?? Infinity) / t.storage.totalMb < 0.05)),
  'ext.host.outage': {
    part: 'fleet',
    shows: (c) => {
      const h = c.fleet?.host;
      return !!h && (h.hostErrorRate ?? 0) >= 0.1 && (h.hostErrorRate ?? 0) >= 3 * (h.baselineHostErrorRate ?? 0);
    },
  },
  'ext.card.expired': cardTrouble,
  'ext.card.damaged': cardTrouble,
  'ext.issuer.decline': cardTrouble,
  'op.pin.wrong': cardTrouble,
  'op.not_signed_in': inTelemetry((c) => anySample(c, (t) => t.session?.signedIn === false)),
  'op.settlement.overdue': inTelemetry((c) => anySample(c, (t) => !!t.batch?.capacity && (t.batch.count ?? 0) >= 0.9 * t.batch.capacity)),
  'sec.tamper': inTelemetry((c) => anySample(c, (t) => t.tamper === true)),
  healthy: { part: 'none', shows: () => true },
};
