import { describe, expect, it } from 'vitest';
import { HEALTH_REASONS } from '@poscare/contracts';
import { assessHealth, HEALTH_RULES, liveHealth } from './health.js';

describe('terminal health rules', () => {
  it('cover every reason the console knows, in the same order, and no other', () => {
    expect(HEALTH_RULES.map((r) => r.reason)).toEqual([...HEALTH_REASONS]);
  });

  it('call a healthy sample ok, a low paper roll degraded, and tamper or an empty printer critical', () => {
    expect(assessHealth({ battery: { pct: 80 }, printer: { status: 'ok' }, network: { connected: true } })).toEqual({ health: 'ok', reasons: [] });
    expect(assessHealth({ printer: { status: 'paper_low' } })).toEqual({ health: 'degraded', reasons: ['paper_low'] });
    expect(assessHealth({ printer: { status: 'paper_out' }, tamper: true })).toEqual({ health: 'critical', reasons: ['tamper', 'printer_fault'] });
  });

  it('judge a reader only once it has been tried a few times', () => {
    expect(assessHealth({ reader: { chip: { attempts: 2, failures: 2 } } }).reasons).toEqual([]);
    expect(assessHealth({ reader: { chip: { attempts: 10, failures: 2 } } }).reasons).toEqual(['chip_reader_failing']);
    expect(assessHealth({ reader: { chip: { attempts: 10, failures: 1 } } }).reasons).toEqual([]);
  });

  it('warn about a weak signal only on cellular, and about a battery only when not charging', () => {
    expect(assessHealth({ network: { type: 'wifi', signalDbm: -110 } }).reasons).toEqual([]);
    expect(assessHealth({ network: { type: 'cellular', signalDbm: -110 } }).reasons).toEqual(['weak_signal']);
    expect(assessHealth({ battery: { pct: 5, charging: true } }).reasons).toEqual([]);
    expect(assessHealth({ battery: { pct: 5, charging: false } }).reasons).toEqual(['battery_low']);
  });
});

describe('live health', () => {
  const now = new Date('2026-12-07T10:30:00Z');
  const stored = { health: 'ok', reasons: [], lastSeenAt: new Date('2026-12-07T10:05:00Z'), lastTelemetryAt: new Date('2026-12-07T10:04:30Z') };

  it('never calls an offline terminal ok: health unknown, offline since its last message, the stale readings apart with their age', () => {
    expect(liveHealth(stored, now)).toEqual({
      status: 'offline',
      health: 'unknown',
      healthReasons: [],
      offlineSince: '2026-12-07T10:05:00.000Z',
      readingsAgeMinutes: 25,
      lastReadings: { health: 'ok', reasons: [] },
    });
  });

  it('judges a reporting terminal by its latest sample, status and health alike', () => {
    const r = liveHealth({ ...stored, health: 'degraded', reasons: ['paper_low'], lastSeenAt: new Date('2026-12-07T10:29:30Z') }, now);
    expect(r).toMatchObject({ status: 'degraded', health: 'degraded', healthReasons: ['paper_low'], offlineSince: null, lastReadings: null });
  });
});
