/**
 * What the service-desk seed (seedDesk.ts) is made of, as data: how often each cause of the fault
 * taxonomy turns into a ticket, the clerk's words for it (the simulator's phrases, plus our own for the
 * causes the simulator only describes vaguely), plans, comments, regions and knowledge-base templates.
 * Figures shape realistic data; they are not measurements.
 */
import type { FaultCategory } from '@poscare/codes';

type Phrases = { zh: readonly string[]; en: readonly string[] };

/**
 * Relative frequency of each cause among tickets, and the simulator's symptom keys
 * (packages/simulator/src/cases/reports.ts) a merchant would use to describe it.
 */
export const CAUSE_MIX: readonly { code: string; weight: number; symptoms: readonly string[] }[] = [
  { code: 'hw.reader.chip', weight: 6, symptoms: ['chip_fails'] },
  { code: 'hw.reader.contactless', weight: 6, symptoms: ['tap_fails'] },
  { code: 'hw.reader.magstripe', weight: 2, symptoms: ['swipe_fails'] },
  { code: 'hw.printer.paper_out', weight: 9, symptoms: ['paper', 'no_receipt'] },
  { code: 'hw.printer.jam', weight: 3, symptoms: ['jam', 'no_receipt'] },
  { code: 'hw.printer.fault', weight: 2, symptoms: ['printer_error', 'no_receipt'] },
  { code: 'hw.battery.degraded', weight: 4, symptoms: ['battery_short'] },
  { code: 'hw.battery.depleted', weight: 3, symptoms: ['battery_dead'] },
  { code: 'hw.power.adapter', weight: 2, symptoms: ['not_charging'] },
  { code: 'hw.keypad', weight: 1, symptoms: [] },
  { code: 'hw.touchscreen', weight: 1.5, symptoms: [] },
  { code: 'hw.display', weight: 1, symptoms: [] },
  { code: 'hw.pinpad', weight: 0.7, symptoms: ['all_fail'] },
  { code: 'hw.scanner', weight: 1.5, symptoms: [] },
  { code: 'hw.peripheral.link', weight: 0.7, symptoms: [] },
  { code: 'sw.app.crash', weight: 4, symptoms: ['app_crash'] },
  { code: 'sw.app.overload', weight: 1.5, symptoms: ['sluggish', 'app_crash'] },
  { code: 'sw.os.fault', weight: 1, symptoms: ['restarts'] },
  { code: 'sw.update.regression', weight: 1.5, symptoms: ['after_update'] },
  { code: 'sw.update.failed', weight: 1.5, symptoms: ['after_update'] },
  { code: 'sw.config.invalid', weight: 2, symptoms: ['all_fail', 'cannot_connect'] },
  { code: 'sw.keys.missing', weight: 3, symptoms: ['keys_hint'] },
  { code: 'sw.storage.full', weight: 1, symptoms: ['sluggish'] },
  { code: 'sw.third_party.conflict', weight: 0.5, symptoms: ['app_crash'] },
  { code: 'sw.clock.skew', weight: 0.7, symptoms: ['wrong_time'] },
  { code: 'net.signal.weak', weight: 4, symptoms: ['low_bars', 'drops'] },
  { code: 'net.site.outage', weight: 3, symptoms: ['offline_all'] },
  { code: 'net.dns', weight: 1, symptoms: ['cannot_connect'] },
  { code: 'net.firewall', weight: 0.8, symptoms: ['cannot_connect'] },
  { code: 'net.ip_conflict', weight: 0.5, symptoms: ['drops'] },
  { code: 'net.latency', weight: 2, symptoms: ['slow', 'timeouts'] },
  { code: 'net.sim', weight: 3, symptoms: ['no_network'] },
  { code: 'op.pin.wrong', weight: 2, symptoms: ['card_pin'] },
  { code: 'op.card.misuse', weight: 2, symptoms: ['chip_fails', 'tap_fails'] },
  { code: 'op.input.error', weight: 2.5, symptoms: [] },
  { code: 'op.not_signed_in', weight: 4, symptoms: ['sign_on'] },
  { code: 'op.settlement.overdue', weight: 3, symptoms: ['settle'] },
  { code: 'env.temperature', weight: 0.8, symptoms: ['hot'] },
  { code: 'env.humidity', weight: 0.6, symptoms: ['damp'] },
  { code: 'env.em_interference', weight: 0.3, symptoms: ['tap_fails', 'restarts'] },
  { code: 'env.power.unstable', weight: 1, symptoms: ['restarts'] },
  { code: 'ext.card.damaged', weight: 1.5, symptoms: ['card_unreadable_one'] },
  { code: 'ext.card.expired', weight: 1, symptoms: ['card_declined_one'] },
  { code: 'ext.card.unsupported', weight: 1, symptoms: ['card_declined_one'] },
  { code: 'ext.issuer.decline', weight: 2, symptoms: ['card_declined_one'] },
  { code: 'ext.host.outage', weight: 1.5, symptoms: ['host_errors'] },
  { code: 'sec.tamper', weight: 0.5, symptoms: ['security'] },
  { code: 'sec.skimming.suspected', weight: 0.3, symptoms: [] },
  { code: 'sec.credential.misuse', weight: 0.2, symptoms: [] },
];

/** Our own words for causes the simulator's phrases describe only vaguely. */
export const EXTRA_PHRASES: Record<string, Phrases> = {
  'hw.keypad': { zh: ['数字键按了没反应', '确认键不灵，要按好几下', '键盘有几个键坏了'], en: ['number keys do nothing', 'the OK key needs several presses', 'some keys on the keypad are dead'] },
  'hw.touchscreen': { zh: ['触摸屏点不动', '屏幕点哪里都没反应', '触屏乱跳，点不准'], en: ['touchscreen does not respond', 'tapping the screen does nothing', 'the touchscreen jumps around'] },
  'hw.display': { zh: ['屏幕花屏', '屏幕一半是黑的', '显示很暗看不清'], en: ['screen shows garbage', 'half of the screen is black', 'display is too dim to read'] },
  'hw.pinpad': { zh: ['密码键盘连不上', '顾客输密码的键盘没反应', '提示密码键盘未连接'], en: ['PIN pad not connected', "the customer's PIN pad does nothing", 'says PIN pad disconnected'] },
  'hw.scanner': { zh: ['扫码扫不出来', '扫顾客付款码没反应', '扫码头不亮了'], en: ['scanner does not read QR codes', 'customer payment codes are not scanned', 'the scanner light is off'] },
  'hw.peripheral.link': { zh: ['外接打印机连不上', '钱箱和扫码枪都断开了', '提示外设未连接'], en: ['external printer not connected', 'cash drawer and scanner disconnected', 'says peripheral not connected'] },
  'op.input.error': { zh: ['收银员金额输错了，多收了顾客的钱', '多输了一个零', '选错了交易类型，要撤销'], en: ['the clerk typed the wrong amount', 'an extra zero was keyed in', 'wrong transaction type chosen, need a void'] },
  'sec.skimming.suspected': { zh: ['读卡口好像多了个东西', '好几张卡被降级刷磁条', '顾客说卡被盗刷了，在我们店刷过'], en: ['something looks attached to the card slot', 'many cards fell back to swipe', 'a customer says their card was skimmed here'] },
  'sec.credential.misuse': { zh: ['这台机器在别的地方登录了', '终端号在另一个地方有交易', '有陌生设备用我们的终端号'], en: ['this terminal signed in from somewhere else', 'our terminal ID is trading elsewhere', 'an unknown device uses our terminal ID'] },
};

/** What the caller adds after the symptom, in their language. */
export const CONTEXT: Phrases = {
  zh: ['', '', '重启过了还是一样。', '高峰期影响收款，请尽快处理。', '收银员已经试过重新开机。', '昨天也出现过一次。', '门店今天营业到晚上十点。', '麻烦派人来看一下。', '顾客在排队，很着急。', '店长已确认不是操作问题。'],
  en: ['', '', 'Restarting did not help.', 'It is hurting sales at peak time, please hurry.', 'The clerk already power-cycled it.', 'It happened once yesterday too.', 'We are open until 10 pm today.', 'Please send someone.', 'Customers are queueing.', 'The manager checked it is not a user error.'],
};

export const PLAN_KIND_BY_CATEGORY: Record<FaultCategory, readonly (readonly [string, number])[]> = {
  hardware: [['onsite_repair', 0.5], ['replacement', 0.35], ['remote_fix', 0.15]],
  software: [['software_update', 0.5], ['remote_fix', 0.5]],
  network: [['remote_fix', 0.6], ['onsite_repair', 0.4]],
  operation: [['remote_fix', 1]],
  environment: [['onsite_repair', 0.7], ['remote_fix', 0.3]],
  external: [['remote_fix', 1]],
  security: [['replacement', 0.6], ['onsite_repair', 0.4]],
} as Record<FaultCategory, readonly (readonly [string, number])[]>;

export const PLAN_SUMMARY: Record<string, Phrases> = {
  remote_fix: { zh: ['远程指导商户重新签到并测试交易', '远程推送参数并重启终端', '电话指导收银员正确操作'], en: ['Guide the merchant remotely to sign on and test a payment', 'Push parameters remotely and restart', 'Coach the clerk by phone'] },
  onsite_repair: { zh: ['派工程师上门检修并更换故障部件', '上门检查门店网络和布线', '现场清洁读卡口并测试'], en: ['Send an engineer to repair on site and replace the faulty part', 'Visit to check the shop network and cabling', 'Clean the card slot on site and test'] },
  replacement: { zh: ['更换备用机，旧机返修', '携带同型号备机上门换机'], en: ['Swap in a spare terminal, send the old one for repair', 'Bring a spare of the same model and swap it'] },
  software_update: { zh: ['推送修复版本并观察一天', '回退到上一个稳定版本'], en: ['Push the fixed version and watch for a day', 'Roll back to the previous stable version'] },
  data_recovery: { zh: ['恢复终端数据并重新结算'], en: ['Recover the terminal data and settle again'] },
};

export const RATING_COMMENTS: Phrases = {
  zh: ['处理很快，谢谢', '工程师很专业', '第二次才修好', '等了太久', '客服态度很好', '问题解决了', '希望以后能提前通知'],
  en: ['Quick fix, thanks', 'The engineer was very professional', 'Took two visits', 'Waited too long', 'Friendly support', 'Problem solved', 'Please tell us earlier next time'],
};

export const STATUS_NOTES: Phrases = {
  zh: ['已联系商户确认', '终端信号已恢复，交易正常', '复测 20 笔交易全部成功', '商户确认问题已解决', '已更换部件并测试'],
  en: ['Merchant contacted and confirmed', 'Terminal signals back to normal', '20 test payments all approved', 'Merchant confirms it is fixed', 'Part replaced and tested'],
};

export const CITIES: readonly { zh: string; en: string; districts: readonly string[] }[] = [
  { zh: '杭州', en: 'Hangzhou', districts: ['西湖', '滨江', '拱墅', '余杭'] },
  { zh: '上海', en: 'Shanghai', districts: ['浦东', '徐汇', '静安', '闵行'] },
  { zh: '北京', en: 'Beijing', districts: ['朝阳', '海淀', '东城', '丰台'] },
  { zh: '深圳', en: 'Shenzhen', districts: ['南山', '福田', '宝安', '龙岗'] },
  { zh: '广州', en: 'Guangzhou', districts: ['天河', '越秀', '海珠', '番禺'] },
  { zh: '成都', en: 'Chengdu', districts: ['锦江', '武侯', '高新', '青羊'] },
  { zh: '南京', en: 'Nanjing', districts: ['鼓楼', '玄武', '江宁', '建邺'] },
  { zh: '武汉', en: 'Wuhan', districts: ['江汉', '武昌', '洪山', '汉阳'] },
  { zh: '西安', en: 'Xian', districts: ['雁塔', '碑林', '未央', '长安'] },
  { zh: '苏州', en: 'Suzhou', districts: ['姑苏', '工业园区', '吴中', '相城'] },
  { zh: '重庆', en: 'Chongqing', districts: ['渝中', '江北', '南岸', '沙坪坝'] },
  { zh: '天津', en: 'Tianjin', districts: ['和平', '河西', '南开', '滨海'] },
];

export const TEAMS = {
  agent: ['tier1-east', 'tier1-north', 'tier1-south', 'tier2'],
  engineer: ['field-east', 'field-south'],
} as const;

export const STAFF_NAMES = ['王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴军', '徐丽', '孙浩', '胡杰', '朱琳', '高翔', '林涛', '何雪', '郭鹏', '马超', '罗丹', '梁宇', '宋佳', '郑凯', '谢琴', '韩冰', '唐亮', '冯晨', '于洋', '董洁', '萧然', 'Alex Chen', 'Maria Lopez'];

/** Knowledge-base article templates ({c} the cause's name, {m} a terminal model). */
export const KB_TITLES: Phrases = {
  zh: ['{c}：排查与处理', '{m} {c}处理步骤', '门店自助：{c}', '工程师现场指引：{c}', '{c}常见问题解答', '{m} 出现{c}如何快速恢复收款'],
  en: ['{c}: checks and fixes', '{c} on the {m}: step by step', 'Merchant self-help: {c}', 'Field guide: {c}', '{c}: frequently asked questions', 'Getting the {m} back to taking payments after: {c}'],
};

export const KB_SUMMARY: Phrases = {
  zh: ['商户和工程师遇到{c}时的排查顺序、处理方法和验证标准。', '{m} 上{c}的常见表现、原因与解决办法。', '先自助排查，解决不了再报修：{c}。'],
  en: ['How merchants and engineers check, fix and verify: {c}.', 'What {c} looks like on the {m}, why it happens and how to fix it.', 'Try these first, then call us: {c}.'],
};

export const KB_STEPS: Record<FaultCategory, readonly { zh: string; en: string }[]> = {
  hardware: [
    { zh: '关机后检查外壳、读卡口和打印仓有无异物或损坏。', en: 'Power off and check the case, card slot and printer bay for debris or damage.' },
    { zh: '用清洁卡清洁读卡口，再用测试卡做一笔交易。', en: 'Clean the card slot with a cleaning card, then run a payment with a test card.' },
    { zh: '检查打印纸方向和型号，热敏面朝外。', en: 'Check the paper roll type and direction: thermal side out.' },
    { zh: '连续 20 笔交易成功率不低于 98% 才算修复。', en: 'Count it fixed only when 20 payments in a row succeed at 98% or better.' },
    { zh: '仍不正常时登记工单，准备同型号备机上门更换。', en: 'If it still fails, raise a work order and bring a spare of the same model.' },
  ],
  software: [
    { zh: '查看终端当前应用版本和最近一次升级时间。', en: 'Check the app version and when the terminal last updated.' },
    { zh: '重启终端后重新签到，做一笔小额测试交易。', en: 'Restart, sign on again and run a small test payment.' },
    { zh: '如为升级后问题，在控制台暂停该版本的分批升级。', en: 'If it started after an update, pause that version\'s rollout in the console.' },
    { zh: '必要时远程回退到上一个稳定版本。', en: 'Roll back remotely to the previous stable version if needed.' },
  ],
  network: [
    { zh: '确认门店路由器和交换机通电、指示灯正常。', en: 'Check the shop router and switch are powered and their lights normal.' },
    { zh: '在终端网络设置中查看信号强度、IP 地址和 DNS。', en: 'In the terminal\'s network settings, check signal strength, IP address and DNS.' },
    { zh: '4G 终端检查 SIM 卡是否欠费或松动。', en: 'For 4G terminals, check the SIM is seated and the data plan is paid.' },
    { zh: '切换到备用网络后做一笔测试交易。', en: 'Switch to the backup network and run a test payment.' },
  ],
  operation: [
    { zh: '确认操作员已签到，必要时重新签到。', en: 'Make sure the operator has signed on; sign on again if needed.' },
    { zh: '流水已满时先做结算，再继续收款。', en: 'If the batch is full, settle first, then carry on.' },
    { zh: '输错金额时按撤销流程处理，不要重复收款。', en: 'For a wrong amount, void the payment; never charge twice.' },
  ],
  environment: [
    { zh: '避免阳光直射和靠近热源，保持通风。', en: 'Keep the terminal out of direct sun and away from heat, with air around it.' },
    { zh: '潮湿环境下关机晾干后再开机测试。', en: 'In damp conditions, switch off and let it dry before testing.' },
    { zh: '检查插座和电源是否稳定，建议加装稳压电源。', en: 'Check the socket and mains are stable; a UPS helps.' },
  ],
  external: [
    { zh: '让顾客换一张卡或换一种支付方式。', en: 'Ask the customer to try another card or payment method.' },
    { zh: '查看应答码含义，属发卡行拒绝的请顾客联系发卡行。', en: 'Read the response code; for issuer declines the customer calls their bank.' },
    { zh: '多家商户同时失败时，检查收单主机状态公告。', en: 'When many merchants fail at once, check the acquirer host status.' },
  ],
  security: [
    { zh: '立即停止使用该终端并拔下电源。', en: 'Stop using the terminal at once and unplug it.' },
    { zh: '不要自行拆机，拍照保留现场。', en: 'Do not open it; take photos as evidence.' },
    { zh: '安排工程师带备机上门更换，旧机送检。', en: 'An engineer swaps it for a spare; the old unit goes for inspection.' },
  ],
} as Record<FaultCategory, readonly { zh: string; en: string }[]>;

export const KB_VARIANTS = 12;
