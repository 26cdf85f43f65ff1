import { describe, expect, it } from 'vitest';
import { csvLine, csvSafe } from './csv.js';

describe('CSV cells a spreadsheet cannot run', () => {
  it('prefixes a single quote to text starting with = + - @ tab or CR', () => {
    for (const s of ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(csvSafe(s), JSON.stringify(s)).toBe(`'${s}`);
  });

  it('leaves other text and every number alone, so a negative figure stays a number', () => {
    for (const s of ['华联超市', 'Blue Cafe', 'a=b', ' =not a formula', '', "'quoted"]) expect(csvSafe(s)).toBe(s);
    expect(csvSafe(-3.5)).toBe(-3.5);
    expect(csvSafe(null)).toBe(null);
  });

  it('writes a line with RFC 4180 quoting after making each cell safe', () => {
    expect(csvLine(['=HYPERLINK("http://evil.example","x")', -2, 'a,b', null])).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")",-2,"a,b",`);
  });
});
