/**
 * What a shop clerk says on the phone or types into the portal: symptoms in their own words, in
 * Chinese or English, sometimes vague. Never a cause code, never the diagnosis vocabulary (the fault
 * taxonomy's titles): the engine has to get from "挥卡没反应" to the contactless reader by itself.
 */
import type { Language } from '../fleet.js';
import type { Rng } from '../random.js';

interface Phrases {
  zh: readonly string[];
  en: readonly string[];
}

export const SYMPTOMS = {
  tap_fails: {
    zh: ['挥卡没反应', '顾客手机碰一下付不了', '闪付老是失败，只能插卡', '挥卡要试好几次才行', '拍卡付款一直不成功', '顾客用手机贴一下没反应，插卡倒是可以'],
    en: ["tap doesn't work", 'contactless payments keep failing', 'customers have to insert because tapping fails', 'phone and card taps are not picked up', 'tapping takes several tries', 'Apple Pay taps do nothing, inserting works'],
  },
  chip_fails: {
    zh: ['插卡读不出来', '芯片卡插进去没反应，只能刷', '插卡老是提示重新插卡', '顾客插卡好几次都不行', '插卡付款总失败，刷磁条才过'],
    en: ["chip cards won't read", 'inserting the card fails, we end up swiping', 'it keeps saying reinsert card', 'chip payments fail again and again', 'cards only work if we swipe them'],
  },
  swipe_fails: {
    zh: ['刷卡刷不过去', '磁条卡刷了没反应', '刷卡要刷好多遍', '老卡刷一下总是失败'],
    en: ["swiping doesn't work", 'swiped cards are not read', 'we have to swipe many times', 'swipe cards fail every time'],
  },
  no_receipt: {
    zh: ['不出小票', '付款成功了但小票打不出来', '小票出不来', '收完款打印没反应'],
    en: ['receipt not printing', 'payment goes through but no receipt', 'no receipts coming out', 'printer does nothing after payment'],
  },
  paper: {
    zh: ['小票打出来边上有红条，现在干脆不出了', '打印纸好像没了', '机器一直滴滴响，小票不出来'],
    en: ['receipts had a red stripe and now nothing comes out', 'I think the roll ran out', 'it keeps beeping and no receipt'],
  },
  jam: {
    zh: ['小票卡在出纸口出不来', '打印的时候咔咔响，纸不出来', '纸卡住了，拽出来还是不行'],
    en: ['the receipt gets stuck in the slot', 'printer makes a grinding noise and nothing comes out', 'paper keeps getting stuck'],
  },
  printer_error: {
    zh: ['打印机报错，小票打不了', '打出来是白纸', '小票越打越淡，后来干脆不打了'],
    en: ["printer shows an error and won't print", 'receipts come out blank', 'printing got faint and then stopped'],
  },
  battery_short: {
    zh: ['电池不耐用，充满了用不了多久', '拿下底座一会儿就没电了', '电量掉得特别快'],
    en: ['battery drains really fast', 'terminal dies after a couple of hours off the base', "battery doesn't last anymore"],
  },
  battery_dead: {
    zh: ['机器没电关机了', '拿去桌边收款，突然黑屏了', '开不了机，好像没电了', '一直提示电量低然后关机了'],
    en: ['terminal died in the middle of the shift', "the screen went black and it won't turn on", 'it kept warning about battery and then switched off'],
  },
  not_charging: {
    zh: ['放在底座上也不充电', '充电器插着电量还在掉', '充不进电'],
    en: ["it's on the charger but the battery keeps dropping", 'not charging on the base', 'plugged in but the battery goes down'],
  },
  hot: {
    zh: ['机器摸着很烫', '机器发烫，反应很慢', '放在窗边晒着，机器很热还自己重启'],
    en: ['the terminal is very hot to the touch', 'it gets really hot and slow', 'it sits in the sun and gets hot, then restarts'],
  },
  damp: {
    zh: ['按键不灵，按了没反应', '最近店里很潮，机器按键时好时坏', '插卡刷卡都不太灵，按钮也不好按'],
    en: ["keys don't respond properly", "the keypad is acting weird, it's been damp in here", 'card reads fail and buttons stick'],
  },
  restarts: {
    zh: ['机器老是自己重启', '屏幕闪一下就重启了', '一天重启好几次，店里灯也闪'],
    en: ['terminal keeps restarting by itself', 'it reboots randomly', 'the screen flickers and it restarts'],
  },
  timeouts: {
    zh: ['交易经常超时', '付款要等很久，经常超时要重试', '刷卡后一直转圈，最后提示超时'],
    en: ['payments time out a lot', 'transactions keep timing out, we retry several times', 'it spins forever then says timeout'],
  },
  low_bars: {
    zh: ['机器上信号格很少', '拿到里面就没信号了'],
    en: ['signal bars are low', 'no bars in the back of the shop'],
  },
  slow: {
    zh: ['付款特别慢', '每笔都要等半天', '交易很慢，有时候失败'],
    en: ['payments are really slow', 'every payment takes ages', 'slow, and sometimes it fails'],
  },
  offline_all: {
    zh: ['店里几台POS都连不上网', '所有机器都显示没网络', '收银台的机器全断网了', '店里网络断了，刷不了卡'],
    en: ['all our terminals are offline', 'none of the machines can connect', 'the whole shop lost connection', 'every terminal says no network'],
  },
  others_offline: {
    zh: ['店里别的机器都没网了，就这台还能用', '其他收银台都断网了，只有这台可以刷'],
    en: ['the other terminals are all offline, only this one works', 'all the other tills lost connection but this one is fine'],
  },
  cannot_connect: {
    zh: ['交易都失败，提示连不上', '刷卡后说连接失败', '网是通的，但是交易发不出去', '一直连不上银行'],
    en: ["can't connect, every payment fails", 'says connection failed after each card', "the internet works but payments don't go through", 'cannot reach the bank'],
  },
  no_network: {
    zh: ['机器显示没网络', '这台机器连不上网了', '没信号，付不了款', '屏幕上说SIM卡有问题'],
    en: ['terminal shows no network', 'this one is offline', "no connection, can't take payments", 'the screen says something about the SIM'],
  },
  went_dark: {
    zh: ['机器突然黑屏了', '收银台那台机器开不了机', '机器不亮了，按开机键也没反应', '这台POS突然灭了'],
    en: ['the terminal suddenly went dark', "the counter terminal won't switch on", 'the screen is off and the power button does nothing', 'this terminal just died'],
  },
  drops: {
    zh: ['网络时断时续', '一会儿能用一会儿不能用', '老是掉线'],
    en: ['keeps dropping offline', 'connection goes on and off', 'works for a while, then offline again'],
  },
  app_crash: {
    zh: ['支付程序老是闪退', '收款软件自己关掉了', '机器老死机，要重启', '点收款就退出'],
    en: ['the payment app keeps closing', 'app crashes all the time', 'it freezes and restarts', 'the app quits when we start a payment'],
  },
  after_update: {
    zh: ['升级之后老死机', '更新了以后就不好用了', '更新完程序老闪退', '自动升级后交易老出错'],
    en: ['since the update it keeps freezing', 'after the update payments fail', 'app crashes since it updated', "it updated itself and now it's unreliable"],
  },
  all_fail: {
    zh: ['所有交易都做不了', '一笔都刷不了', '刷什么卡都失败'],
    en: ['no payment goes through at all', 'every transaction fails', 'nothing works, all cards fail'],
  },
  keys_hint: {
    zh: ['提示要重新下载什么密钥', '屏幕上提示密钥，交易做不了'],
    en: ['it says something about keys', "the screen mentions keys and payments won't start"],
  },
  wrong_time: {
    zh: ['小票上的时间不对', '机器时间慢了好久', '打出来的日期时间不对'],
    en: ['receipt shows the wrong time', 'the clock on the terminal is way off', 'time on the slips is wrong'],
  },
  sluggish: {
    zh: ['机器很卡', '提示空间不够', '操作很慢，有时候交易出错'],
    en: ['terminal is very sluggish', 'it says storage is low', 'slow and sometimes a payment errors'],
  },
  host_errors: {
    zh: ['交易一直失败，提示系统故障', '刷卡后显示交易失败，说稍后再试', '好几笔都超时了', '付款失败，说交换中心不可用'],
    en: ['payments failing with system error', 'says try again later on every card', 'lots of timeouts and declines all of a sudden', 'it says issuer or switch inoperative'],
  },
  card_declined_one: {
    zh: ['有个顾客的卡一直付不了，别人的卡没问题', '一张卡刷了几次都被拒', '顾客说卡被拒了，换张卡就可以'],
    en: ["one customer's card keeps getting declined", 'a single card is refused, others are fine', "customer's card declined several times"],
  },
  card_unreadable_one: {
    zh: ['有张卡插进去读不了，只能刷磁条', '顾客的卡读不出来，其他人的可以'],
    en: ["one customer's card won't read, others are fine", 'a card fails on insert and only works by swiping'],
  },
  card_pin: {
    zh: ['顾客说交易失败，提示密码错误', '顾客密码输了几次都不对', '顾客的卡提示密码次数超限'],
    en: ['customer says it keeps saying incorrect PIN', 'PIN rejected several times', 'it says PIN tries exceeded'],
  },
  sign_on: {
    zh: ['刷卡提示要先签到', '早上开始一笔都做不了，说要签到', '屏幕说请签到'],
    en: ['it asks to sign on first', 'since opening nothing works, it wants a sign-on', 'says please sign on'],
  },
  settle: {
    zh: ['提示要先结算，做不了交易', '说流水满了', '交易做不了，一直提示结算'],
    en: ["says batch full, can't take payments", 'it wants us to settle first', 'keeps asking to settle'],
  },
  security: {
    zh: ['机器屏幕上出现红色警告，用不了了', '屏幕显示英文TAMPERING，什么都做不了', '机器好像被人动过，现在锁住了'],
    en: ["screen shows a red security warning and won't take payments", 'it says tampering detected and is locked', 'terminal is locked with a security message'],
  },
  false_alarm: {
    zh: ['刚才有一笔没成功，现在好像好了', '顾客说付款慢，帮忙看看', '想确认下机器是不是正常'],
    en: ['one payment failed earlier, seems fine now', 'a customer said it was slow, can you check', 'just want to check the terminal is ok'],
  },
  vague: {
    zh: ['机器老出问题', '这台POS不太对劲', '收款不太正常，麻烦看一下', '机器有毛病'],
    en: ['POS acting up', 'something is wrong with the terminal', 'the machine is playing up', 'payments not working properly'],
  },
} as const satisfies Record<string, Phrases>;

export type Symptom = keyof typeof SYMPTOMS;

const LEAD_IN: Phrases = {
  zh: ['', '', '', '今天', '刚才开始', '这一个多小时'],
  en: ['', '', '', 'Today: ', 'For the last hour or so, ', 'Since earlier, '],
};
const MANY: Phrases = {
  zh: ['，店里其他几台也一样', '，不止一台', '，好几台都这样'],
  en: [' - same on the other terminals here', ', on all the terminals in the shop', ', several tills have this'],
};

export interface ReportOptions {
  language: Language;
  /** The most telling first. */
  symptoms: readonly Symptom[];
  /** Lead with the most telling symptom. */
  telling?: boolean;
  /** Say it as vaguely as people often do. */
  vague?: boolean;
  /** The whole site has it. */
  many?: boolean;
}

export function merchantReport(rng: Rng, o: ReportOptions): string {
  const lang = o.language === 'zh-CN' ? 'zh' : 'en';
  const symptom: Symptom = o.vague || o.symptoms.length === 0 ? 'vague' : o.telling ? o.symptoms[0]! : rng.pick(o.symptoms);
  let text = rng.pick(SYMPTOMS[symptom][lang]);
  const lead = rng.pick(LEAD_IN[lang]);
  // No lead-in when the phrase already says when.
  if (!/最近|今天|早上|一天|升级|更新|since|today|update/i.test(text)) text = lead + text;
  if (o.many) text += rng.pick(MANY[lang]);
  // Two symptoms, as people tend to list what they see.
  if (!o.vague && o.symptoms.length > 1 && rng.chance(0.3)) {
    const other = rng.pick(o.symptoms.filter((s) => s !== symptom));
    text += lang === 'zh' ? `，${rng.pick(SYMPTOMS[other].zh)}` : `; ${rng.pick(SYMPTOMS[other].en)}`;
  }
  return lang === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
