/**
 * Who of a rotation is on call at an instant: members take turns of `shiftDays` days in order,
 * handing over at `handoverTime` on the wall clocks of the rotation's time zone, from `startsOn`.
 * Pure; callers pass the injected clock's now.
 */
import { addDays, zonedInstant } from '../notifications/zonedTime.js';

export interface Rotation {
  timeZone: string;
  handoverTime: string;
  shiftDays: number;
  startsOn: string;
  members: { userId: string; mobile: string | null }[];
}

export interface Shift {
  userId: string;
  mobile: string | null;
  from: Date;
  until: Date;
}

const shiftStart = (r: Rotation, k: number) => zonedInstant(addDays(r.startsOn, k * r.shiftDays), r.handoverTime, r.timeZone);

/** The shift that holds `at` (null before the rotation starts or without members). */
export function shiftAt(r: Rotation, at: Date): Shift | null {
  if (!r.members.length) return null;
  const first = shiftStart(r, 0);
  if (at < first) return null;
  // An estimate from whole days, then stepped to the shift whose hand-overs bracket `at` (DST moves them by an hour).
  let k = Math.floor((at.getTime() - first.getTime()) / (r.shiftDays * 86_400_000));
  while (k > 0 && shiftStart(r, k) > at) k--;
  while (shiftStart(r, k + 1) <= at) k++;
  const m = r.members[k % r.members.length]!;
  return { userId: m.userId, mobile: m.mobile, from: shiftStart(r, k), until: shiftStart(r, k + 1) };
}

/** The shift after the one holding `at` (the next hand-over). */
export function nextShift(r: Rotation, at: Date): Shift | null {
  const now = shiftAt(r, at);
  if (!now) return r.members.length && at < shiftStart(r, 0) ? shiftAt(r, shiftStart(r, 0)) : null;
  return shiftAt(r, now.until);
}
