import { describe, expect, it } from 'vitest';
import { CODES_ERROR_MESSAGES, CODES_ERROR_WORDS, CodesError, isCodesError } from './errors.js';

describe('CodesError', () => {
  it('carries a stable id and params, with the English message as err.message', () => {
    const e = new CodesError('iso8583.field_format', { field: 13, reason: 'not a valid MMDD date/time', value: '9099' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CodesError');
    expect(e.id).toBe('iso8583.field_format');
    expect(e.params.field).toBe(13);
    expect(e.message).toBe('Field 13 is malformed: not a valid MMDD date/time (value: 9099)');
  });

  it('renders the same error in Chinese with messageIn', () => {
    const e = new CodesError('iso8583.missing_field', { mti: '0420', field: 32, fields: [32] });
    expect(e.messageIn('zh-CN')).toBe('0420报文缺少必备的第32域（缺少：32）');
    expect(e.messageIn('en-US')).toBe(e.message);
    expect(e.messageIn('zh')).toBe(e.messageIn('zh-CN'));
  });

  it('has a message in both languages for every id, naming the same parameters', () => {
    for (const [id, m] of Object.entries(CODES_ERROR_MESSAGES)) {
      expect(m.zh, id).not.toBe('');
      expect(m.en, id).not.toBe('');
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
      expect(names(m.zh), id).toEqual(names(m.en));
    }
  });

  it('renders reason words in the message language, so a Chinese message has no English in it', () => {
    const e = new CodesError('emv.tlv_invalid', { offset: 4, reason: 'value_past_end', tag: '95', declared: 5, left: 2 });
    expect(e.message).toBe('EMV TLV data cannot be parsed at offset 4: tag 95 declares 5 bytes, 2 left');
    expect(e.messageIn('zh-CN')).toBe('EMV TLV数据在偏移4处无法解析：标签95声明5字节，只剩2字节');
  });

  it('has every reason word in both languages, naming the same parameters', () => {
    for (const [word, m] of Object.entries(CODES_ERROR_WORDS)) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
      expect(m.zh, word).toMatch(/[\u4e00-\u9fff]|^[^A-Za-z]*$/);
      expect(names(m.zh), word).toEqual(names(m.en));
    }
  });

  it('is recognised by isCodesError, optionally by id', () => {
    const e = new CodesError('emv.not_hex', { what: 'TVR', value: 'zz' });
    expect(isCodesError(e)).toBe(true);
    expect(isCodesError(e, 'emv.not_hex')).toBe(true);
    expect(isCodesError(e, 'emv.wrong_length')).toBe(false);
    expect(isCodesError(new Error('x'))).toBe(false);
  });
});
