import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { causeTitle, FAULT_CATEGORIES, FAULT_CAUSES, faultCause, isCauseCode } from './taxonomy.js';
import { sharedFile } from './testing/shared.js';

describe('fault taxonomy', () => {
  it('has unique codes, each in a known category, with a Chinese and an English name', () => {
    const codes = FAULT_CAUSES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of FAULT_CAUSES) {
      expect(Object.keys(FAULT_CATEGORIES), c.code).toContain(c.category);
      expect(c.zh, c.code).not.toBe('');
      expect(c.en, c.code).not.toBe('');
      expect(c.code).toMatch(/^[a-z]+(\.[a-z_]+)+$/);
    }
  });

  it('looks causes up by code and names them in a language', () => {
    expect(isCauseCode('hw.reader.chip')).toBe(true);
    expect(isCauseCode('hw.reader.teleport')).toBe(false);
    expect(faultCause('ext.host.outage').category).toBe('external');
    expect(causeTitle('op.pin.wrong', 'zh-CN')).toBe('密码输入错误');
    expect(causeTitle('op.pin.wrong', 'en-US')).toBe('Wrong PIN entered');
  });

  const contract = sharedFile('contracts/fault-taxonomy.json');
  if (!contract) it.skip('shared taxonomy check: ../shared/contracts/fault-taxonomy.json not found (fresh clone), skipped', () => {});
  else it('contains every code of ../shared/contracts/fault-taxonomy.json (codes may be added, never removed)', () => {
    const shared = JSON.parse(readFileSync(contract, 'utf8')) as { causes: { code: string }[] };
    const missing = shared.causes.map((c) => c.code).filter((code) => !isCauseCode(code));
    expect(missing).toEqual([]);
  });
});
