import { describe, expect, it } from 'vitest';
import { parseIso8583, packIso8583 } from './parse.js';
import { ISO8583_1987 } from './spec.js';
import { describeMti, summariseIso8583 } from './summary.js';

describe('describeMti', () => {
  it.each([
    ['0100', 'authorization', 'request', 'acquirer', false],
    ['0110', 'authorization', 'response', 'acquirer', false],
    ['0200', 'financial', 'request', 'acquirer', false],
    ['0210', 'financial', 'response', 'acquirer', false],
    ['0220', 'financial', 'advice', 'acquirer', false],
    ['0400', 'reversal', 'request', 'acquirer', false],
    ['0401', 'reversal', 'request', 'acquirer', true],
    ['0420', 'reversal', 'advice', 'acquirer', false],
    ['0421', 'reversal', 'advice', 'acquirer', true],
    ['0430', 'reversal', 'advice_response', 'acquirer', false],
    ['0800', 'network_management', 'request', 'acquirer', false],
    ['0810', 'network_management', 'response', 'acquirer', false],
    ['0502', 'reconciliation', 'request', 'issuer', false],
  ])('reads %s as %s %s from the %s (repeat: %s)', (mti, cls, fn, origin, repeat) => {
    expect(describeMti(mti)).toMatchObject({ mti, version: '1987', class: cls, function: fn, origin, repeat });
  });

  it('describes the message type in both languages', () => {
    expect(describeMti('0421')).toMatchObject({ zh: '冲正通知（重发）', en: 'reversal advice (repeat)' });
    expect(describeMti('1100').version).toBe('1993');
  });
});

const PAN = '6222021234567890123';

function declinedChipSale(tvr: string, responseCode: string) {
  return parseIso8583(
    packIso8583(
      {
        mti: '0210',
        fields: {
          2: PAN,
          3: '000000',
          4: '000000005800',
          11: '000123',
          22: '051',
          35: `${PAN}=28121010000000000`,
          37: '000000115604',
          39: responseCode,
          41: 'T0000001',
          42: '102100058120001',
          49: '156',
          55: `5A0A${PAN}F9F2701009505${tvr}9B02E800`,
        },
      },
      ISO8583_1987,
    ),
    ISO8583_1987,
  );
}

describe('summariseIso8583', () => {
  it('brings message class, entry mode, response code, TVR and TSI together', () => {
    const s = summariseIso8583(declinedChipSale('0000200000', '55'));
    expect(s.mti).toMatchObject({ class: 'financial', function: 'response' });
    expect(s.entryMode).toMatchObject({ pan: 'chip', pin: 'capable' });
    expect(s.responseCode).toMatchObject({ known: true, code: '55', action: 'retry' });
    expect(s.icc?.tvr?.bits.map((b) => b.bit)).toEqual(['3.6']);
    expect(s.icc?.tsi?.bits.map((b) => b.bit)).toEqual(['1.8', '1.7', '1.6', '1.4']);
    expect(s.amount).toEqual({ minor: 5800, currency: '156' });
    expect(s).toMatchObject({ stan: '000123', rrn: '000000115604', terminalId: 'T0000001', merchantId: '102100058120001' });
    expect(s.problems).toEqual([]);
  });

  it('merges hints from all sources, strongest weight per cause, saying where each came from', () => {
    const s = summariseIso8583(declinedChipSale('0000200000', '55'));
    expect(s.hints[0]).toEqual({ code: 'op.pin.wrong', weight: 0.9, from: ['39', '55/95'] });
  });

  it('never copies card data: no PAN, track or card-data EMV tag value', () => {
    const s = summariseIso8583(declinedChipSale('0000000000', '00'));
    const text = JSON.stringify(s);
    expect(text).not.toContain('1234567890');
    const panTag = s.icc?.tags.find((t) => t.tag === '5A');
    expect(panTag).toMatchObject({ tag: '5A', length: 10, en: 'Application PAN' });
    expect(panTag?.value).toBeUndefined();
    expect(s.icc?.tags.find((t) => t.tag === '9F27')?.value).toBe('00');
  });

  it('lists an unreadable field 55 or field 22 as a problem instead of throwing', () => {
    // ICC data sent as ASCII digits that are not TLV, as in moov-io's reversal samples.
    const s = summariseIso8583({ mti: '0400', fields: { 22: '5X1', 39: '96', 55: '003317000394809080646510000000' } });
    expect(s.problems.map((p) => [p.field, p.id])).toEqual([
      [22, 'pos_entry.invalid'],
      [55, 'emv.tlv_invalid'],
    ]);
    expect(s.icc?.error?.id).toBe('emv.tlv_invalid');
    expect(s.problems[1]?.zh).toContain('无法解析');
    expect(s.hints).toEqual([{ code: 'ext.host.outage', weight: 0.9, from: ['39'] }]);
  });

  it('accepts a bare field map with the MTI in field 0, and says so when a response code is unknown', () => {
    const s = summariseIso8583({ 0: '0110', 39: 'Q7' });
    expect(s.mti?.class).toBe('authorization');
    expect(s.responseCode).toMatchObject({ known: false, en: 'Unknown response code Q7' });
    expect(s.hints).toEqual([]);
  });

  it('hints a fallback entry at the chip reader and the card', () => {
    const s = summariseIso8583({ mti: '0200', fields: { 22: '801' } });
    expect(s.hints.map((h) => h.code)).toEqual(expect.arrayContaining(['hw.reader.chip', 'ext.card.damaged']));
  });
});
