import { describe, expect, it } from 'vitest';
import { isApproved, RESPONSE_CODES, responseCode } from './responseCodes.js';

const known = (code: string) => {
  const r = responseCode(code);
  if (!r.known) throw new Error(`${code} should be known`);
  return r;
};
const weight = (code: string, cause: string) => known(code).hints.find((h) => h.code === cause)?.weight ?? 0;

describe('responseCode', () => {
  it('covers the ISO 8583:1987 codes in practice and the UnionPay set', () => {
    const wanted = ['00', '01', '02', '03', '04', '05', '06', '07', '09', '12', '13', '14', '15', '19', '20', '21', '22', '25', '30', '31', '33', '34', '35', '36', '37', '38', '39', '40', '41', '43', '44', '51', '52', '53', '54', '55', '56', '57', '58', '59', '60', '61', '62', '63', '64', '65', '66', '67', '68', '75', '76', '77', '78', '79', '80', '81', '82', '83', '84', '85', '86', '87', '88', '89', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99', 'A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'];
    const missing = wanted.filter((c) => !responseCode(c).known);
    expect(missing).toEqual([]);
  });

  it('classes 00 as approved and the approved-with-defect codes as approved', () => {
    expect(known('00')).toMatchObject({ action: 'approved', kind: 'approved', zh: '承兑或交易成功' });
    expect(isApproved('00')).toBe(true);
    expect(isApproved('A2')).toBe(true);
    expect(isApproved('05')).toBe(false);
    expect(isApproved('ZZ')).toBe(false);
  });

  it('reads UnionPay-specific codes with their UnionPay meaning', () => {
    expect(known('97')).toMatchObject({ source: 'cup', kind: 'terminal_problem', action: 'operator_action' });
    expect(known('97').zh).toContain('终端未登记');
    expect(known('98').zh).toContain('交换中心收不到发卡行应答');
    expect(known('77').en).toContain('sign on again');
    expect(known('A0').zh).toContain('MAC校验错');
  });

  it('points host faults at an acquirer host outage and classes them system_fault or retry', () => {
    for (const c of ['91', '96', '98']) {
      expect(known(c).kind, c).toBe('host_fault');
      expect(known(c).action, c).toBe('system_fault');
      expect(weight(c, 'ext.host.outage'), c).toBeGreaterThanOrEqual(0.8);
    }
    expect(known('68')).toMatchObject({ action: 'retry', kind: 'host_fault' });
    expect(weight('68', 'ext.host.outage')).toBeGreaterThan(0.4);
  });

  it('points key and MAC errors at missing keys', () => {
    expect(weight('A0', 'sw.keys.missing')).toBeGreaterThanOrEqual(0.8);
    expect(weight('99', 'sw.keys.missing')).toBeGreaterThanOrEqual(0.7);
  });

  it('points card and cardholder codes at the card, the PIN or the issuer', () => {
    expect(weight('54', 'ext.card.expired')).toBeGreaterThanOrEqual(0.8);
    expect(weight('55', 'op.pin.wrong')).toBeGreaterThanOrEqual(0.8);
    expect(weight('75', 'op.pin.wrong')).toBeGreaterThanOrEqual(0.8);
    expect(weight('51', 'ext.issuer.decline')).toBeGreaterThanOrEqual(0.8);
    expect(weight('14', 'ext.card.damaged')).toBeGreaterThan(0);
    expect(known('41').action).toBe('operator_action');
    expect(known('43').action).toBe('operator_action');
  });

  it('points amount and transaction mistakes at operator input', () => {
    for (const c of ['12', '13', '64']) expect(weight(c, 'op.input.error'), c).toBeGreaterThanOrEqual(0.5);
    expect(weight('61', 'op.input.error')).toBeGreaterThan(0);
  });

  it('points format errors, invalid merchant and unregistered terminal at configuration', () => {
    for (const c of ['03', '30', '97']) expect(weight(c, 'sw.config.invalid'), c).toBeGreaterThanOrEqual(0.6);
  });

  it('maps card problems to do_not_retry unless UnionPay allows a retry after a misread', () => {
    for (const e of RESPONSE_CODES.filter((x) => x.kind === 'card_problem')) {
      expect(['do_not_retry', 'operator_action', 'retry'], e.code).toContain(e.action);
      if (e.action === 'retry') expect(e.note, `${e.code} retry needs a note`).toBeDefined();
    }
  });

  it('answers unknown codes with known: false instead of throwing', () => {
    expect(responseCode('Q9')).toEqual({ known: false, code: 'Q9', zh: '未知应答码 Q9', en: 'Unknown response code Q9', hints: [] });
    expect(responseCode('').known).toBe(false);
  });

  it('normalises case, whitespace and a lost leading zero', () => {
    expect(responseCode(' a0 ').code).toBe('A0');
    expect(responseCode(5).code).toBe('05');
    expect(responseCode('5').known).toBe(true);
  });
});
