/**
 * What terminals show and log, in the merchant's language: the strings a support agent hears read out
 * over the phone ("it says 读卡失败") and that the diagnosis engine matches on. `{x}` is filled in.
 */
import type { Language } from './fleet.js';

export type EventType = 'error' | 'warning' | 'info' | 'boot' | 'update';

interface Entry {
  type: EventType;
  zh: string;
  en: string;
}

export const TERMINAL_MESSAGES = {
  CHIP_READ_FAIL: { type: 'error', zh: '读卡失败，请重新插卡', en: 'CHIP READ ERROR - REINSERT CARD' },
  CTLS_READ_FAIL: { type: 'error', zh: '挥卡失败，请插卡或刷卡', en: 'CONTACTLESS ERROR - INSERT OR SWIPE' },
  MSR_READ_FAIL: { type: 'error', zh: '刷卡失败，请重新刷卡', en: 'MAG STRIPE READ ERROR - SWIPE AGAIN' },
  FALLBACK: { type: 'warning', zh: '芯片无法读取，请刷卡（降级交易）', en: 'CHIP FAILED - PLEASE SWIPE (FALLBACK)' },
  PAPER_LOW: { type: 'warning', zh: '打印纸将尽，请及时更换', en: 'PAPER LOW' },
  PAPER_OUT: { type: 'error', zh: '打印机缺纸', en: 'PRINTER OUT OF PAPER' },
  PAPER_REPLACED: { type: 'info', zh: '已装入新纸卷', en: 'PAPER ROLL REPLACED' },
  PRINTER_JAM: { type: 'error', zh: '打印机卡纸', en: 'PRINTER JAM' },
  PRINTER_FAULT: { type: 'error', zh: '打印机故障', en: 'PRINTER FAULT' },
  PRINTER_OVERHEAT: { type: 'error', zh: '打印头过热', en: 'PRINTER HEAD OVERHEAT' },
  LOW_BATTERY: { type: 'warning', zh: '电量低（{pct}%），请及时充电', en: 'LOW BATTERY ({pct}%)' },
  BATTERY_EMPTY: { type: 'error', zh: '电量耗尽，即将关机', en: 'BATTERY EMPTY - SHUTTING DOWN' },
  BATTERY_WORN: { type: 'warning', zh: '电池老化，请更换电池', en: 'BATTERY HEALTH POOR - REPLACE BATTERY' },
  NOT_CHARGING: { type: 'warning', zh: '已接电源但未充电', en: 'CHARGER CONNECTED - NOT CHARGING' },
  POWER_UNSTABLE: { type: 'warning', zh: '供电电压异常', en: 'POWER SUPPLY UNSTABLE' },
  BOOT: { type: 'boot', zh: '系统启动', en: 'SYSTEM BOOT' },
  REBOOT: { type: 'boot', zh: '系统重启', en: 'SYSTEM REBOOT' },
  TEMP_HIGH: { type: 'warning', zh: '设备温度过高（{temp}℃）', en: 'TEMPERATURE TOO HIGH ({temp}C)' },
  MOISTURE: { type: 'warning', zh: '设备受潮，按键失灵', en: 'MOISTURE DETECTED - KEYPAD ERROR' },
  NO_NETWORK: { type: 'error', zh: '网络未连接', en: 'NO NETWORK CONNECTION' },
  COMM_ERROR: { type: 'error', zh: '通讯失败', en: 'COMM ERROR' },
  DNS_FAIL: { type: 'error', zh: '域名解析失败', en: 'DNS LOOKUP FAILED' },
  HOST_CONNECT_FAIL: { type: 'error', zh: '连接主机失败', en: 'CONNECT HOST FAIL' },
  TXN_TIMEOUT: { type: 'error', zh: '交易超时，请查询余额后重试', en: 'TRANSACTION TIMEOUT' },
  WEAK_SIGNAL: { type: 'warning', zh: '信号弱', en: 'WEAK SIGNAL' },
  SIM_ERROR: { type: 'error', zh: 'SIM卡异常或流量不足', en: 'SIM ERROR / NO DATA PLAN' },
  IP_CONFLICT: { type: 'error', zh: 'IP地址冲突', en: 'IP ADDRESS CONFLICT' },
  HOST_91: { type: 'error', zh: '发卡行或交换中心不可用（91）', en: 'ISSUER OR SWITCH INOPERATIVE (91)' },
  HOST_96: { type: 'error', zh: '系统故障（96）', en: 'SYSTEM MALFUNCTION (96)' },
  APP_CRASH: { type: 'error', zh: '支付应用已停止运行', en: 'PAYMENT APP CRASHED' },
  APP_ANR: { type: 'warning', zh: '应用无响应', en: 'APP NOT RESPONDING' },
  TXN_ERROR: { type: 'error', zh: '交易异常，请重试', en: 'TRANSACTION ERROR' },
  UPDATE: { type: 'update', zh: '应用升级完成：{version}', en: 'APP UPDATED TO {version}' },
  SIGN_ON_OK: { type: 'info', zh: '签到成功', en: 'SIGN ON OK' },
  NOT_SIGNED_IN: { type: 'error', zh: '请先签到', en: 'PLEASE SIGN ON FIRST' },
  SIGN_ON_FAIL: { type: 'error', zh: '签到失败', en: 'SIGN ON FAILED' },
  SETTLE_OK: { type: 'info', zh: '结算成功，共{count}笔', en: 'SETTLEMENT OK ({count} TXNS)' },
  BATCH_NEAR_FULL: { type: 'warning', zh: '流水即将满，请尽快结算', en: 'BATCH NEARLY FULL - PLEASE SETTLE' },
  BATCH_FULL: { type: 'error', zh: '流水已满，请先结算', en: 'BATCH FULL' },
  // Chinese terminals commonly show the security alert in English too.
  TAMPER: { type: 'error', zh: '设备被拆，请联系服务商（TAMPERING DETECTED）', en: 'TAMPERING DETECTED' },
  KEYS_MISSING: { type: 'error', zh: '密钥丢失，请重新下载密钥', en: 'KEYS NOT LOADED' },
  CLOCK_WRONG: { type: 'warning', zh: '终端时间异常', en: 'TERMINAL CLOCK WRONG' },
  STORAGE_FULL: { type: 'warning', zh: '存储空间不足', en: 'STORAGE FULL' },
} as const satisfies Record<string, Entry>;

export type MessageCode = keyof typeof TERMINAL_MESSAGES;

export interface RenderedEvent {
  type: EventType;
  code: MessageCode;
  message: string;
}

export function renderEvent(code: MessageCode, language: Language, vars: Record<string, string | number> = {}): RenderedEvent {
  const entry: Entry = TERMINAL_MESSAGES[code];
  const template = language === 'zh-CN' ? entry.zh : entry.en;
  return { type: entry.type, code, message: template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? '')) };
}
