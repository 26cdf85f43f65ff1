import { describe, expect, it } from 'vitest';
import { containsCardData, findCardData, nestingDepth, stringHasCardData } from './cardData.js';

const VISA = '4111111111111111';
const UNIONPAY = '6212345678901232'; // Luhn-valid, UnionPay range
const AMEX = '378282246310005';

describe('card numbers are found however they are written', () => {
  const disguises: [string, string][] = [
    ['plain', VISA],
    ['UnionPay', UNIONPAY],
    ['Amex 4-6-5', '3782 822463 10005'],
    ['spaces', '4111 1111 1111 1111'],
    ['dashes', '4111-1111-1111-1111'],
    ['dots', '4111.1111.1111.1111'],
    ['double spaces', '4111  1111  1111  1111'],
    ['tabs', '4111\t1111\t1111\t1111'],
    ['newlines', '4111\n1111\r\n1111\n1111'],
    ['slashes', '4111/1111/1111/1111'],
    ['mixed separators', '4111 - 1111.1111/1111'],
    ['non-breaking spaces', '4111\u00a01111\u00a01111\u00a01111'],
    ['zero-width spaces', '4111\u200b1111\u200b1111\u200b1111'],
    ['soft hyphens', '4111\u00ad1111\u00ad1111\u00ad1111'],
    ['full-width digits', '４１１１１１１１１１１１１１１１'],
    ['full-width with ideographic spaces', '６２１２\u3000３４５６\u3000７８９０\u3000１２３２'],
    ['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
    ['inside a sentence', `客户卡号是${VISA}，请退款`],
    ['right after a word', `PAN${VISA}`],
    ['followed by its expiry', '4111 1111 1111 1111 12/28'],
    ['after an order number', 'order 20261207 4111 1111 1111 1111'],
    ['in groups of one', '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
    ['track 1', '%B4111111111111111^DOE/JOHN^2812101000000000?'],
    ['track 2', ';4111111111111111=28121010000000000?'],
    ['track 2 without sentinels', '4111111111111111=2812101'],
    ['track 2 equivalent (EMV 57)', '4111111111111111D28121010000000000F'],
  ];
  for (const [name, s] of disguises) it(`finds ${name}`, () => expect(stringHasCardData(s), s).toBe(true));
});

describe('what is not a card number is left alone', () => {
  const others: [string, string][] = [
    ['a number failing the Luhn check', '4111111111111112'],
    ['a timestamp', '2026-11-22T10:00:00Z'],
    ['a date and time with a space', '2026-11-22 10:00:00.000'],
    ['a UUID of digits', '12345678-1234-1234-1234-123456789012'],
    ['a UUID whose last part is digits', '550e8400-e29b-41d4-a716-446655440000'],
    ['a Chinese mobile number with country code', '+86 138 0013 8000'],
    ['the same without spaces', '+8613800138000'],
    ['a SIM card ICCID', '8986 0012 3456 7890 1234'],
    ['a list of ids', '1001,1002,1003,1004'],
    ['an amount', '1,234,567,890.12'],
    ['a masked card number', '4111 11** **** 1111'],
    ['the last four digits', 'card ending 1111'],
    ['times of day', '09:00 10:00 11:00 12:00 13:00'],
    ['an IP address and port', '192.168.100.200:8080'],
    ['a version', '3.12.0-rc.1+build.20261207'],
    ['a transaction id of terminal and STAN', 'T10000212_710428'],
    ['the same with a dash', 'T10000212-710428'],
    ['an order number of date and sequence', 'ORD-20261207-123456'],
    ['a SHA-256 with a long run of digits', 'a7b11726ffb3b09b145a5fcb6250530849855d8dbb906c9e375c2de3f5243060'],
    ['an EMV cryptogram', '9F26 08 4111111111111111AB'.replace(' 4111', 'A4111')],
  ];
  for (const [name, s] of others) it(`leaves ${name}`, () => expect(stringHasCardData(s), s).toBe(false));
});

describe('walking values', () => {
  it('names the field that holds card data, in objects, arrays and keys', () => {
    expect(findCardData({ a: 1, b: [{ c: 'ok' }, { d: `x ${VISA}` }] })).toEqual({ path: 'b.1.d' });
    // A key holding the number is named by its place: the path never repeats the number.
    expect(findCardData({ [VISA]: 'value' })).toEqual({ path: '[key]' });
    expect(findCardData({ a: 'nothing here', n: 4111111111111111 })).toBeNull();
    expect(containsCardData(['a', ['b', [UNIONPAY]]])).toBe(true);
  });

  it('walks a value nested 10,000 levels deep without exhausting the stack', () => {
    let deep: unknown = { pan: VISA };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => findCardData(deep, Infinity)).not.toThrow();
    expect(findCardData(deep, Infinity)?.path.endsWith('.pan')).toBe(true);
    expect(nestingDepth(deep)).toBeGreaterThan(64);
    expect(nestingDepth({ a: [{ b: 1 }] })).toBe(3);
  });
});
