/**
 * Labelled merchant reports with varied phrasing, for measuring how well the diagnosis engine reads
 * words (not telemetry): templates × synonyms × clause orders, in Chinese and English, seeded.
 *
 * Kinds of report:
 *  - `plain`: one failing part, said plainly (the control);
 *  - `contrast`: a part that still works next to the one that fails ("打印机还能用，但是挥卡没反应");
 *  - `negation`: a part said NOT to be the problem ("不是打印机的问题", "nothing wrong with the printer");
 *  - `amount`: an operator keyed an amount wrongly (58 → 5800, 多打了两个零): op.input.error;
 *  - `change`: trouble that began right after something was installed or changed (an update, new
 *    settings, a new SIM, a move, another app, a new device on the network);
 *  - `passing` (generation 2): another part or an action named in passing, with nothing said against
 *    it (the workaround customers use now, a restart or another card tried): "挥卡没反应，只能让顾客插卡".
 *
 * Two generations: 1 is the first set (kept as it was, to compare with), 2 (the default) adds to every
 * pool more wordings (half to each split), templates with two working parts, 不是…而是, a part checked
 * and found fine, a change told after the trouble or in a sentence of its own, reports typed casually
 * (no commas, no apostrophes, lower case), and the `passing` kind.
 *
 * Every pool of phrases is split in two by position: the `dev` split draws from the even entries,
 * the `held-out` split from the odd ones (and from a seed of its own), so the held-out set uses
 * wordings and templates the engine was never tuned on.
 */
import type { DiagnosisCaseInput, DiagnosisScope } from '@poscare/contracts';
import { Rng } from '../random.js';

export const PHRASING_KINDS = ['plain', 'contrast', 'negation', 'amount', 'change', 'passing'] as const;
export type PhrasingKind = (typeof PHRASING_KINDS)[number];
export type PhrasingSplit = 'dev' | 'held-out';
export type PhrasingGeneration = 1 | 2 | 3;

export interface PhrasedCase {
  case: DiagnosisCaseInput;
  label: { code: string; scope: DiagnosisScope };
  meta: { kind: PhrasingKind; split: PhrasingSplit; lang: 'zh-CN' | 'en-US'; text: string; generation: PhrasingGeneration };
}

interface Pool {
  zh: readonly string[];
  en: readonly string[];
  /** More wordings for the dev split only (generation 2): material to tune on that leaves the held-out split as it is. */
  devOnly?: { zh: readonly string[]; en: readonly string[] };
}

/** A part of the terminal: what people call it, how they say it fails, how they say it works. */
interface Part {
  code: string;
  name: Pool;
  fails: Pool;
  works: Pool;
}

const PARTS: Record<string, Part> = {
  tap: {
    code: 'hw.reader.contactless',
    name: { zh: ['挥卡', '闪付', '手机碰一碰', '非接', '拍卡', '云闪付'], en: ['tapping', 'contactless', 'tap to pay', 'phone payments', 'tapped cards', 'Apple Pay'] },
    fails: { zh: ['没反应', '付不了', '老是失败', '感应不到', '一直不成功', '要试好几次', '刷不出来', '识别不到'], en: ["doesn't work", 'keeps failing', 'does nothing', 'is not picked up', 'fails every time', 'never goes through', 'stopped working', 'is dead'] },
    works: { zh: ['可以正常用', '没问题', '还能用', '都正常', '一点问题没有', '是好的', '照常能用', '好使'], en: ['works fine', 'still works', 'is fine', 'goes through', 'has no problem', 'works normally', 'works as usual', 'is ok'] },
  },
  chip: {
    code: 'hw.reader.chip',
    name: { zh: ['插卡', '芯片卡', 'IC卡', '插芯片'], en: ['inserting cards', 'chip cards', 'the chip reader', 'inserted cards'] },
    fails: { zh: ['读不出来', '插进去没反应', '老提示重新插卡', '识别不了', '一直失败', '读不到'], en: ["won't read", 'fail to read', 'keep saying reinsert card', 'are not read', 'fail every time', 'get a read error'] },
    works: { zh: ['可以正常付款', '没问题', '还能用', '都正常', '能付', '倒是可以', '好好的', '没毛病'], en: ['work fine', 'still work', 'are fine', 'go through', 'work normally', 'are ok', 'are good', 'work as usual'] },
  },
  swipe: {
    code: 'hw.reader.magstripe',
    name: { zh: ['刷磁条', '刷卡', '磁条卡'], en: ['swiping', 'the magstripe', 'swiped cards'] },
    fails: { zh: ['刷不过去', '刷了没反应', '要刷好多遍', '总是失败'], en: ["doesn't work", 'is not read', 'takes many tries', 'fails every time'] },
    works: { zh: ['没问题', '可以', '还能用', '正常'], en: ['works fine', 'still works', 'is fine', 'is ok'] },
  },
  printer: {
    code: 'hw.printer.paper_out',
    name: { zh: ['小票', '打印机', '打印', '出纸'], en: ['the printer', 'receipts', 'printing', 'the receipt printer'] },
    fails: { zh: ['打不出来', '不出来了', '出不来', '没反应'], en: ['does not print', 'no longer come out', 'stopped', 'does nothing'] },
    works: { zh: ['还能打', '没问题', '正常', '能打出来', '都正常', '还可以', '打得很清楚', '照样出纸'], en: ['still prints', 'is fine', 'works', 'still work', 'is working', 'has no problem', 'prints fine', 'is good'] },
  },
  keypad: {
    code: 'hw.keypad',
    name: { zh: ['按键', '数字键', '确认键', '键盘'], en: ['the keys', 'the keypad', 'the buttons', 'the number keys'] },
    fails: { zh: ['按了没反应', '按不动', '失灵了', '不好使'], en: ["don't respond", 'are stuck', 'stopped working', 'need hard presses'] },
    works: { zh: ['没问题', '都好的', '正常', '能按'], en: ['are fine', 'work', 'still work', 'are ok'] },
  },
  touch: {
    code: 'hw.touchscreen',
    name: { zh: ['触屏', '触摸屏', '屏幕触摸'], en: ['the touchscreen', 'the touch screen', 'touch'] },
    fails: { zh: ['点不动', '点了没反应', '乱跳', '不灵'], en: ["doesn't respond", 'is dead in places', 'jumps around', 'ignores taps'] },
    works: { zh: ['没问题', '正常', '好的', '能点'], en: ['is fine', 'works', 'still works', 'is ok'] },
  },
  scanner: {
    code: 'hw.scanner',
    name: { zh: ['扫码', '扫码头', '扫二维码', '扫付款码'], en: ['the scanner', 'QR scanning', 'scanning codes', 'the barcode scanner'] },
    fails: { zh: ['扫不出来', '没反应', '扫不上', '老失败'], en: ["doesn't scan", 'does nothing', 'fails', 'never reads the code'] },
    works: { zh: ['没问题', '正常', '可以', '还能用'], en: ['works', 'is fine', 'still works', 'is ok'] },
  },
  battery: {
    code: 'hw.battery.degraded',
    name: { zh: ['电池', '续航'], en: ['the battery', 'battery life'] },
    fails: { zh: ['不耐用，用不了多久', '掉电很快', '一会儿就没电'], en: ["doesn't last", 'drains fast', 'runs out quickly'] },
    works: { zh: ['没问题', '挺耐用', '正常'], en: ['is fine', 'lasts all day', 'is ok'] },
  },
  network: {
    code: 'net.site.outage',
    name: { zh: ['网络', 'WiFi', '上网'], en: ['the network', 'the internet', 'the wifi'] },
    fails: { zh: ['断了', '连不上'], en: ['is down', 'is not connecting'] },
    works: { zh: ['没问题', '是通的', '正常', '好好的', '也正常', '没毛病', '信号满格', '一直在线'], en: ['is fine', 'works', 'is up', 'is ok', 'is working', 'has no problem', 'is stable', 'shows full bars'] },
  },
  screen: {
    code: 'hw.display',
    name: { zh: ['屏幕', '显示'], en: ['the screen', 'the display'] },
    fails: { zh: ['花屏了', '有条纹'], en: ['is garbled', 'shows lines'] },
    works: { zh: ['正常', '没问题', '好的', '显示正常'], en: ['is fine', 'looks fine', 'works', 'is ok'] },
  },
};

/** Parts that fail in the contrast and negation reports (the ones a phrase can name unambiguously). */
const FAILING = ['tap', 'chip', 'swipe', 'printer', 'keypad', 'touch', 'scanner', 'battery'] as const;
/** Parts mentioned as working. */
const WORKING = ['tap', 'chip', 'printer', 'network', 'screen', 'keypad', 'scanner', 'battery'] as const;

type Slots = Record<string, string>;
type Template = Pool;

const fill = (t: string, s: Slots) => t.replace(/\{(\w+)\}/g, (_, k: string) => s[k] ?? '');

/** Both clause orders (the working part first, the failing part first) in each split: even entries dev, odd held-out. */
const CONTRAST: Template = {
  zh: [
    '{W}{w}，但是{F}{f}',
    '{F}{f}，{W}倒是{w}',
    '{F}{f}，不过{W}{w}',
    '虽然{W}{w}，可是{F}{f}',
    '{W}{w}，就是{F}{f}',
    '{F}{f}，但{W}{w}',
    '今天{F}{f}，然而{W}{w}',
    '{W}一直{w}，只是{F}{f}',
    '{F}{f}，可{W}{w}',
    '{W}{w}，反而{F}{f}',
  ],
  en: [
    '{W} {w}, but {F} {f}',
    '{F} {f}, though {W} {w}',
    '{F} {f}, however {W} {w}',
    'Although {W} {w}, {F} {f}',
    '{W} {w}; only {F} {f}',
    '{F} {f} - {W} {w}',
    '{F} {f} while {W} {w}',
    'Weird: {W} {w} yet {F} {f}',
    '{F} {f}, but {W} {w}',
    '{W} {w}, whereas {F} {f}',
  ],
};

const NEGATION: Template = {
  zh: ['不是{W}的问题，{F}{f}', '{F}{f}，不是{W}的问题', '{W}没坏，是{F}{f}', '{F}{f}，跟{W}没关系', '排除了{W}，{F}{f}', '{W}没有问题，{F}{f}', '应该不是{W}，{F}{f}', '{F}{f}，{W}没毛病'],
  en: ["It's not the {Wn}, {F} {f}", '{F} {f}, not the {Wn}', 'Nothing wrong with the {Wn}; {F} {f}', 'The {Wn} is not the problem, {F} {f}', 'We ruled out the {Wn}: {F} {f}', "{F} {f}. It isn't the {Wn}", 'No problem with the {Wn}, but {F} {f}', '{F} {f} and the {Wn} is not broken'],
};
/** The part's bare noun, for "not the …". */
const NOUN: Record<(typeof WORKING)[number], readonly string[]> = {
  tap: ['contactless reader', 'tap reader'],
  chip: ['chip reader', 'card reader'],
  printer: ['printer', 'receipt printer'],
  network: ['network', 'internet'],
  screen: ['screen', 'display'],
  keypad: ['keypad', 'keys'],
  scanner: ['scanner', 'QR scanner'],
  battery: ['battery', 'battery pack'],
};

const AMOUNT: Template = {
  zh: [
    '收银员把{a}元输成了{b}',
    '{a}块的东西打成了{b}块',
    '金额输错了，{a}输成{b}',
    '刚才那笔本来{a}元，按成了{b}元',
    '顾客买了{a}元的东西，结果刷了{b}元',
    '小数点点错了，{a}变成了{b}',
    '收银员多打了{z}个零，顾客要退款',
    '店员输金额的时候多按了{z}个0',
    '应该收{a}元，收银员录成了{b}元',
    '一笔{a}元的消费被输成{b}元，顾客投诉',
  ],
  en: [
    'The cashier typed {b} instead of {a}',
    'We rang up {b} rather than {a}',
    'Staff keyed {b} for a {a} item',
    'Customer was charged {b} instead of {a}',
    'An extra zero was entered, {a} became {b}',
    'Entered the wrong amount, {b} not {a}',
    'The clerk put in {b} yuan for a {a} yuan bill',
    'Someone typed {z} extra zeros on the amount and the customer wants a refund',
    'Sale of {a} went through as {b}, cashier mistake',
    'The total should have been {a} but we charged {b}',
  ],
};

interface Change {
  code: string;
  change: Pool;
  trouble: Pool;
}
const CHANGES: Record<string, Change> = {
  update: {
    code: 'sw.update.regression',
    change: { zh: ['昨天升级了收款程序', '系统自动更新了', '刚更新到新版本', '程序升了级', '晚上自动升级', '版本更新'], en: ['we updated the payment app', 'the app updated itself last night', 'the new version was installed', 'the software upgrade', 'the firmware update', 'it upgraded overnight'] },
    trouble: { zh: ['老是闪退', '经常死机', '交易老出错', '动不动就卡死'], en: ['the app keeps crashing', 'it freezes all the time', 'payments keep failing', 'it hangs constantly'] },
  },
  config: {
    code: 'sw.config.invalid',
    change: { zh: ['改了参数', '下发了新配置', '换了商户号', '装了新的参数文件', '修改了设置', '更新了收单参数'], en: ['we changed the settings', 'new parameters were pushed', 'the merchant id was changed', 'a new configuration was loaded', 'someone edited the config', 'the new parameter file was applied'] },
    trouble: { zh: ['交易都失败', '提示无效商户', '一笔都做不了', '每笔都被拒'], en: ['every payment fails', 'it says invalid merchant', 'no payment goes through', 'each transaction is refused'] },
  },
  sim: {
    code: 'net.sim',
    change: { zh: ['换了新的SIM卡', '换了手机卡', '换了流量卡', '插了新的sim卡', '换了运营商', '装了新的物联网卡'], en: ['we put in a new SIM', 'the SIM card was swapped', 'we changed the data plan', 'a new SIM card was inserted', 'we switched carrier', 'the SIM was replaced'] },
    trouble: { zh: ['连不上网', '没网络', '一直离线', '上不了网'], en: ["it can't connect", 'it shows no network', 'it is offline all the time', 'there is no connection'] },
  },
  moved: {
    code: 'net.signal.weak',
    change: { zh: ['把机器搬到里屋', '收银台挪到了后面', '机器移到二楼', '搬到仓库那边', '把POS放到了角落', '装修后挪了位置'], en: ['we moved the terminal to the back room', 'the till was relocated upstairs', 'we moved it to the basement counter', 'the terminal was moved to the corner', 'we relocated the counter', 'we shifted it to the back'] },
    trouble: { zh: ['交易老超时', '信号很差', '经常掉线', '付款要转很久'], en: ['payments time out', 'the signal is poor', 'it keeps dropping offline', 'payments spin for ages'] },
  },
  third_party: {
    code: 'sw.third_party.conflict',
    change: { zh: ['装了一个外卖软件', '安装了新的收银软件', '下载了一个应用', '装了个插件', '新装了会员小程序', '安装了其他软件'], en: ['we installed a delivery app', 'a new loyalty app was installed', 'someone downloaded another app', 'we added a plugin', 'we installed some other software', 'a staff member installed an app'] },
    trouble: { zh: ['收款程序老闪退', '机器变得很卡', '经常死机', '支付程序自己关掉'], en: ['the payment app crashes', 'it became very slow', 'it freezes', 'the payment app closes by itself'] },
  },
  network_device: {
    code: 'net.ip_conflict',
    change: { zh: ['店里接了一台新电脑', '装了个新摄像头', '加了一台新设备', '接了新的打印电脑', '网里加了台新的收银机电脑', '装了监控摄像头'], en: ['we added a new computer to the network', 'a new camera was installed', 'a new device was plugged in on the network', 'we installed a new access point', 'another computer was added', 'we put in a new camera'] },
    trouble: { zh: ['老是掉线', '网络时断时续', '一会儿能用一会儿不能用', '经常断网'], en: ['it keeps dropping', 'the connection comes and goes', 'it works on and off', 'it drops offline often'] },
  },
};
const CHANGE_TEMPLATES: Template = {
  zh: ['{c}之后就{t}', '自从{c}，{t}', '{t}，是{c}后开始的', '{c}以后{t}', '{t}，自从{c}就这样', '{c}，从那以后{t}', '前两天{c}，之后{t}', '{c}完就{t}', '{t}，应该是{c}以后才这样的', '{c}，然后就{t}'],
  en: ['Since {c}, {t}', '{T} ever since {c}', '{T}. It started after {c}', 'Right after {c}, {t}', '{C} and now {t}', '{T} since {c}', 'After {c} {t}', '{C}, since then {t}', '{T}; this began right after {c}', '{C}. Afterwards {t}'],
};

/** What people put around a report: greetings, who is speaking, a plea (a blank most of the time). */
const FILLER: { lead: Pool; tail: Pool } = {
  lead: { zh: ['', '你好，', '', '老板说', '', '收银员反映：', '', '麻烦看下，', '', '请问一下，'], en: ['', 'Hi, ', '', 'The cashier says: ', '', 'Hello - ', '', 'Quick question: ', '', 'FYI, '] },
  tail: { zh: ['', '，谢谢', '', '，急！', '', '，怎么办', '', '，麻烦尽快处理', '', '。'], en: ['', ', thanks', '', '. Urgent!', '', ', what should we do?', '', ', please help asap', '', '.'] },
};

const PLAIN: Template = { zh: ['{F}{f}', '今天{F}{f}', '{F}老是{f}，麻烦看看', '这台机器{F}{f}'], en: ['{F} {f}', 'Today {F} {f}', '{F} {f}, please help', 'On this terminal {F} {f}'] };

// ---- generation 2: more wordings and structures (appended, so each pool's first entries keep their split) ----

const more = (p: Pool, extra: Pool): Pool => ({ zh: [...p.zh, ...extra.zh], en: [...p.en, ...extra.en] });

const PARTS_MORE: Record<string, { name: Pool; fails: Pool; works: Pool }> = {
  tap: { name: { zh: ['感应付款', '手机支付'], en: ['NFC', 'contactless cards'] }, fails: { zh: ['完全没反应了', '要贴好几次才行'], en: ["won't register", 'fails more often than not'] }, works: { zh: ['挺好的', '一贴就过'], en: ['works great', 'is perfectly fine'] } },
  chip: { name: { zh: ['插芯片卡', 'IC卡插卡'], en: ['chip payments', 'the card slot'] }, fails: { zh: ['插了半天读不出', '老说读卡失败'], en: ['keep showing a card error', "can't be read"] }, works: { zh: ['一插就过', '没什么问题'], en: ['work perfectly', 'are still fine'] } },
  swipe: { name: { zh: ['磁条', '刷磁卡'], en: ['the stripe reader', 'magnetic stripe cards'] }, fails: { zh: ['刷了读不到', '刷好几次都不行'], en: ["won't read", 'errors out'] }, works: { zh: ['也没问题', '好着呢'], en: ['works great', 'still goes through'] } },
  printer: { name: { zh: ['打印小票', '热敏打印机'], en: ['printed receipts', 'the thermal printer'] }, fails: { zh: ['一张都打不出来', '打不了了'], en: ['prints nothing', "won't print anymore"] }, works: { zh: ['一直能打', '没毛病'], en: ['prints normally', 'is still printing'] } },
  keypad: { name: { zh: ['实体按键', '数字按键'], en: ['the hard keys', 'the physical buttons'] }, fails: { zh: ['有几个按不下去', '按了没用'], en: ["don't register presses", 'are unresponsive'] }, works: { zh: ['按着都正常', '好使'], en: ['respond fine', 'are working'] } },
  touch: { name: { zh: ['屏幕点击', '触控'], en: ['touch input', 'the touch panel'] }, fails: { zh: ['点哪都没反应', '自己乱点'], en: ['does not react', 'registers ghost taps'] }, works: { zh: ['点着都正常', '灵敏'], en: ['responds fine', 'works fine'] } },
  scanner: { name: { zh: ['扫码枪', '扫顾客付款码'], en: ['the QR reader', 'scanning QR codes'] }, fails: { zh: ['扫半天没反应', '一直扫不进去'], en: ["won't read QR codes", 'keeps failing to scan'] }, works: { zh: ['扫得很快', '也正常'], en: ['scans fine', 'reads codes fine'] } },
  battery: { name: { zh: ['电池续航', '电量'], en: ['the battery charge', 'battery'] }, fails: { zh: ['没多久就没电', '撑不到下午'], en: ['dies by noon', 'barely lasts two hours'] }, works: { zh: ['一天都够用', '很耐用'], en: ['lasts the whole day', 'holds its charge'] } },
  network: { name: { zh: ['门店网络', '无线网'], en: ['the store wifi', 'our connection'] }, fails: { zh: [], en: [] }, works: { zh: ['连得好好的', '很稳定'], en: ['is connected', 'is working fine'] } },
  screen: { name: { zh: ['显示屏', '屏'], en: ['the display screen', 'the monitor'] }, fails: { zh: [], en: [] }, works: { zh: ['显示得很清楚', '亮着'], en: ['displays fine', 'looks normal'] } },
};

/** Two working parts ({W2}{w2}), a contrast without a contrast word, the working part told in a sentence of its own. */
const CONTRAST_MORE: Template = {
  zh: ['{W}{w}，{F}却{f}', '{W}{w}的，{F}{f}', '{W}{w}，{W2}{w2}，只有{F}{f}', '现在{F}{f}，{W}{w}，{W2}也{w2}', '{F}{f}。{W}{w}', '别的都正常，就{F}{f}', '{W}{w}，可{F}就是{f}', '{F}{f}，其他的比如{W}都{w}'],
  en: ['{W} {w}, {F} {f} though', '{W} {w} and {W2} {w2}; just {F} {f}', '{F} {f}. Everything else is fine, {W} {w}', '{F} {f} even though {W} {w}', 'Everything else works, only {F} {f}', '{W} {w} as usual but {F} {f}', 'The {Wn} is working, the problem is that {F} {f}', '{F} {f}; {W} on the other hand {w}'],
};
const NEGATION_MORE: Template = {
  zh: ['不是{W}的问题，而是{F}{f}', '问题不在{W}，是{F}{f}', '{W}检查过了没问题，{F}{f}', '{F}{f}，{W}我们试过是好的', '并不是{W}坏了，{F}{f}', '{F}{f}，{W}没有任何问题', '{W}不是问题，主要是{F}{f}', '{F}{f}，和{W}无关'],
  en: ["It's not the {Wn} but {F} {f}", "The problem isn't the {Wn}: {F} {f}", "{F} {f}; we checked the {Wn} and it's fine", "{F} {f}, and no, it's not the {Wn}", 'The {Wn} never had any issue, {F} {f}', '{F} {f}. The {Wn} has nothing to do with it', 'Not a {Wn} problem - {F} {f}', '{F} {f}, the {Wn} is not at fault'],
};
const AMOUNT_MORE: Template = {
  zh: ['顾客说被多扣了钱，{a}的东西扣了{b}', '收银时把{a}按成{b}了', '{a}元的单子收了{b}元，收银员按错了', '本来收{a}，多按了{z}个零'],
  en: ['Customer says we charged {b} for a {a} purchase', 'Cashier hit {b} instead of {a} by mistake', 'A {a} order was billed as {b}', 'Oops, {z} zeros too many on a {a} sale'],
};
const CHANGES_MORE: Record<string, { change: Pool; trouble: Pool }> = {
  update: { change: { zh: ['装了最新的系统补丁', '后台推送了新版本'], en: ['the terminal got an update on Monday', 'we installed the latest version'] }, trouble: { zh: ['一开机就报错', '收款页面打不开'], en: ['it shows an error on startup', 'the payment screen will not open'] } },
  config: { change: { zh: ['后台改了终端参数', '重新设置了商户信息'], en: ['the acquirer pushed new parameters', 'we reset the terminal settings'] }, trouble: { zh: ['提示参数错误', '交易被拒'], en: ['all transactions get rejected', 'it shows a parameter error'] } },
  sim: { change: { zh: ['换了张新的流量卡', '把电信卡换成了移动卡'], en: ['we got a new SIM from another carrier', 'the data SIM was changed'] }, trouble: { zh: ['显示无信号', '一直连不上'], en: ['there is no signal', 'it never gets online'] } },
  moved: { change: { zh: ['把机器挪到了收银台后面', '店里重新装修换了收银台位置'], en: ['we moved the till to the new counter', 'the terminal was carried to the back office'] }, trouble: { zh: ['经常断线', '交易很慢'], en: ['the connection is weak', 'transactions are slow'] } },
  third_party: { change: { zh: ['员工装了个游戏', '装了一个记账软件'], en: ['someone installed a game on it', 'we added a bookkeeping app'] }, trouble: { zh: ['收款软件打不开了', '机器变得特别慢'], en: ['the payment app keeps closing', 'the terminal is really sluggish'] } },
  network_device: { change: { zh: ['新装了一台路由器', '加了个无线AP'], en: ['a new printer was connected to the network', 'we set up a new smart TV on the wifi'] }, trouble: { zh: ['时不时断网', '网一会儿有一会儿没'], en: ['the terminal loses the connection', 'it goes offline now and then'] } },
};
/** The change told after the trouble, in a sentence of its own, or as "fine until …". */
const CHANGE_TEMPLATES_MORE: Template = {
  zh: ['{t}，前几天{c}', '自打{c}，就{t}', '{c}了以后，{t}', '从{c}开始，{t}', '我们{c}，结果{t}', '{t}。之前{c}', '{c}没多久就{t}', '{t}，{c}之前都好好的'],
  en: ['{T}, ever since {c}', '{T} - it was fine until {c}', 'Ever since {c}, {t}', '{C} yesterday, and today {t}', '{T}. {C} last week', 'Until {c} everything was fine; now {t}', 'From the moment {c}, {t}', 'Since {c} {t}'],
};
/** Another part or an action named in passing: the way customers pay now ({U}), what was tried. */
const PASSING_USE: Template = {
  zh: ['{F}{f}，只能让顾客用{U}', '{F}{f}，现在都靠{U}收款', '刚才{F}{f}，我们就让顾客{U}了', '{F}{f}，先用{U}顶着'],
  en: ['{F} {f}, so customers have to use {U} instead', '{F} {f}; we take payments by {U} for now', 'Since this morning {F} {f}; customers pay with {U} meanwhile', '{F} {f}, we switched to {U}'],
};
const PASSING_TRIED: Template = {
  zh: ['{F}{f}，重启了也没用', '{F}{f}，重新开机还是这样', '{F}{f}，已经重启过两次了', '{F}{f}，拔了电源重新插也没用'],
  en: ['{F} {f}; restarting did not help', '{F} {f} even after a reboot', '{F} {f}. Already turned it off and on again', '{F} {f}, unplugged it and plugged it back, no change'],
};
/** Other cards tried (only for the parts that read cards). */
const PASSING_CARDS: Template = {
  zh: ['{F}{f}，换了张卡也一样', '{F}{f}，试了几张卡都不行', '{F}{f}，顾客换了好几张卡', '{F}{f}，不管什么卡都这样'],
  en: ['{F} {f}, tried another card and same thing', '{F} {f}, several cards tried', '{F} {f} with every card we tried', '{F} {f}, same with different cards'],
};
/** What customers can pay with instead, for a failing way to pay. */
const USE: Partial<Record<string, Pool>> = {
  tap: { zh: ['挥卡', '手机碰一碰'], en: ['tap', 'their phones'] },
  chip: { zh: ['插卡', '芯片卡'], en: ['the chip', 'chip and PIN'] },
  swipe: { zh: ['刷磁条', '刷卡'], en: ['the swipe', 'the magstripe'] },
  scanner: { zh: ['扫码', '付款码'], en: ['QR codes', 'the QR code'] },
};
const FILLER_MORE = {
  lead: { zh: ['我们是奶茶店，', '', '早上开门发现', ''], en: ['Store 12 here. ', '', 'Morning, ', ''] },
  tail: { zh: ['，在线等', '', '，顾客都在排队', ''], en: [', customers are waiting', '', ' - please call back', ''] },
};
const PLAIN_MORE: Template = { zh: ['{F}{f}了', '从早上开始{F}就{f}', '{F}好像{f}', '我们店{F}{f}'], en: ['{F} {f} since this morning', 'Looks like {F} {f}', 'Help: {F} {f}', '{F} {f} again'] };

// ---- generation 2, dev split only: more to tune on, never seen by the held-out split ----

const dev = (zh: readonly string[], en: readonly string[]) => ({ zh, en });
const PARTS_DEV: Record<string, { name: Pool['devOnly']; fails: Pool['devOnly']; works: Pool['devOnly'] }> = {
  tap: { name: dev(['NFC感应', '碰卡'], ['contactless payments', 'the tap reader']), fails: dev(['刷不上', '贴了没动静', '感应不灵敏'], ["won't pick up the card", 'just beeps and fails', 'is hit and miss']), works: dev(['没啥问题', '用着挺顺'], ['is working just fine', 'has been fine']) },
  chip: { name: dev(['芯片'], ['chip cards']), fails: dev(['插进去就报错', '老是读卡错误'], ['show a chip error', 'get stuck on reading']), works: dev(['都能过', '一切正常'], ['are accepted', 'still get approved']) },
  swipe: { name: dev(['刷磁条卡'], ['the swipe']), fails: dev(['划了没反应', '刷不动'], ['gets no response', 'has stopped reading']), works: dev(['能刷'], ['reads fine']) },
  printer: { name: dev(['票据打印'], ['the printout']), fails: dev(['不出纸了', '打印没动静'], ['no receipt comes out', 'has stopped printing']), works: dev(['打印正常', '出纸正常'], ['prints ok', 'is printing fine']) },
  keypad: { name: dev(['按钮'], ['the keys']), fails: dev(['按下去没反应', '有的键不灵'], ['are not responding', 'some keys do nothing']), works: dev(['按着没问题'], ['respond normally']) },
  touch: { name: dev(['屏幕触控'], ['the screen touch']), fails: dev(['点了没用', '触摸失灵'], ['stopped responding', 'does not register taps']), works: dev(['触摸灵敏'], ['responds normally']) },
  scanner: { name: dev(['扫码功能'], ['the QR code reader']), fails: dev(['扫不了码', '对着付款码没反应'], ["can't read the QR", 'does not pick up codes']), works: dev(['扫码很快'], ['scans normally']) },
  battery: { name: dev(['电池电量'], ['the battery pack']), fails: dev(['充满电两小时就没了', '电掉得特别快'], ['is empty after two hours', 'dies quickly']), works: dev(['电很足'], ['is holding up']) },
  network: { name: dev(['网'], ['the Wi-Fi']), fails: dev([], []), works: dev(['网速很快', '连着呢'], ['is online', 'connects fine']) },
  screen: { name: dev(['显示器'], ['the screen display']), fails: dev([], []), works: dev(['显示没问题'], ['is clear']) },
};
const CONTRAST_DEV = dev(
  ['{W}{w}，唯独{F}{f}', '{F}{f}，而{W}{w}', '{W}和{W2}都没问题，{F}却{f}', '{F}{f}，别的像{W}都还{w}', '{W}{w}，偏偏{F}{f}', '{F}{f}，{W}{w}，真奇怪'],
  ['{W} {w}, it is only {F} that {f}', '{F} {f}, meanwhile {W} {w}', 'All good with {W}, but {F} {f}', '{W} {w} and {W2} {w2}, {F} however {f}', '{W} {w}. {F}, on the other hand, {f}', 'Strange: {F} {f} but {W} {w}'],
);
const NEGATION_DEV = dev(
  ['{W}应该没问题，{F}{f}', '{F}{f}，{W}是好的', '我们查了{W}，没问题，{F}{f}', '{F}{f}，不关{W}的事', '{W}肯定没坏，{F}{f}', '{F}{f}，{W}那边我看过了，正常', '别怀疑{W}，{F}{f}', '{F}{f}，原因不在{W}'],
  ['{F} {f}, so it is not the {Wn}', 'I doubt it is the {Wn}; {F} {f}', 'The {Wn} checks out fine but {F} {f}', "{F} {f} - don't think the {Wn} is involved", '{F} {f}; the {Wn} is definitely not the cause', 'Forget the {Wn}, {F} {f}', 'The {Wn} is not to blame: {F} {f}', '{F} {f}, and the {Wn} checks out'],
);
const PASSING_USE_DEV = dev(['{F}{f}，让顾客改用{U}', '{F}{f}，暂时都用{U}', '{F}{f}，这两天都是{U}'], ['{F} {f}, we are using {U} as a workaround', '{F} {f} so we rely on {U}', '{F} {f}, so we ask people for {U}']);
const PASSING_TRIED_DEV = dev(['{F}{f}，关机再开也不行', '{F}{f}，重启好几次都没用'], ['{F} {f}, a restart changed nothing', '{F} {f}; we rebooted twice already']);
const PASSING_CARDS_DEV = dev(['{F}{f}，好几张卡都试了'], ['{F} {f}, different cards give the same result']);
const CHANGE_TEMPLATES_DEV = dev(
  ['{c}，结果{t}', '{t}，可能跟{c}有关', '自从前天{c}，{t}', '{t}，{c}那天开始的', '上周{c}，这几天{t}', '{t}，我怀疑是{c}的原因'],
  ['{T}, probably because {c}', 'We think it is since {c}: {t}', '{C} on Friday; since then {t}', '{T}. Could it be because {c}?', '{C} two days ago; {t} since', 'We suspect {c}: {t}'],
);
const CHANGES_DEV: Record<string, { change: Pool['devOnly']; trouble: Pool['devOnly'] }> = {
  update: { change: dev(['系统升级了'], ["last night's update was installed"]), trouble: dev(['一直卡在启动页面'], ['it is stuck on the start screen']) },
  config: { change: dev(['服务商改了配置'], ['the provider changed our configuration']), trouble: dev(['刷卡全部失败'], ['card payments all fail']) },
  sim: { change: dev(['新办了一张流量卡换上'], ['we swapped in a SIM from a different carrier']), trouble: dev(['显示没有网络'], ['it says no network']) },
  moved: { change: dev(['收银台搬到了地下室'], ['we moved the terminal to the basement']), trouble: dev(['付款总是超时'], ['payments keep timing out']) },
  third_party: { change: dev(['装了个会员积分软件'], ['someone installed a loyalty program']), trouble: dev(['收款程序总是自己退出'], ['the payment app quits by itself']) },
  network_device: { change: dev(['店里加了一台监控录像机'], ['we plugged a new laptop into the router']), trouble: dev(['网络老是断'], ['the connection drops every few minutes']) },
};
const AMOUNT_DEV = dev(['收银员手滑，{a}打成了{b}', '{a}的单子刷成了{b}', '{a}块钱的东西，结果扣了顾客{b}块'], ['The cashier entered {b} when it should have been {a}', 'Charged {b} on a {a} bill by accident', 'We accidentally charged {b} for something that costs {a}']);
const PLAIN_DEV = dev(['{F}{f}，怎么回事', '店里这台{F}{f}，一上午了', '{F}突然{f}'], ['{F} {f}, any idea why?', 'Since lunch {F} {f}', 'Our {F} {f} all of a sudden']);
const FILLER_DEV = {
  lead: dev(['师傅，', '', '打扰一下，'], ['Hey team, ', '', 'Hello support. ']),
  tail: dev(['，生意都做不了了', '', '，谢谢师傅'], [', losing sales here', '', ', cheers']),
};
const withDev = (p: Pool, d?: Pool['devOnly']): Pool => (d ? { ...p, devOnly: d } : p);

interface Wordings {
  /** Generation 3 has no dev half: all its wordings are held out. */
  heldOutOnly?: boolean;
  passing?: { use: Template; tried: Template; cards: Template };
  use?: Partial<Record<string, Pool>>;
  noun?: Record<(typeof WORKING)[number], readonly string[]>;
  parts: Record<string, Part>;
  contrast: Template;
  negation: Template;
  amount: Template;
  changes: Record<string, Change>;
  changeTemplates: Template;
  filler: { lead: Pool; tail: Pool };
  plain: Template;
}
const GENERATION_1: Wordings = { parts: PARTS, contrast: CONTRAST, negation: NEGATION, amount: AMOUNT, changes: CHANGES, changeTemplates: CHANGE_TEMPLATES, filler: FILLER, plain: PLAIN };
const GENERATION_2: Wordings = {
  parts: Object.fromEntries(
    Object.entries(PARTS).map(([k, p]) => {
      const m = PARTS_MORE[k]!;
      const d = PARTS_DEV[k]!;
      return [k, { ...p, name: withDev(more(p.name, m.name), d.name), fails: withDev(more(p.fails, m.fails), d.fails), works: withDev(more(p.works, m.works), d.works) }];
    }),
  ),
  contrast: withDev(more(CONTRAST, CONTRAST_MORE), CONTRAST_DEV),
  negation: withDev(more(NEGATION, NEGATION_MORE), NEGATION_DEV),
  amount: withDev(more(AMOUNT, AMOUNT_MORE), AMOUNT_DEV),
  changes: Object.fromEntries(
    Object.entries(CHANGES).map(([k, c]) => [k, { ...c, change: withDev(more(c.change, CHANGES_MORE[k]!.change), CHANGES_DEV[k]!.change), trouble: withDev(more(c.trouble, CHANGES_MORE[k]!.trouble), CHANGES_DEV[k]!.trouble) }]),
  ),
  changeTemplates: withDev(more(CHANGE_TEMPLATES, CHANGE_TEMPLATES_MORE), CHANGE_TEMPLATES_DEV),
  filler: { lead: withDev(more(FILLER.lead, FILLER_MORE.lead), FILLER_DEV.lead), tail: withDev(more(FILLER.tail, FILLER_MORE.tail), FILLER_DEV.tail) },
  plain: withDev(more(PLAIN, PLAIN_MORE), PLAIN_DEV),
};

// ---- generation 3 (held-out only): written afresh in December 2026, before the engine was run on it ----
// Every wording here is new (none is in generations 1 and 2) and none was used to tune: its figure is
// measured, never read for tuning. The dev split of generation 3 is generation 2's dev split.

const g3 = (zh: readonly string[], en: readonly string[]): Pool => ({ zh, en });
const PARTS_3: Record<string, Part> = {
  tap: {
    code: 'hw.reader.contactless',
    name: g3(['感应刷卡', '手机闪付付款', '碰卡支付', '非接触支付'], ['tap payments', 'the NFC reader', 'contactless taps', 'phone tapping']),
    fails: g3(['一点反应都没有', '十次有八次失败', '怎么碰都不行', '完全失灵'], ['is not working at all', 'fails nine times out of ten', 'just sits there', 'has quit on us']),
    works: g3(['一碰就成功', '用得好好的', '完全没问题', '很顺畅'], ['goes through first time', 'is working perfectly well', 'has no trouble at all', 'is doing fine']),
  },
  chip: {
    code: 'hw.reader.chip',
    name: g3(['插卡付款', '芯片读卡', 'IC芯片卡'], ['the chip slot', 'dipping cards', 'EMV chip cards']),
    fails: g3(['插进去一直显示读卡失败', '完全读不了', '插了没任何反应'], ['come back with a read error', 'are never read', 'get rejected by the slot']),
    works: g3(['一点问题都没有', '都能正常读', '没出过问题'], ['work every time', 'read without trouble', 'have been okay']),
  },
  swipe: {
    code: 'hw.reader.magstripe',
    name: g3(['划卡', '磁条刷卡'], ['swipe payments', 'the mag stripe']),
    fails: g3(['划了没读到', '刷了好几遍都没用'], ['fails to read', 'gives an error every swipe']),
    works: g3(['也没事', '刷得挺顺'], ['swipes fine', 'still reads']),
  },
  printer: {
    code: 'hw.printer.paper_out',
    name: g3(['小票机', '打印出票'], ['the receipt printer', 'receipt printing']),
    fails: g3(['一张都不出', '完全不打印'], ['prints nothing at all', 'has stopped giving receipts']),
    works: g3(['出票正常', '打得好好的'], ['prints normally', 'is working ok']),
  },
  keypad: {
    code: 'hw.keypad',
    name: g3(['密码数字键', '物理键盘'], ['the number pad', 'the keys on the front']),
    fails: g3(['按下去没有反应', '好几个键按不动'], ['do nothing when pressed', 'stick']),
    works: g3(['都灵', '按起来正常'], ['press fine', 'work normally']),
  },
  touch: {
    code: 'hw.touchscreen',
    name: g3(['触摸屏幕', '屏幕触摸功能'], ['the touch display', 'screen taps']),
    fails: g3(['点了完全没反应', '自己乱点乱跳'], ['do not register', 'keep ghost clicking']),
    works: g3(['点得动', '都好'], ['respond fine', 'work normally']),
  },
  scanner: {
    code: 'hw.scanner',
    name: g3(['扫码器', '扫码收款'], ['the code scanner', 'scanning customer QR codes']),
    fails: g3(['对着码半天扫不出来', '扫不了'], ['cannot read anything', 'will not scan']),
    works: g3(['挺快', '扫得出来'], ['scans quickly', 'reads codes ok']),
  },
  battery: {
    code: 'hw.battery.degraded',
    name: g3(['电池续航能力', '电池'], ['the battery', 'the battery life']),
    fails: g3(['充满电撑不过两个小时', '电掉得飞快'], ['is dead within two hours', 'drains in no time']),
    works: g3(['很持久', '挺耐用'], ['lasts all shift', 'holds charge well']),
  },
  network: { code: 'net.site.outage', name: g3(['店里网络', 'wifi信号'], ['the shop internet', 'the wireless']), fails: g3([], []), works: g3(['很通畅', '很好'], ['is up and running', 'has a strong signal']) },
  screen: { code: 'hw.display', name: g3(['屏幕显示', '显示屏幕'], ['the display', 'the screen image']), fails: g3([], []), works: g3(['清楚', '好好的'], ['looks clear', 'shows everything fine']) },
};
const NOUN_3: Record<(typeof WORKING)[number], readonly string[]> = {
  tap: ['NFC reader'],
  chip: ['chip slot'],
  printer: ['receipt printer'],
  network: ['wifi'],
  screen: ['display'],
  keypad: ['keypad'],
  scanner: ['scanner'],
  battery: ['battery'],
};
const GENERATION_3: Wordings = {
  heldOutOnly: true,
  parts: PARTS_3,
  noun: NOUN_3,
  contrast: g3(
    ['{W}{w}，{F}反倒{f}', '{W}没事，{F}{f}', '{F}{f}，{W}倒{w}', '说来奇怪，{W}{w}，{F}却{f}', '{W}{w}；{F}{f}', '{F}{f}，但是{W}和{W2}都正常'],
    ['{W} {w} but {F} {f}', '{F} {f}, yet {W} {w}', 'While {W} {w}, {F} {f}', '{W} {w}. {F}, though, {f}', '{F} {f}, the rest including {W} is fine', 'Funny thing: {F} {f} and {W} {w}'],
  ),
  negation: g3(
    ['不是{W}的毛病，而是{F}{f}', '{W}没问题的，{F}{f}', '{W}正常，{F}{f}', '{F}{f}，{W}不是原因', '毛病不是出在{W}，是{F}{f}', '{W}那块没坏，{F}{f}', '{F}{f}，这事跟{W}不相干', '坏的不是{W}，是{F}，{f}'],
    ["It isn't the {Wn} that's broken, {F} {f}", 'The {Wn} is fine; {F} {f}', "{F} {f}. We know it's not the {Wn}", 'Not the {Wn} - {F} {f}', 'The {Wn} is not the issue: {F} {f}', "{F} {f}, the {Wn} isn't involved", "There's nothing the matter with the {Wn}, {F} {f}", "It's not the {Wn} that has a problem, it's {F}: it {f}"],
  ),
  amount: g3(
    ['收银员把{a}录入成了{b}元', '应付{a}，机器上输的是{b}', '按错了，{a}变{b}', '{a}元的账单扣成了{b}'],
    ['The clerk keyed {b} for a bill of {a}', 'We took {b} from a customer who owed {a}', 'Wrong total keyed: {b} instead of {a}', 'A {a} sale was rung up at {b} by mistake'],
  ),
  changes: {
    update: { code: 'sw.update.regression', change: g3(['前天更新了系统', '软件自动升了新版'], ['the app was upgraded on Tuesday', 'a software update went in']), trouble: g3(['动不动就闪退', '经常死机'], ['the app crashes a lot', 'it hangs every few sales']) },
    config: { code: 'sw.config.invalid', change: g3(['服务商远程改了参数', '我们调了一下终端设置'], ['the bank changed our terminal parameters', 'we edited some settings']), trouble: g3(['交易全被拒', '提示商户信息错误'], ['every card is refused', 'it reports an invalid merchant']) },
    sim: { code: 'net.sim', change: g3(['换了张联通的卡', '换了新的流量卡'], ['we put in a SIM from a new provider', 'the SIM got replaced']), trouble: g3(['一直没信号', '上不了网'], ['there is no mobile data', 'it never connects']) },
    moved: { code: 'net.signal.weak', change: g3(['把机器挪到了里间', '收银台换了位置'], ['we moved the till into the back', 'the terminal went to a new spot upstairs']), trouble: g3(['信号特别弱', '交易老超时'], ['the signal is bad', 'payments keep timing out']) },
    third_party: { code: 'sw.third_party.conflict', change: g3(['装了个点餐软件', '装了一个清理软件'], ['we installed a food ordering app', 'an extra app got installed']), trouble: g3(['收款软件老崩', '机器卡得要命'], ['the payment app keeps shutting down', 'everything is very laggy']) },
    network_device: { code: 'net.ip_conflict', change: g3(['店里新接了一台电脑', '装了一台网络摄像头'], ['we hooked up a new PC to the network', 'a security camera was added to our network']), trouble: g3(['经常掉线', '网时有时无'], ['it drops off the network', 'the connection keeps cutting out']) },
  },
  changeTemplates: g3(['{c}，打那以后{t}', '{t}，就是{c}之后开始的', '{c}之后没多久，{t}', '自{c}起{t}'], ['{C}, and since then {t}', '{T}, this started once {c}', 'Ever since {c} {t}', '{T}. Before {c} it was fine']),
  filler: { lead: g3(['', '您好，', '', '店长让我问下，'], ['', 'Hello, ', '', 'Support: ']), tail: g3(['', '，多谢', '', '，怎么处理'], ['', ', thank you', '', ', what now?']) },
  plain: g3(['{F}{f}啊', '请帮忙，{F}{f}', '{F}又{f}'], ['Our {F} {f}', '{F} {f}, can you help', 'Hi, {F} {f} today']),
  passing: {
    use: g3(['{F}{f}，只好叫顾客{U}', '{F}{f}，目前靠{U}'], ['{F} {f}; customers are paying by {U} for now', '{F} {f} so we told people to use {U}']),
    tried: g3(['{F}{f}，关了再开也没好', '{F}{f}，重启两次了还是一样'], ['{F} {f}, rebooting made no difference', '{F} {f}; we power cycled it, still the same']),
    cards: g3(['{F}{f}，换别的卡也一样', '{F}{f}，每张卡都这样'], ['{F} {f}, other cards too', '{F} {f} no matter which card']),
  },
  use: { tap: g3(['手机碰'], ['tapping']), chip: g3(['插卡'], ['chip']), swipe: g3(['刷卡'], ['swiping']), scanner: g3(['扫码'], ['QR']) },
};

/** The even (dev) or odd (held-out) entries of a pool. */
const half = (xs: readonly string[], split: PhrasingSplit): readonly string[] => {
  const h = xs.filter((_, i) => (i % 2 === 0) === (split === 'dev'));
  return h.length ? h : xs;
};
/** A split's wordings of a pool: its half, and for dev the dev-only wordings. */
const side = (p: Pool, lang: 'zh' | 'en', split: PhrasingSplit, all = false): readonly string[] => {
  if (all) return p[lang];
  const h = half(p[lang], split);
  return split === 'dev' && p.devOnly ? [...h, ...p.devOnly[lang]] : h;
};
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface PhrasingOptions {
  seed?: number;
  split?: PhrasingSplit;
  /** Reports per kind (default 120), half of them in each language. */
  perKind?: number;
  kinds?: readonly PhrasingKind[];
  /** 2 (default): the richer set; 1: the first set, as it was, to compare with; 3: held-out only (its dev split is generation 2's). */
  generation?: PhrasingGeneration;
}

export const PHRASING_SEED = 20_261_207;

export function phrasedCases(opts: PhrasingOptions = {}): PhrasedCase[] {
  const split = opts.split ?? 'dev';
  // Generation 3 is held out as a whole; asked for its dev split, it gives generation 2's.
  const generation = opts.generation === 3 && split === 'dev' ? 2 : (opts.generation ?? 2);
  const words = generation === 1 ? GENERATION_1 : generation === 3 ? GENERATION_3 : GENERATION_2;
  // The held-out split has a seed of its own as well as phrases of its own; generation 2 draws anew.
  const seed = (opts.seed ?? PHRASING_SEED) + (split === 'held-out' ? 7919 : 0) + (generation === 2 ? 104_729 : generation === 3 ? 1_299_709 : 0);
  const perKind = opts.perKind ?? 120;
  const out: PhrasedCase[] = [];
  const kinds = opts.kinds ?? (generation === 1 ? PHRASING_KINDS.filter((k) => k !== 'passing') : PHRASING_KINDS);
  for (const kind of kinds) {
    for (let i = 0; i < perKind; i++) {
      const rng = Rng.derive(seed, 'phrasing', kind, i);
      const lang = i % 2 === 0 ? 'zh' : 'en';
      const composed = compose(rng, kind, lang, split, words);
      const code = composed.code;
      const pool = (p: Pool) => rng.pick(side(p, lang, split, words.heldOutOnly));
      let text = finish(`${pool(words.filler.lead)}${composed.text}${pool(words.filler.tail)}`, lang);
      // Generations 2 and 3: one report in five typed as in a chat, without commas or apostrophes.
      if (generation >= 2 && rng.chance(0.2)) text = casual(text, lang);
      const id = `phr-${split}-${kind}-${String(i + 1).padStart(3, '0')}`;
      const langCode = lang === 'zh' ? ('zh-CN' as const) : ('en-US' as const);
      out.push({
        case: {
          schema: 'poscare.diagnosis-case/v1',
          id,
          now: '2026-12-07T14:00:00+08:00',
          lang: langCode,
          terminal: { id: `T-${id}` },
          report: { text, source: 'merchant', at: '2026-12-07T13:55:00+08:00' },
        },
        label: { code, scope: SCOPES[code] ?? 'terminal' },
        meta: { kind, split, lang: langCode, text, generation },
      });
    }
  }
  return out;
}

/** As typed in a chat: Chinese commas as spaces; English in lower case without commas or apostrophes. */
const casual = (s: string, lang: 'zh' | 'en') => (lang === 'zh' ? s.replace(/，/g, ' ') : s.toLowerCase().replace(/[,']/g, ''));

/** The scope each cause's rule names from words alone. */
const SCOPES: Record<string, DiagnosisScope> = { 'sw.update.regression': 'fleet', 'net.site.outage': 'site' };

function compose(rng: Rng, kind: PhrasingKind, lang: 'zh' | 'en', split: PhrasingSplit, words: Wordings): { text: string; code: string } {
  const pick = (p: Pool) => rng.pick(side(p, lang, split, words.heldOutOnly));
  const use = words.use ?? USE;
  const noun = words.noun ?? NOUN;
  switch (kind) {
    case 'plain':
    case 'contrast':
    case 'negation':
    case 'passing': {
      const f = rng.pick(FAILING);
      const F = words.parts[f]!;
      const slots: Slots = { F: pick(F.name), f: pick(F.fails) };
      if (kind === 'plain') return { text: finish(fill(pick(words.plain), slots), lang), code: F.code };
      if (kind === 'passing') {
        const others = Object.keys(use).filter((x) => x !== f);
        const instead = use[f] !== undefined && rng.chance(0.6);
        if (instead) slots.U = pick(use[rng.pick(others)]!);
        const cards = ['tap', 'chip', 'swipe'].includes(f) && rng.chance(0.5);
        const p = words.passing ?? { use: withDev(PASSING_USE, PASSING_USE_DEV), cards: withDev(PASSING_CARDS, PASSING_CARDS_DEV), tried: withDev(PASSING_TRIED, PASSING_TRIED_DEV) };
        const template = instead ? p.use : cards ? p.cards : p.tried;
        return { text: finish(fill(pick(template), slots), lang), code: F.code };
      }
      const w = rng.pick(WORKING.filter((x) => x !== f && !(f === 'printer' && x === 'printer')));
      const W = words.parts[w]!;
      Object.assign(slots, { W: pick(W.name), w: pick(W.works), Wn: rng.pick(words.heldOutOnly ? noun[w] : half(noun[w], split)) });
      if (words === GENERATION_2 || words === GENERATION_3) {
        // A second working part, for the templates that name two.
        const W2 = words.parts[rng.pick(WORKING.filter((x) => x !== f && x !== w))]!;
        Object.assign(slots, { W2: pick(W2.name), w2: pick(W2.works) });
      }
      return { text: finish(fill(pick(kind === 'contrast' ? words.contrast : words.negation), slots), lang), code: F.code };
    }
    case 'amount': {
      const a = rng.chance(0.3) ? rng.int(10, 99) + rng.pick([0.5, 0.8, 0]) : rng.int(8, 480);
      const k = rng.pick([1, 2, 2, 3]);
      const z = k;
      const big = Math.round(a * 10 ** k * 100) / 100;
      // Now and then the amount came out too small (the decimal point typed too early).
      const [right, wrong] = rng.chance(0.2) ? [big, a] : [a, big];
      const zeros = lang === 'zh' ? ['一', '两', '三'][z - 1]! : String(z);
      return { text: finish(fill(pick(words.amount), { a: String(right), b: String(wrong), z: zeros }), lang), code: 'op.input.error' };
    }
    case 'change': {
      const c = words.changes[rng.pick(Object.keys(words.changes))]!;
      const ch = pick(c.change);
      const t = pick(c.trouble);
      return { text: finish(fill(pick(words.changeTemplates), { c: ch, t, C: capital(ch), T: capital(t) }), lang), code: c.code };
    }
  }
}

const finish = (s: string, lang: 'zh' | 'en') => (lang === 'en' ? capital(s.trim()) : s.trim());
