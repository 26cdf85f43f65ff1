/**
 * Conformance with ../shared/testdata/emv/tvr-tsi-cases.json (EMV Book 3 Annex C). Skipped, with
 * one line saying so, where ../shared is absent; emv.test.ts covers the same behaviour on its own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTsi, decodeTvr, TSI_BITS, TVR_BITS } from './emv.js';
import { CodesError } from './errors.js';
import { sharedFile } from './testing/shared.js';

interface Case {
  tvr?: string;
  tsi?: string;
  bits?: string[];
  rfu?: string[];
  error?: string;
}
interface CasesFile {
  tvr_bits: Record<string, string>;
  tsi_bits: Record<string, string>;
  cases: Case[];
}

const path = sharedFile('testdata/emv/tvr-tsi-cases.json');
const data: CasesFile | undefined = path ? (JSON.parse(readFileSync(path, 'utf8')) as CasesFile) : undefined;

if (!data) it.skip('EMV TVR/TSI conformance: ../shared/testdata/emv/tvr-tsi-cases.json not found (fresh clone), skipped', () => {});
else describe('EMV TVR/TSI conformance (../shared/testdata/emv/tvr-tsi-cases.json)', () => {
  const file = data;

  it('defines exactly the TVR bits the reference lists, with the same English meaning', () => {
    expect(Object.fromEntries(TVR_BITS.map((b) => [b.bit, b.en]))).toEqual(file.tvr_bits);
  });

  it('defines exactly the TSI bits the reference lists, with the same English meaning', () => {
    expect(Object.fromEntries(TSI_BITS.map((b) => [b.bit, b.en]))).toEqual(file.tsi_bits);
  });

  for (const c of file.cases) {
    const input = (c.tvr ?? c.tsi) as string;
    const decode = c.tvr !== undefined ? decodeTvr : decodeTsi;
    const label = `${c.tvr !== undefined ? 'TVR' : 'TSI'} ${input}`;
    if (c.error) {
      it(`${label} is rejected: ${c.error}`, () => {
        let err: unknown;
        try {
          decode(input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CodesError);
        expect((err as CodesError).message.toLowerCase()).toContain(c.error);
      });
    } else {
      it(`${label} decodes to [${(c.bits ?? []).join(', ')}]${c.rfu ? ` with rfu [${c.rfu.join(', ')}]` : ''}`, () => {
        const d = decode(input);
        expect(d.bits.map((b) => b.bit)).toEqual(c.bits);
        expect(d.rfu).toEqual(c.rfu ?? []);
      });
    }
  }
});
