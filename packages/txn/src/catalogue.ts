/**
 * How each finding is told to people: a summary in zh-CN and en-US and the action to take, as data.
 * Placeholders: {count} payments, {retries} payments after the first, {amount} money at stake, {merchant}, {terminal}, {card}, {first}, {last}.
 */
import type { TxnFindingCode } from '@poscare/contracts';

export interface FindingWording {
  'zh-CN': string;
  'en-US': string;
  action: string;
}

export const CATALOGUE_VERSION = 'poscare.txn-catalogue/v1';

export const WORDING: Record<TxnFindingCode, FindingWording> = {
  'dup.double_submit': {
    'zh-CN': '重复扣款：终端 {terminal} 上同一张卡 {count} 笔相同金额的成功消费，相邻间隔不超过10分钟；多扣 {amount}。',
    'en-US': 'Charged twice: {count} approved sales of the same amount with one card at terminal {terminal}, each within 10 minutes of the one before; {amount} charged too much.',
    action: 'refund_duplicate',
  },
  'dup.timeout_retry': {
    'zh-CN': '超时重试导致重复扣款：终端显示超时或错误的一笔主机实际已批准，商户 {merchant} 其后10分钟内又以同卡同金额成功扣款 {retries} 笔；多扣 {amount}。',
    'en-US': 'Charged twice after a timeout: a sale the terminal saw time out or fail was approved by the host, and merchant {merchant} charged the same card the same amount {retries} more time(s) within 10 minutes; {amount} charged too much.',
    action: 'refund_duplicate',
  },
  'dup.missing_reversal': {
    'zh-CN': '缺失冲正：终端 {terminal} 显示失败的一笔消费主机已批准且未冲正，持卡人已被扣款 {amount}。',
    'en-US': 'Missing reversal: a sale terminal {terminal} saw fail was approved by the host and never reversed; the customer was charged {amount}.',
    action: 'reverse_or_refund',
  },
  'risk.card_testing': {
    'zh-CN': '疑似测卡：商户 {merchant} 在 {first} 至 {last} 间有 {count} 笔小额尝试，多张卡且大多未获批准。',
    'en-US': 'Card testing suspected: {count} small attempts at merchant {merchant} between {first} and {last}, many cards, most not approved.',
    action: 'block_card_tokens_and_call_merchant',
  },
  'risk.card_velocity': {
    'zh-CN': '单卡高频：卡 {card} 在2小时内于多个商户 {count} 笔交易尝试，合计 {amount}。',
    'en-US': 'Card velocity: card {card} made {count} attempts at several merchants within 2 hours, {amount} in total.',
    action: 'block_card_token',
  },
  'risk.fallback_abuse': {
    'zh-CN': '降级交易滥用：终端 {terminal} 上 {count} 笔无芯片读卡失败在先的降级交易，涉及多张卡，合计 {amount}。',
    'en-US': 'Fallback abuse: {count} fallback attempts with no chip failure before them at terminal {terminal}, several cards, {amount} in total.',
    action: 'inspect_terminal_and_call_merchant',
  },
  'risk.split_sale': {
    'zh-CN': '疑似拆单：卡 {card} 在终端 {terminal} 上 {count} 笔接近单笔限额的成功消费，合计 {amount}。',
    'en-US': 'Split sale suspected: {count} approved sales just under the single-sale limit with card {card} at terminal {terminal}, {amount} in total.',
    action: 'call_merchant',
  },
  'risk.off_hours': {
    'zh-CN': '非营业时段大额交易：商户 {merchant} 在通常无交易的时段 {first} 收款 {amount}。',
    'en-US': 'Off-hours sale: merchant {merchant} took {amount} at {first}, an hour in which it had no sale all week.',
    action: 'call_merchant',
  },
  'risk.refund_abuse': {
    'zh-CN': '无原交易退货：商户 {merchant} 向卡 {card} 退货 {amount}，此前30天内无对应消费。',
    'en-US': 'Refund with no purchase behind it: merchant {merchant} refunded {amount} to card {card} with no matching sale in the 30 days before.',
    action: 'hold_refund_and_call_merchant',
  },
};

export const formatAmount = (minor: number) => `¥${(minor / 100).toFixed(2)}`;

export function word(template: string, params: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? '—'));
}
