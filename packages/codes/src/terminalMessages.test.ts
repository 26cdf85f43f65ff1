import { describe, expect, it } from 'vitest';
import { matchTerminalMessage, normaliseTerminalText } from './terminalMessages.js';

const first = (text: string, code?: string) => matchTerminalMessage(text, code)[0];

describe('matchTerminalMessage', () => {
  it.each([
    ['读卡失败，请重新插卡', 'reader.chip.read_error'],
    ['CARD READ ERROR', 'reader.chip.read_error'],
    ['挥卡失败', 'reader.contactless.error'],
    ['TAP FAILED', 'reader.contactless.error'],
    ['CTLS ERR', 'reader.contactless.error'],
    ['请重新刷卡', 'reader.magstripe.error'],
    ['Swipe again', 'reader.magstripe.error'],
    ['降级交易', 'reader.fallback'],
    ['OUT OF PAPER', 'printer.paper_out'],
    ['缺纸', 'printer.paper_out'],
    ['纸将尽', 'printer.paper_low'],
    ['Paper jam', 'printer.jam'],
    ['HEAD OVERHEAT', 'printer.overheat'],
    ['BATTERY LOW', 'battery.low'],
    ['NOT CHARGING', 'power.not_charging'],
    ['NO LINE', 'net.no_network'],
    ['无线路', 'net.no_network'],
    ['通讯错误', 'net.comm_error'],
    ['COMMUNICATION ERROR', 'net.comm_error'],
    ['HOST UNREACHABLE', 'net.host_connect'],
    ['TIMEOUT', 'txn.timeout'],
    ['NO SIGNAL', 'net.weak_signal'],
    ['IP CONFLICT', 'net.ip_conflict'],
    ['SSL handshake failed', 'net.tls'],
    ['Unfortunately, Payment has stopped.', 'app.crash'],
    ['应用无响应', 'app.not_responding'],
    ['ANR in com.pos.payment', 'app.not_responding'],
    ['LOGON OK', 'session.sign_on_ok'],
    ['请先结算', 'batch.full'],
    ['MAC校验错，请重新签到', 'keys.error'],
    ['MAC ERROR', 'keys.error'],
    ['KEY ERROR', 'keys.error'],
    ['密钥下载成功', 'keys.loaded'],
    ['MEMORY FULL', 'storage.full'],
    ['请连接密码键盘', 'pinpad.error'],
    ['PINPAD NOT CONNECTED', 'pinpad.error'],
    ['扫码失败', 'scanner.error'],
    ['TOUCH SCREEN NOT RESPONDING', 'screen.touch'],
    ['终端未登记', 'terminal.not_registered'],
  ])('matches %j to %s', (text, id) => {
    expect(first(text)?.id).toBe(id);
  });

  it('returns the entry meaning in both languages with its cause hints', () => {
    expect(first('PAPER OUT')).toMatchObject({
      kind: 'fault',
      zh: '打印机缺纸',
      en: 'Printer out of paper',
      hints: [{ code: 'hw.printer.paper_out', weight: 0.9 }],
      clears: [],
      via: 'text',
    });
  });

  it('is case-insensitive and tolerant of full-width punctuation and extra whitespace', () => {
    expect(first('  chip   read\terror  ')?.id).toBe('reader.chip.read_error');
    expect(first('ＣＯＭＭ　ＥＲＲＯＲ')?.id).toBe('net.comm_error');
    expect(first('读卡 失败')?.id).toBe('reader.chip.read_error');
    expect(first('tap-failed')?.id).toBe('reader.contactless.error');
    expect(normaliseTerminalText(' 电量低（12％）， sign-on_OK ')).toBe('电量低(12%), SIGN ON OK');
  });

  it('matches short English words only as whole words', () => {
    expect(matchTerminalMessage('SIMPLE TEST').map((m) => m.id)).not.toContain('net.sim');
    expect(first('SIM卡异常')?.id).toBe('net.sim');
    expect(matchTerminalMessage('CHANGE PASSWORD').map((m) => m.id)).not.toContain('app.not_responding');
  });

  it('ranks the message that names the cause above the symptom it also mentions', () => {
    expect(matchTerminalMessage('芯片无法读取，请刷卡（降级交易）').map((m) => m.id)).toEqual(['reader.fallback', 'reader.chip.read_error']);
    expect(matchTerminalMessage('MOISTURE DETECTED - KEYPAD ERROR').map((m) => m.id)).toEqual(['env.moisture', 'keypad.error']);
    expect(first('SIM CARD ERROR')?.id).toBe('net.sim');
  });

  it('marks good news as clearing the cause it resolves', () => {
    expect(first('PAPER ROLL REPLACED')).toMatchObject({ kind: 'info', hints: [], clears: ['hw.printer.paper_out'] });
    expect(first('签到成功')).toMatchObject({ kind: 'info', clears: ['op.not_signed_in', 'sw.keys.missing'] });
    expect(first('SETTLEMENT OK (42 TXNS)')).toMatchObject({ kind: 'info', clears: ['op.settlement.overdue'], values: { count: '42' } });
  });

  it('marks updates and boots, and captures the new version', () => {
    expect(first('APP UPDATED TO 3.2.0-rc.1')).toMatchObject({ id: 'app.updated', kind: 'update', values: { version: '3.2.0-rc.1' } });
    expect(first('应用升级完成：v3.1.5')).toMatchObject({ kind: 'update', values: { version: 'v3.1.5' } });
    expect(first('SYSTEM REBOOT')?.kind).toBe('boot');
  });

  it('captures battery level and temperature', () => {
    expect(first('电量低（15%），请及时充电')?.values).toEqual({ pct: '15' });
    expect(first('设备温度过高（61℃）')?.values).toEqual({ temp: '61' });
  });

  it('matches by event code, and ranks a code match first', () => {
    expect(first('', 'PRN_NO_PAPER')).toMatchObject({ id: 'printer.paper_out', via: 'code' });
    expect(first('打印机缺纸', 'prn_no_paper')).toMatchObject({ id: 'printer.paper_out', via: 'text+code' });
    expect(first('交易失败', 'A0')?.id).toBe('keys.error');
  });

  it('returns nothing for a message it does not know', () => {
    expect(matchTerminalMessage('欢迎光临')).toEqual([]);
    expect(matchTerminalMessage('')).toEqual([]);
  });

  it('matches a short message in under 5 µs on average', () => {
    const samples = ['读卡失败，请重新插卡', 'COMM ERROR', 'PRINTER OUT OF PAPER', 'Unfortunately, Payment has stopped', '设备温度过高（55℃）', 'SIGN ON OK'];
    for (let i = 0; i < 20_000; i++) matchTerminalMessage(samples[i % samples.length] as string);
    const rounds = 60_000;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) matchTerminalMessage(samples[i % samples.length] as string);
    const us = ((performance.now() - t0) * 1000) / rounds;
    // The budget is 5 µs; the assertion leaves room for a loaded 2-core CI machine.
    expect(us).toBeLessThan(15);
    if (us > 5) console.warn(`matchTerminalMessage took ${us.toFixed(2)} µs per message (budget 5 µs) on this machine`);
  });
});
