import { describe, expect, it } from 'vitest';
import { diagnose, parseCase } from './engine.js';
import { DiagnosisInputError } from './errors.js';
import { thinTelemetry } from './assemble.js';
import { CAUSE_FIXTURES, healthyCase } from './testing/fixtures.js';

const fixture = (code: string) => CAUSE_FIXTURES.find((f) => f.code === code)!;

describe('reading a case', () => {
  it('rejects a case without its required parts, naming the field', () => {
    const c = healthyCase('x') as Record<string, unknown>;
    for (const [field, broken] of [['now', { ...c, now: 'noon' }], ['terminal.id', { ...c, terminal: {} }], ['schema', { ...c, schema: 'v2' }]] as const) {
      try {
        parseCase(broken);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DiagnosisInputError);
        expect((e as DiagnosisInputError).field).toBe(field);
        expect((e as DiagnosisInputError).messageIn('zh-CN')).toContain(field);
      }
    }
  });

  it('rejects malformed EMV hex instead of guessing', () => {
    const c = healthyCase('x');
    c.transactions[0]!.tvr = 'ZZ00000000';
    expect(() => parseCase(c)).toThrow(/transactions\.0\.tvr/);
  });

  it('ignores unknown extra fields and needs nothing but the id, the time and the terminal', () => {
    const r = diagnose({ schema: 'poscare.diagnosis-case/v1', id: 'min', now: '2026-11-20T14:00:00+08:00', terminal: { id: 'T1' }, vendorExtra: { x: 1 } });
    expect(r.caseId).toBe('min');
    expect(r.causes).toEqual([]);
    expect(r.missing?.length).toBeGreaterThanOrEqual(3);
  });
});

describe('reasoning with what is there', () => {
  it('names paper out from the merchant words alone, and asks what would tell it from a jam', () => {
    const r = diagnose({ schema: 'poscare.diagnosis-case/v1', id: 'words', now: '2026-11-20T14:00:00+08:00', lang: 'zh-CN', terminal: { id: 'T1' }, report: { text: '不出小票' } });
    expect(r.causes[0]!.code).toBe('hw.printer.paper_out');
    expect(r.missing).toContain('终端最近 2 小时的遥测数据');
    expect(r.questions?.[0]?.id).toBe('paper_loaded');
  });

  it('an answer moves the ranking: paper is loaded, so a jam is more likely than paper out', () => {
    const base = { schema: 'poscare.diagnosis-case/v1', id: 'a', now: '2026-11-20T14:00:00+08:00', lang: 'en-US', terminal: { id: 'T1' }, report: { text: 'receipts are not printing' } } as const;
    const before = diagnose(base);
    const after = diagnose({ ...base, answers: { paper_loaded: 'yes' } });
    expect(before.causes[0]!.code).toBe('hw.printer.paper_out');
    expect(after.causes[0]!.code).not.toBe('hw.printer.paper_out');
    expect(after.questions?.map((q) => q.id)).not.toContain('paper_loaded');
  });

  it('tells a card problem from a reader problem by where else the card failed', () => {
    expect(diagnose(fixture('ext.card.damaged').build('en-US')).causes[0]!.code).toBe('ext.card.damaged');
    expect(diagnose(fixture('hw.reader.chip').build('en-US')).causes[0]!.code).toBe('hw.reader.chip');
  });

  it('blames a bad version for the fleet and a lone crash for the terminal', () => {
    const reg = diagnose(fixture('sw.update.regression').build('en-US'));
    expect([reg.causes[0]!.code, reg.scope]).toEqual(['sw.update.regression', 'fleet']);
    const crash = diagnose(fixture('sw.app.crash').build('en-US'));
    expect([crash.causes[0]!.code, crash.scope]).toEqual(['sw.app.crash', 'terminal']);
  });

  it('a tamper explains missing keys: the security incident comes first', () => {
    const r = diagnose(fixture('sec.tamper').build('zh-CN'));
    expect(r.causes[0]!.code).toBe('sec.tamper');
    expect(r.causes.find((c) => c.code === 'sw.keys.missing')?.confidence ?? 0).toBeLessThan(0.1);
  });

  it('one card declined once is background when the merchant calls about something else, and its own attempt here is not "elsewhere"', () => {
    const c = healthyCase('settle', { lang: 'zh-CN' });
    const declined = { at: c.transactions[0]!.at, entryMode: 'chip' as const, outcome: 'declined' as const, responseCode: '55', cardToken: 'tok_x', amountMinor: 5800, currency: 'CNY' };
    const withDecline = { ...c, transactions: [...c.transactions, declined], card: { token: 'tok_x', attempts: [{ terminalId: c.terminal.id, at: declined.at, entryMode: 'chip' as const, outcome: 'declined' as const, responseCode: '55' }] } };
    // No report: one wrong PIN on one card is named only weakly.
    expect(diagnose(withDecline).causes[0]?.confidence ?? 0).toBeLessThan(0.5);
    // The merchant says the terminal asks to settle: that is what the case is about.
    const r = diagnose({ ...withDecline, report: { text: '刚才开始一直提示结算，交易做不了' } });
    expect(r.causes[0]!.code).toBe('op.settlement.overdue');
  });

  it('confidences are probabilities that fall with rank', () => {
    for (const fx of CAUSE_FIXTURES) {
      const r = diagnose(fx.build('en-US'));
      const conf = r.causes.map((c) => c.confidence);
      expect(conf.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect([...conf].sort((a, b) => b - a)).toEqual(conf);
      expect(conf.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1.01);
    }
  });
});

describe('thinning telemetry to five-minute samples', () => {
  it('keeps every reader failure, crash and tamper of the dropped samples', () => {
    const at = (m: number) => `2026-11-20T13:${String(m).padStart(2, '0')}:00+08:00`;
    const samples = Array.from({ length: 10 }, (_, m) => ({
      at: at(m),
      reader: { chip: { attempts: 2, failures: m % 2 } },
      app: { crashes: m === 3 ? 1 : 0 },
      tamper: m === 2,
      tempC: 30 + m,
    }));
    const thin = thinTelemetry(samples);
    expect(thin).toHaveLength(2);
    expect(thin[0]!.reader!.chip).toEqual({ attempts: 10, failures: 2 });
    expect(thin[1]!.reader!.chip).toEqual({ attempts: 10, failures: 3 });
    expect(thin[0]!.app!.crashes).toBe(1);
    expect(thin[0]!.tamper).toBe(true);
    expect(thin[1]!.tamper).toBe(false);
    expect(thin[1]!.tempC).toBe(39);
  });
});

describe('reading what the merchant says, from the words alone', () => {
  const top = (text: string, lang: 'zh-CN' | 'en-US') =>
    diagnose({ schema: 'poscare.diagnosis-case/v1', id: 'said', now: '2026-11-20T14:00:00+08:00', lang, terminal: { id: 'T1' }, report: { text } }).causes[0]?.code;

  it('does not take a part that still works, or that customers use instead, for the fault', () => {
    expect(top('小票还能打 就是挥卡没反应', 'zh-CN')).toBe('hw.reader.contactless');
    expect(top('the printer still prints but tapping doesnt work', 'en-US')).toBe('hw.reader.contactless');
    expect(top('刷卡刷不过去，只能让顾客用插卡', 'zh-CN')).toBe('hw.reader.magstripe');
    expect(top('Swiping fails every time, so customers have to use the chip instead', 'en-US')).toBe('hw.reader.magstripe');
  });

  it('does not take a part said not to be the problem for the fault, nor a restart already tried', () => {
    expect(top('its not the printer the keys dont respond', 'en-US')).toBe('hw.keypad');
    expect(top('打印机从来没出过问题，按键按了没反应', 'zh-CN')).toBe('hw.keypad');
    expect(top('触摸屏点了没反应，已经重启过两次了', 'zh-CN')).toBe('hw.touchscreen');
  });

  it('points a fault that began after a change told with a past time at that change', () => {
    expect(top('It is offline all the time. We changed the data plan last week', 'en-US')).toBe('net.sim');
    expect(top('交易都失败，前几天改了参数', 'zh-CN')).toBe('sw.config.invalid');
  });
});
