import { describe, expect, it } from 'vitest';
import { inQuietHours, quietHoursEnd } from '../notifications/zonedTime.js';
import { nextShift, shiftAt, type Rotation } from './rotation.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const weekly: Rotation = { timeZone: 'Asia/Shanghai', handoverTime: '09:00', shiftDays: 7, startsOn: '2026-12-07', members: [A, B, C].map((userId) => ({ userId, mobile: null })) };

describe('on-call rotation', () => {
  it('hands over at 09:00 China time, not at midnight or 09:00 UTC', () => {
    // 2026-12-14 08:59 in Shanghai is 00:59 UTC: still the first week's person.
    expect(shiftAt(weekly, new Date('2026-12-14T00:59:00Z'))?.userId).toBe(A);
    expect(shiftAt(weekly, new Date('2026-12-14T01:00:00Z'))?.userId).toBe(B);
  });
  it('goes round the members in order and starts again', () => {
    expect(shiftAt(weekly, new Date('2026-12-22T03:00:00Z'))?.userId).toBe(C);
    expect(shiftAt(weekly, new Date('2026-12-29T03:00:00Z'))?.userId).toBe(A);
  });
  it('names nobody before the first shift, and gives the next hand-over', () => {
    expect(shiftAt(weekly, new Date('2026-12-07T00:00:00Z'))).toBeNull();
    const next = nextShift(weekly, new Date('2026-12-10T00:00:00Z'))!;
    expect(next.userId).toBe(B);
    expect(next.from.toISOString()).toBe('2026-12-14T01:00:00.000Z');
  });
  it('keeps the wall-clock hand-over across a daylight-saving change (Europe/Berlin)', () => {
    const daily: Rotation = { ...weekly, timeZone: 'Europe/Berlin', shiftDays: 1, startsOn: '2026-03-27' };
    // 29 March 2026 clocks go forward: 09:00 Berlin is 08:00 UTC before, 07:00 UTC after.
    expect(shiftAt(daily, new Date('2026-03-28T08:00:00Z'))?.from.toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(shiftAt(daily, new Date('2026-03-29T07:00:00Z'))?.from.toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });
});

describe('quiet hours', () => {
  const q = { start: '22:00', end: '07:30', timeZone: 'Asia/Shanghai' };
  it('run past midnight in the person’s time zone', () => {
    expect(inQuietHours(q, new Date('2026-12-07T13:59:00Z'))).toBe(false); // 21:59 Shanghai
    expect(inQuietHours(q, new Date('2026-12-07T14:00:00Z'))).toBe(true); // 22:00
    expect(inQuietHours(q, new Date('2026-12-07T23:29:00Z'))).toBe(true); // 07:29 next day
    expect(inQuietHours(q, new Date('2026-12-07T23:30:00Z'))).toBe(false);
  });
  it('end at the next local end time, which the morning summary waits for', () => {
    expect(quietHoursEnd(q, new Date('2026-12-07T15:00:00Z')).toISOString()).toBe('2026-12-07T23:30:00.000Z');
    expect(quietHoursEnd(q, new Date('2026-12-07T22:00:00Z')).toISOString()).toBe('2026-12-07T23:30:00.000Z');
  });
});
