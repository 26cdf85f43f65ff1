import { describe, expect, it } from 'vitest';
import { analyseText, segment } from './text.js';

const concepts = (s: string) => [...analyseText(s).keys()].sort();

describe('what people say', () => {
  it('挥卡没反应 and "tap doesn\'t work" point at the same evidence', () => {
    expect(concepts('挥卡没反应')).toContain('tap');
    expect(concepts("tap doesn't work")).toContain('tap');
    expect(concepts('顾客手机碰一碰付不了')).toContain('tap');
  });

  it('hears what works as well as what fails', () => {
    const c = analyseText('顾客挥卡一直没反应，插卡可以正常付款');
    expect(c.get('tap')).toBe(1);
    expect(c.get('chip_ok')).toBe(1);
    expect(c.has('chip')).toBe(false);
    const e = analyseText('Payment goes through but no receipt is printed');
    expect(e.get('receipt')).toBe(1);
  });

  it('segments Chinese with the domain words kept whole', () => {
    expect(segment('顾客挥卡一直没反应')).toContain('挥卡');
    expect(segment('不出小票')).toContain('小票');
  });

  it('folds full-width letters and punctuation', () => {
    expect(concepts('ＰＯＳ机连不上网，ＷＩＦＩ断了')).toContain('network');
  });

  it('does not read one character out of a longer word', () => {
    // 纸 (paper) inside 纸巾 (tissue) is not about the printer's paper.
    expect(concepts('顾客要纸巾')).not.toContain('paper');
  });
});

describe('contrast, negation and what still works', () => {
  it('cuts a clause at a contrast word: the part that still works is not the fault', () => {
    expect(concepts('打印机还能用，但是挥卡没反应')).toEqual(['receipt_ok', 'tap']);
    expect(concepts('The printer still works but tapping fails')).toEqual(['receipt_ok', 'tap']);
    expect(concepts('小票能打，就是插卡读不出来')).toContain('receipt_ok');
    expect(concepts('小票能打，就是插卡读不出来')).not.toContain('receipt');
  });

  it('reads 没问题 as one working-marker, never as 没 + 问题', () => {
    expect(concepts('网络没问题，就是交易发不出去')).toContain('network_ok');
    expect(concepts('网络没问题，就是交易发不出去')).not.toContain('network');
    expect(concepts('No problem with the network, but payments do not go through')).toContain('network_ok');
  });

  it('hears a part said not to be the problem as working', () => {
    expect(concepts('不是打印机的问题，是插卡没反应')).toEqual(['chip', 'receipt_ok']);
    expect(concepts("It's not the printer, the chip reader fails")).toEqual(['chip', 'receipt_ok']);
    expect(concepts('Nothing wrong with the printer; tapping does nothing')).toEqual(['receipt_ok', 'tap']);
  });

  it('does not cut a clause at an adverb that follows its subject (倒是, 却)', () => {
    expect(concepts('屏幕有一块点了没反应，按键倒是好使')).toEqual(['keypad_ok', 'touch']);
  });

  it('hears "refuse to work" and "fail to" as complaints, not as working', () => {
    expect(concepts('NFC payments refuse to work; magstripe still OK')).toEqual(['swipe_ok', 'tap']);
  });

  it('gives each part the polarity of what is said right after it', () => {
    expect(concepts("chip works and tap doesn't")).toEqual(['chip_ok', 'tap']);
    expect(concepts('插卡不能正常付款')).toContain('chip');
    expect(concepts('挥卡不是每次都能成功')).toContain('tap');
  });
});

describe('keying mistakes', () => {
  it('recognises an amount keyed wrongly, in words or from two amounts a power of ten apart', () => {
    for (const s of ['收银员把58元输成了5800', 'typed 5800 instead of 58', '金额输错了', '多打了两个零', 'The cashier typed 36.8 instead of 368', 'Sale of 143 went through as 14300, cashier mistake', '五十八块钱的东西收成了五千八'])
      expect(analyseText(s).get('amount'), s).toBe(1);
  });

  it('does not take a PIN typed wrongly or an ordinary price for an amount error', () => {
    expect(analyseText('顾客密码输错了三次').has('amount')).toBe(false);
    expect(analyseText('wrong PIN typed twice').has('amount')).toBe(false);
    expect(analyseText('a 58 yuan coffee was declined').has('amount')).toBe(false);
  });
});

describe('a change, then trouble', () => {
  it('ties the trouble to what was installed or changed just before', () => {
    expect(analyseText('换了新的SIM卡之后就连不上网了').get('change.sim')).toBe(1);
    expect(analyseText('app更新以后老是闪退').get('change.update')).toBe(1);
    expect(analyseText('We moved the terminal to the back room and since then payments time out').get('change.moved')).toBe(1);
    expect(analyseText('装了新的参数以后交易都失败').get('change.config')).toBe(1);
    expect(analyseText('Since a delivery app was installed the payment app crashes').get('change.third_party')).toBe(1);
  });

  it('hears the trouble tied back to a change told in the sentence before, and any form of the verb', () => {
    expect(analyseText('The terminal got a software update on Monday; it has been crashing ever since').get('change.update')).toBe(1);
    expect(analyseText('Since upgrading to the latest version the app freezes at checkout').get('change.update')).toBe(1);
  });

  it('does not take what was changed for a complaint about it', () => {
    const c = analyseText('After we plugged a new printer PC into the network, the terminal drops offline again and again');
    expect(c.get('change.network_device')).toBe(1);
    expect(c.has('receipt')).toBe(false);
  });

  it('does not blame a change that the report sets against the trouble', () => {
    expect(analyseText('更新过后一切正常，但是今天小票打不出来了').has('change.update')).toBe(false);
    expect(analyseText('升级了程序，但是之后就老死机').get('change.update')).toBe(1);
  });

  it('needs both the change and a complaint after it; a change that did not happen is none', () => {
    expect(analyseText('刷卡后一直转圈').has('after_change')).toBe(false);
    expect(analyseText('昨天升级了程序，一切正常').has('after_change')).toBe(false);
    expect(analyseText("We didn't update anything, but since this morning tapping fails").has('change.update')).toBe(false);
  });
});

describe('reports typed as in a chat', () => {
  it('reads a missing apostrophe as the contraction it stands for: "doesnt work" is a complaint', () => {
    expect(concepts('tapping doesnt work')).toEqual(['tap']);
    expect(concepts('the chip reader still works but tap wont go through')).toEqual(['chip_ok', 'tap']);
  });

  it('ends a Chinese clause at a space typed instead of a comma', () => {
    expect(concepts('打印机还能用 挥卡没反应')).toEqual(['receipt_ok', 'tap']);
    expect(concepts('屏幕好的 插卡读不出来')).toContain('chip');
    expect(concepts('屏幕好的 插卡读不出来')).not.toContain('chip_ok');
  });
});

describe('what a contrast word, a negation and a workaround reach', () => {
  it('keeps 就是 after its subject in one clause: 扫码就是扫不上 complains about scanning', () => {
    expect(concepts('打印机没问题，扫码就是扫不上')).toEqual(['receipt_ok', 'scanner']);
    // Between two statements it still turns to the other one.
    expect(concepts('打印机没问题，就是扫码扫不上')).toEqual(['receipt_ok', 'scanner']);
  });

  it('"not the" speaks of the part right after it, not of a part told further on', () => {
    expect(concepts('its not the printer the chip reader fails')).toEqual(['chip', 'receipt_ok']);
    expect(concepts('排除了打印机 插卡一直失败')).toEqual(['chip', 'receipt_ok']);
    // Parts listed together are all cleared.
    expect(concepts('It is not the printer or the scanner; tapping fails')).toEqual(['receipt_ok', 'scanner_ok', 'tap']);
  });

  it('hears a negated trouble as working: "never had any issue", 从来没出过问题', () => {
    expect(concepts('The printer never had any issue, tapping fails')).toEqual(['receipt_ok', 'tap']);
    expect(concepts('打印机从来没出过问题，挥卡没反应')).toEqual(['receipt_ok', 'tap']);
  });

  it('hears the negative potential complement as a failure whatever the verb (打不开, 扫不进去)', () => {
    expect(concepts('扫码枪一直扫不进去')).toEqual(['scanner']);
    expect(analyseText('收款软件打不开了，是升级以后开始的').get('change.update')).toBe(1);
  });

  it('takes what customers use instead as working: it is the workaround, not the fault', () => {
    expect(concepts('Chip payments fail every time, so customers have to use tap instead')).toEqual(['chip', 'tap_ok']);
    expect(concepts('chip payments fail every time so customers pay with tap')).toEqual(['chip', 'tap_ok']);
    expect(concepts('插卡一直失败，只能让顾客用扫码')).toEqual(['chip', 'scanner_ok']);
    // A workaround that cannot be used is no workaround.
    expect(concepts("we can't use tap")).toEqual(['tap']);
  });

  it('does not take a restart already tried for the terminal restarting by itself', () => {
    expect(concepts('触摸屏点了没反应，已经重启过两次了')).toEqual(['touch']);
    expect(concepts('Tapping does not work; restarting did not help')).toEqual(['tap']);
    // A terminal that restarts on its own is still a complaint.
    expect(concepts('机器老是自己重启')).toContain('reboot');
  });

  it('does not complain of a neutral matter said to be fine (续航很耐用)', () => {
    expect(concepts('电池续航很耐用，扫码扫不出来')).not.toContain('battery_life');
    expect(concepts('电池续航不行')).toContain('battery_life');
  });
});

describe('a change told with a past time', () => {
  it('ties a change told with a past time to the trouble told now, in either order', () => {
    expect(analyseText('It is offline all the time. We changed the data plan last week').get('change.sim')).toBe(1);
    expect(analyseText('交易都失败，前几天改了参数').get('change.config')).toBe(1);
    expect(analyseText('From the moment we added a new computer to the network, it works on and off').get('change.network_device')).toBe(1);
  });

  it('still needs a complaint, and a change set against the trouble is not its cause', () => {
    expect(analyseText('We changed the data plan last week, everything works').has('after_change')).toBe(false);
    expect(analyseText('前几天改了参数，但是今天打印机打不出小票').has('change.config')).toBe(false);
  });
});

describe('who a predicate is about', () => {
  it('gives a part left dangling at the end of a clause what the next clause opens with', () => {
    expect(concepts('我们查了电池，没问题，扫码枪扫不了码')).toEqual(['battery_ok', 'scanner']);
    expect(concepts('the printer works and tap to pay however is hit and miss')).toEqual(['receipt_ok', 'tap']);
    // A part with something said after it, even in words the lexicon does not know, is not dangling.
    expect(concepts('The battery runs out quickly, however the screen works')).toContain('battery_life');
    expect(concepts('The battery runs out quickly, however the screen works')).not.toContain('battery_ok');
  });

  it('does not take the object of what is said of another part for a second complaint', () => {
    expect(concepts('the touch screen does not register taps')).toEqual(['touch']);
    expect(concepts('扫码枪对着付款码没反应')).toEqual(['scanner']);
  });

  it('clears the part in "not a … problem" and hears any word ending in n\'t as a negation', () => {
    expect(concepts('Not a scanner problem - the printer does not print')).toEqual(['receipt', 'scanner_ok']);
    const keys = concepts('the keys dont register presses, contactless works fine');
    expect(keys).toContain('keypad');
    expect(keys).toContain('tap_ok');
    expect(keys).not.toContain('keypad_ok');
  });
});

describe('a change named as the likely cause', () => {
  it('ties the trouble to a change named as its cause (because, 跟…有关)', () => {
    expect(analyseText('Payments time out, probably because we moved the till to the new counter').get('change.moved')).toBe(1);
    expect(analyseText('交易老出错，可能跟装了最新的系统补丁有关').get('change.update')).toBe(1);
  });

  it('does not take the device a new one was plugged into for a complaint about it', () => {
    const c = analyseText('We plugged a new laptop into the router and now the connection drops every few minutes');
    expect(c.get('change.network_device')).toBe(1);
    expect(c.has('router')).toBe(false);
  });
});

describe('blame said of a part', () => {
  it('clears a part said not to be the cause, before or after it (原因不在插卡, "the keypad is not the cause")', () => {
    expect(concepts('打印机打不出来，原因不在插卡')).toEqual(['chip_ok', 'receipt']);
    expect(concepts('the printer does not print; the keypad is definitely not the cause')).toEqual(['keypad_ok', 'receipt']);
    expect(concepts('别怀疑电池，扫码枪扫不了码')).toEqual(['battery_ok', 'scanner']);
  });

  it('still hears a part blamed outright', () => {
    expect(concepts('原因是插卡读不出来')).toContain('chip');
    expect(concepts('the cause is the keypad, it is stuck')).toContain('keypad');
  });
});

describe('bare mentions and changes told with their object', () => {
  it('takes a part named with nothing said of it as context when another part plainly fails, else as the complaint', () => {
    expect(concepts('挥卡没反应。插卡这台是去年买的')).toEqual(['tap']);
    expect(concepts('Tapping fails; the chip reader we bought last year')).toEqual(['tap']);
    expect(concepts('插卡这台是去年买的')).toEqual(['chip']);
  });

  it('ties trouble to a change told with its object even without a cue, but not to a bare verb', () => {
    expect(analyseText('换了新的流量卡，一直离线').get('change.sim')).toBe(1);
    expect(analyseText('We swapped the SIM card. It shows no network').get('change.sim')).toBe(1);
    expect(analyseText('搬了一箱货，挥卡没反应').has('after_change')).toBe(false);
  });
});

describe('statements run together and what each predicate is said of', () => {
  it('a part said to still work is not the fault, even when a chat runs the two statements together', () => {
    expect(concepts('the scanner still works touch jumps around')).toEqual(['scanner_ok', 'touch']);
    expect(concepts("its not the battery swiped cards get no response")).toEqual(['battery_ok', 'swipe']);
    expect(concepts('chip payments still get approved magnetic stripe cards wont read')).toContain('chip_ok');
  });

  it('a working word after another part is said of that part, not of the one before it', () => {
    const c = analyseText("the battery doesn't last meanwhile the wi-fi is connected");
    expect(c.has('battery_life')).toBe(true);
    expect(c.get('network_ok')).toBe(1);
  });

  it('a contrast word inside another word cuts nothing: 刷不过去 is "cannot swipe", not 刷 + 不过 ("but")', () => {
    expect(concepts('刷磁条卡刷不过去，这两天都是插卡')).toEqual(['chip_ok', 'swipe']);
    expect(concepts('电池掉电很快，而扫码正常')).toEqual(expect.arrayContaining(['battery', 'scanner_ok']));
    expect(concepts('按键反而好使，挥卡没反应')).toEqual(['keypad_ok', 'tap']);
  });

  it('a part listed with another shares its verdict (感应付款和插芯片卡都没问题)', () => {
    expect(concepts('感应付款和插芯片卡都没问题，扫码功能却扫半天没反应')).toEqual(expect.arrayContaining(['tap_ok', 'chip_ok', 'scanner']));
    expect(concepts('感应付款和插芯片卡都没问题')).not.toContain('tap');
  });

  it('a part looked at, then found fine, is not the fault (电池那边我看过了，正常; "the scanner checks out")', () => {
    expect(concepts('按钮有的键不灵，电池续航那边我看过了，正常')).toEqual(['battery_ok', 'keypad']);
    expect(concepts('swiped cards doesnt work and the scanner checks out')).toEqual(['scanner_ok', 'swipe']);
  });

  it('a part someone does not believe is involved is not the fault', () => {
    expect(concepts("The buttons don't respond - don't think the chip reader is involved")).toEqual(['chip_ok', 'keypad']);
    expect(concepts('forget the scanner, swiped cards have stopped reading')).toEqual(['scanner_ok', 'swipe']);
  });

  it('a battery cleared together with its life is no battery complaint (不是电池续航的问题)', () => {
    expect(analyseText('不是电池续航的问题，而是按钮按了没反应').has('battery_life')).toBe(false);
  });

  it('an adverb after a part opens what is said of it, it is not the end of its name (扫码很快)', () => {
    expect(concepts('挥卡没反应，可扫码枪扫码很快，生意都做不了了')).toEqual(['tap']);
  });

  it('needing many tries is a failure (要刷好多遍, "takes many tries")', () => {
    expect(concepts('磁条卡要刷好多遍')).toEqual(['swipe']);
    expect(concepts('swiping takes many tries')).toEqual(['swipe']);
  });
});

describe('a change is an event, not a state', () => {
  it('a state is no change: "the wifi is connected" blames no new device', () => {
    expect(analyseText("The keys don't register presses. Everything else is fine, the wifi is connected").has('after_change')).toBe(false);
  });

  it('a verb with nothing for its object changed nothing: "a restart changed nothing" is no new keys', () => {
    expect(analyseText('the keys are not responding, a restart changed nothing').has('change.keys')).toBe(false);
  });

  it('working until a change blames the change ("no problems until the new firmware came in")', () => {
    expect(analyseText('We had no problems until the new firmware came in; now it freezes').get('change.update')).toBe(1);
    expect(analyseText('升级前都好好的，现在老死机').get('change.update')).toBe(1);
  });

  it('a verb said of a named object tells what changed: 更新了商户配置 is new settings, not a new version', () => {
    const c = analyseText('银行那边更新了我们的商户配置，现在每笔都失败');
    expect(c.get('change.config')).toBe(1);
    expect(c.has('change.update')).toBe(false);
  });

  it('the object of a change is named, not complained of, even when a filler follows it', () => {
    expect(concepts('时不时断网 前几天新装了一台路由器 生意都做不了了')).not.toContain('router');
  });
});

describe('keying mistakes read from the amounts themselves', () => {
  it('two amounts a power of ten apart are a keying mistake, in any words (收了4500，其实只要45)', () => {
    for (const s of ['收了顾客4500，其实只要45', 'Customer was charged 6000 for a 60 item', 'A customer got billed 3900 for a 39 meal'])
      expect(analyseText(s).get('amount'), s).toBe(1);
  });

  it('hears zeros keyed too many or too few however it is put', () => {
    for (const s of ['少了个0', 'Oops, 2 zeros too many on a 58 sale', 'someone added an extra zero', 'the amount was one zero short'])
      expect(analyseText(s).get('amount'), s).toBe(1);
  });

  it('does not take counts, times or change money for amounts', () => {
    for (const s of ['15 terminals, 150 transactions failed today', '重启了12次，120笔交易失败', '零钱不够', '时间显示12:00'])
      expect(analyseText(s).has('amount'), s).toBe(false);
  });
});

describe('the exception and the part a predicate waits for', () => {
  it('the exception to "everything else is fine" is the part at fault (除了挥卡，其他功能都正常)', () => {
    expect(concepts('除了挥卡，其他功能都正常')).toEqual(['tap']);
    expect(concepts('apart from tapping everything is ok')).toEqual(['tap']);
    expect(concepts('Everything works except contactless')).toEqual(['tap']);
  });

  it('a part named after what is said of it is not left waiting for the next clause ("the problem is the printer, the card reader is fine")', () => {
    expect(analyseText('The problem is the printer, the chip reader is fine').get('receipt')).toBe(1);
  });

  it('a change told with "the day" or "when" and the trouble after it are tied', () => {
    expect(analyseText('Crashes started the day the new version was installed').get('change.update')).toBe(1);
    expect(analyseText('Ever since the terminal went to the back room it keeps timing out').get('change.moved')).toBe(1);
  });
});

describe('clefts and colloquial words', () => {
  it('reads a cleft the plain way round: the part cleared first, the one at fault last ("it isn\'t tap that fails, it\'s chip")', () => {
    expect(concepts("It isn't tap that fails, it's chip")).toEqual(['chip', 'tap_ok']);
    expect(concepts('its not chip that fails its tap')).toEqual(['chip_ok', 'tap']);
    expect(concepts("the network is not what's broken, the printer is")).toEqual(['network_ok', 'receipt']);
    expect(concepts('the keypad isnt the one that fails, the touchscreen is')).toEqual(['keypad_ok', 'touch']);
    // Not a cleft: a plain complaint stays one.
    expect(concepts("it isn't working")).toEqual([]);
    expect(concepts("tap isn't working")).toEqual(['tap']);
  });

  it('knows slang for broken and for fine in both languages (lexicon data)', () => {
    expect(concepts('tap is on the fritz but chip is rock solid')).toEqual(['chip_ok', 'tap']);
    expect(concepts('打印机罢工了，挥卡杠杠的')).toEqual(['receipt', 'tap_ok']);
    expect(concepts('按键没啥毛病，触摸屏抽风')).toEqual(['keypad_ok', 'touch']);
    expect(concepts('小票越打越淡')).toContain('printer_hot');
  });
});
