import { describe, expect, it } from 'vitest';
import type { CaseTelemetry, CaseTransaction, DiagnosisCaseInput } from '@poscare/contracts';
import { diagnose } from './engine.js';
import { extractFeatures } from './features.js';
import { parseCase } from './engine.js';
import { healthySample, NOW } from './testing/fixtures.js';

/**
 * A terminal that has sent nothing for longer than it should. Its case still holds the payments and
 * the card history from before it went quiet: one card declined three times with 05. The diagnosis
 * must come from the silence, never from those.
 */
const NOW_MS = Date.parse(NOW);
const ago = (min: number) => new Date(NOW_MS - min * 60_000).toISOString();

function silentCase(o: { silentMin: number; sample?: (s: CaseTelemetry) => CaseTelemetry; peers?: { offlineAgo: number[]; online: number }; lang?: 'zh-CN' | 'en-US' }): DiagnosisCaseInput {
  const n = 24;
  const telemetry = Array.from({ length: n }, (_, i) => {
    const s = healthySample(i, n);
    // healthySample's last sample is 5 minutes old: shift so the last one is `silentMin` old.
    const shifted = { ...s, at: new Date(Date.parse(s.at) - (o.silentMin - 5) * 60_000).toISOString() };
    return o.sample ? o.sample(shifted) : shifted;
  });
  const transactions: CaseTransaction[] = Array.from({ length: 12 }, (_, i) => {
    const declined = i % 4 === 0;
    return { at: ago(o.silentMin + 5 + i * 4), entryMode: 'chip', outcome: declined ? 'declined' : 'approved', responseCode: declined ? '05' : '00', cardToken: declined ? 'tok-A' : `tok-${i}`, amountMinor: 5800 };
  });
  return {
    schema: 'poscare.diagnosis-case/v1',
    id: 'silent',
    now: NOW,
    lang: o.lang ?? 'en-US',
    terminal: { id: 'T-1', connectivity: 'ethernet', siteId: 'S-1' },
    telemetry,
    transactions,
    card: { token: 'tok-A', attempts: [{ terminalId: 'T-9', outcome: 'declined', responseCode: '05' }, { terminalId: 'T-1', outcome: 'declined', responseCode: '05' }] },
    ...(o.peers
      ? {
          site: {
            terminals: [
              ...o.peers.offlineAgo.map((m, i) => ({ id: `P-off-${i}`, status: 'offline' as const, lastSeenAt: ago(m), connectivity: 'ethernet' as const })),
              ...Array.from({ length: o.peers.online }, (_, i) => ({ id: `P-on-${i}`, status: 'online' as const, lastSeenAt: ago(1), connectivity: 'ethernet' as const })),
            ],
          },
        }
      : {}),
  };
}

const top = (c: DiagnosisCaseInput) => diagnose(c).causes[0]?.code;

describe('a silent terminal is diagnosed from its silence first', () => {
  it('nine of 24 terminals gone quiet within minutes of each other is one site problem, whatever share of the site they are', () => {
    const r = diagnose(silentCase({ silentMin: 25, peers: { offlineAgo: [24, 26, 27, 25, 28, 23, 26, 29], online: 15 } }));
    expect(r.causes[0]!.code).toBe('net.site.outage');
    expect(r.scope).toBe('site');
    expect(r.causes[0]!.evidence[0]!.detail).toMatch(/8 other terminals of the site went silent within 10 minutes/);
  });

  it('three of a large site is enough, and two when the site is small', () => {
    expect(top(silentCase({ silentMin: 20, peers: { offlineAgo: [21, 19], online: 20 } }))).toBe('net.site.outage');
    expect(top(silentCase({ silentMin: 20, peers: { offlineAgo: [22], online: 1 } }))).toBe('net.site.outage');
  });

  it('never names the card or the old payments, however they looked', () => {
    for (const peers of [undefined, { offlineAgo: [], online: 3 }, { offlineAgo: [30, 31], online: 10 }]) {
      const codes = diagnose(silentCase({ silentMin: 30, ...(peers ? { peers } : {}) })).causes.map((c) => c.code);
      expect(codes.filter((c) => c.startsWith('ext.') || c.startsWith('op.pin'))).toEqual([]);
    }
  });

  it('a countertop unit that went dark alone with nothing wrong before is a power problem', () => {
    const countertop = (s: CaseTelemetry): CaseTelemetry => {
      const { battery: _b, ...rest } = s;
      return { ...rest, power: { source: 'mains' } };
    };
    expect(top(silentCase({ silentMin: 25, sample: countertop, peers: { offlineAgo: [], online: 4 } }))).toBe('hw.power.adapter');
  });

  it('a hand-held whose battery was running out before it went quiet is a flat battery', () => {
    const draining = (s: CaseTelemetry): CaseTelemetry => ({ ...s, battery: { pct: 9, charging: false, healthPct: 90 }, power: { source: 'battery' }, network: { ...s.network, type: 'cellular' } });
    const r = diagnose(silentCase({ silentMin: 25, sample: draining, peers: { offlineAgo: [], online: 2 } }));
    expect(r.causes[0]!.code).toBe('hw.battery.depleted');
    // Its last readings are quoted as stale, with the silence's age.
    expect(r.causes[0]!.evidence.map((e) => e.detail).join(' ')).toMatch(/Silent for 25 minutes; its last reading before that \(stale\): battery at 9%/);
  });

  it('a terminal still reporting is judged as before: the declined card is the card', () => {
    expect(top(silentCase({ silentMin: 1, peers: { offlineAgo: [], online: 3 } }))).toBe('ext.issuer.decline');
  });

  it('knows which peers went quiet together and which were dark long before', () => {
    const f = extractFeatures(parseCase(silentCase({ silentMin: 20, peers: { offlineAgo: [22, 18, 200], online: 5 } })));
    expect(f.get('silent')).toBe(1);
    expect(f.get('silence.peersTogether')).toBe(2);
  });
});
