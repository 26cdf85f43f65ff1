import { describe, expect, it } from 'vitest';
import { readableSummary } from './wording.js';

const merchant = '0fc47685-d452-4bf7-a37d-c68cb4357b7e';
const terminal = '5b0e3a57-8d7e-4c4e-9a53-2f4d3b8c1e11';

describe('a finding summary as people read it', () => {
  it('names the merchant and the terminal and gives times in the reporting time zone, not ids and UTC instants', () => {
    const zh = `疑似测卡：商户 ${merchant} 在 2026-12-07T12:24:04.969Z 至 2026-12-07T12:30:02.201Z 间有 20 笔小额尝试，多张卡且大多未获批准。`;
    expect(readableSummary(zh, { merchantId: merchant, merchantName: '美宜佳', terminalId: null })).toBe(
      '疑似测卡：商户 美宜佳 在 2026-12-07 20:24 至 2026-12-07 20:30 间有 20 笔小额尝试，多张卡且大多未获批准。',
    );
    const en = `Charged twice: 2 approved sales of the same amount with one card at terminal ${terminal}, each within 10 minutes of the one before; ¥88.00 charged too much.`;
    expect(readableSummary(en, { merchantId: merchant, merchantName: 'FamilyMart', terminalId: terminal, terminalLabel: 'PAA9209355D914' })).toContain('at terminal PAA9209355D914,');
  });

  it('leaves the text as it is when a name is unknown', () => {
    const text = `Off-hours sale: merchant ${merchant} took ¥5,000.00 at 2026-12-07T18:00:00Z`;
    expect(readableSummary(text, { merchantId: merchant, merchantName: null, terminalId: null })).toBe(`Off-hours sale: merchant ${merchant} took ¥5,000.00 at 2026-12-08 02:00`);
  });
});
