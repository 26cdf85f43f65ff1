/** Reading a dispute file's cells: amounts in yuan and the ways people and spreadsheets write days and times. */
import { describe, expect, it } from 'vitest';
import { parseWhen, parseYuan } from './importFile.js';

describe('amounts in yuan', () => {
  it('reads what people type and refuses what is not an amount', () => {
    expect([parseYuan('88'), parseYuan('88.5'), parseYuan('1,234.56'), parseYuan('¥ 88.00'), parseYuan('CNY12')]).toEqual([8800, 8850, 123456, 8800, 1200]);
    expect([parseYuan('abc'), parseYuan('1.234'), parseYuan('-5'), parseYuan('')]).toEqual([null, null, null, null]);
  });
});

describe('days and times', () => {
  it('reads a day as written in the report time zone, in the usual spellings', () => {
    for (const s of ['2026-02-27', '2026/2/27', '20260227', '2026.02.27']) expect(parseWhen(s), s).toMatchObject({ day: '2026-02-27', hasTime: false, at: new Date('2026-02-27T00:00:00+08:00') });
  });

  it('reads a wall-clock time in the report time zone and an ISO instant with its offset', () => {
    expect(parseWhen('2026-02-27 14:05')).toMatchObject({ day: '2026-02-27', hasTime: true, at: new Date('2026-02-27T14:05:00+08:00') });
    // 23:30 UTC is already the next day in Shanghai.
    expect(parseWhen('2026-02-27T23:30:00Z')).toMatchObject({ day: '2026-02-28', at: new Date('2026-02-27T23:30:00Z') });
  });

  it('reads an XLSX date cell as the wall clock the sheet shows, whatever the server time zone printed', () => {
    expect(parseWhen('Fri Feb 27 2026 14:05:00 GMT+0000 (Coordinated Universal Time)')).toMatchObject({ day: '2026-02-27', hasTime: true, at: new Date('2026-02-27T14:05:00+08:00') });
    expect(parseWhen('Fri Feb 27 2026 22:05:00 GMT+0800 (China Standard Time)')).toMatchObject({ day: '2026-02-27', at: new Date('2026-02-27T14:05:00+08:00') });
    expect(parseWhen('Fri Feb 27 2026 08:00:00 GMT+0800 (China Standard Time)')).toMatchObject({ day: '2026-02-27', hasTime: false });
  });

  it('refuses days that do not exist and text that is no date', () => {
    for (const s of ['2026-02-30', '2026-13-01', '2026-02-27 25:00', 'yesterday', '27/02/2026']) expect(parseWhen(s), s).toBeNull();
  });
});
