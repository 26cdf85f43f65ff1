/**
 * Every message the server shows a person, in zh-CN and en-US. Keys are stable ids; `{name}` placeholders
 * are filled from the error's params. A unit test checks both languages have the same keys.
 */
import type { Language } from '@poscare/contracts';

export const MESSAGES = {
  'en-US': {
    'auth.required': 'Please sign in.',
    'auth.invalid_credentials': 'Email or password is incorrect.',
    'auth.rate_limited': 'Too many failed sign-in attempts. Try again in {seconds} seconds.',
    'auth.forbidden': 'You do not have permission to do this.',
    'auth.token_invalid': 'The API token is invalid or revoked.',
    'not_found': 'The {entity} was not found.',
    'conflict.duplicate': 'A {entity} with this {field} already exists.',
    'conflict.in_use': 'The {entity} is still in use and cannot be deleted.',
    'validation.failed': 'Some fields are invalid.',
    'diagnosis.unknown_symptom': 'Unknown symptom "{symptom}". Choose one of the listed symptoms.',
    'command.not_enrolled': 'This terminal has no active device credential, so it cannot receive commands. Enroll it first.',
    'alert.already_resolved': 'This alert is already resolved.',
    'alert.rule_code_mismatch': 'The rule in the body must have the code "{code}" of the address.',
    'alert.ends_before_start': 'The end must be after the start and in the future.',
    'alert.inhibits_itself': 'A rule cannot suppress itself.',
    'ticket.illegal_transition': 'A ticket cannot go from "{from}" to "{to}".',
    'ticket.plan_required': 'Describe the plan (kind and summary) before the ticket is planned.',
    'ticket.reason_required': 'Give a reason for this step.',
    'ticket.card_data': 'This looks like a card number or card track data. Never type card numbers into a ticket: use the last four digits.',
    'notify.ticket_sla.warning': 'Ticket {number}: {pct}% of the {clock} time used',
    'notify.ticket_sla.breached': 'Ticket {number}: {clock} time exceeded ({pct}%)',
    'notify.ticket_sla.clock.firstResponse': 'first response',
    'notify.ticket_sla.clock.nextUpdate': 'next update',
    'notify.ticket_sla.clock.resolution': 'resolution',
    'ticket.verification_failed': 'The terminal does not show the fix yet (verification: {status}). Wait for its signals, or resolve with an override and a reason.',
    'ticket.check.healthy': 'The terminal reported since the fix and is healthy.',
    'ticket.check.unhealthy': 'The terminal reported since the fix but is still in a critical state.',
    'ticket.check.waiting_report': 'Waiting for the terminal to report after the fix.',
    'ticket.check.reader': 'Card reads after the fix: {rate}% successful over {attempts} attempts (98% needed).',
    'ticket.check.reader_waiting': 'Waiting for 20 card reads after the fix ({attempts} so far).',
    'ticket.check.printer': 'Printer {status}; {receipts} approved payments (receipts) since the fix.',
    'ticket.check.payments': '{ok} of {total} payments approved since the fix (90% needed, at least 3).',
    'validation.malformed_json': 'The request body is not valid JSON.',
    'validation.payload_too_large': 'The request is too large (limit {limit}).',
    'terminal.illegal_transition': 'A terminal cannot go from "{from}" to "{to}".',
    'terminal.site_required': 'Assign the terminal to a site before it becomes "{to}".',
    'user.merchant_required': 'A merchant user must be linked to a merchant.',
    'user.cannot_demote_self': 'You cannot remove your own admin role or disable yourself.',
    'import.file_required': 'Attach a CSV or XLSX file.',
    'import.unsupported_type': 'Only CSV and XLSX files can be imported.',
    'import.unreadable': 'The file could not be read: {reason}',
    'import.invalid_rows': '{count} rows are invalid; nothing was imported. Fix them or import the valid rows only.',
    'import.too_many_rows': 'The file has more than {max} rows.',
    'import.missing_columns': 'Required columns are missing: {columns}.',
    'backup.not_a_backup': 'This file is not a PosCare backup.',
    'backup.newer_schema': 'This backup comes from a newer PosCare (schema {version}); upgrade first.',
    'device.enrollment_invalid': 'The enrollment code is invalid, used up or expired, or the serial number is not in this organization\'s inventory.',
    'device.unauthenticated': 'The terminal credential is missing or wrong.',
    'device.revoked': 'This terminal\'s credential has been revoked.',
    'device.batch_too_large': 'A batch may hold at most {max} messages.',
    'internal': 'Something went wrong on our side. The problem was logged (ref {ref}).',
    'route.not_found': 'There is no such API route: {method} {url}.',
    'row.required': 'This value is required.',
    'row.invalid': 'Invalid value: {detail}',
    'row.unknown_site': 'No site with code "{value}" in this organization.',
    'row.duplicate_in_file': 'Serial number "{value}" appears more than once in the file (first on row {first}).',
    'row.already_exists': 'A terminal with serial number "{value}" already exists.',
    'row.bad_state': 'Unknown lifecycle state "{value}"; use one of: {allowed}.',
    'row.bad_connectivity': 'Unknown connectivity "{value}"; use one of: {allowed}.',
    'row.unknown_column': 'Unknown column "{value}" is ignored.',
    'row.card_data': 'This row looks like it contains a card number; it was rejected and not stored.',
    'notify.severity.info': 'Info',
    'notify.severity.warning': 'Warning',
    'notify.severity.critical': 'Critical',
    'notify.alert.fired.title': '[{severity}] {rule}: {scope}',
    'notify.alert.escalated.title': '[{severity}] Escalated (level {level}): {rule}: {scope}',
    'notify.alert.resolved.title': '[Resolved] {rule}: {scope}',
    'notify.alert.flapping.title': '[{severity}] Flapping: {rule}: {scope}',
    'notify.alert.fired.lead': 'Alert "{rule}" started for {scope}.',
    'notify.alert.escalated.lead': 'Alert "{rule}" for {scope} was not acknowledged in time and is escalated to level {level}.',
    'notify.alert.resolved.lead': 'Alert "{rule}" for {scope} is resolved.',
    'notify.alert.flapping.lead': 'Alert "{rule}" for {scope} keeps starting and clearing; further changes are held back until it is stable.',
    'notify.alert.severity': 'Severity: {severity}',
    'notify.alert.members': 'Terminals affected: {count}',
    'notify.alert.value': 'Value: {value} (threshold {threshold})',
    'notify.alert.value_only': 'Value: {value}',
    'notify.alert.predicted': 'Predicted to cross the threshold at {time} ({iso})',
    'notify.alert.started': 'Started at {time} ({iso})',
    'notify.time': '{time} (UTC+8)',
    'notify.email.footer': 'You receive this e-mail because of your PosCare notification settings; change them under your profile.',
    'notify.test.title': 'PosCare test notification',
    'notify.test.body': 'This is a test call of webhook "{name}".',
    // -- knowledge base (kb.*) --
    // -- field service and parts (workorder.*, parts.*, swap.*) --
    // -- satisfaction and reports (rating.*, report.*) --
    // -- ticket notifications to merchants (notify.ticket_step.*) --
  },
  'zh-CN': {
    'auth.required': '请先登录。',
    'auth.invalid_credentials': '邮箱或密码不正确。',
    'auth.rate_limited': '登录失败次数过多，请在 {seconds} 秒后重试。',
    'auth.forbidden': '您没有执行此操作的权限。',
    'auth.token_invalid': 'API 令牌无效或已被吊销。',
    'not_found': '未找到该{entity}。',
    'conflict.duplicate': '已存在{field}相同的{entity}。',
    'conflict.in_use': '该{entity}仍在使用中，无法删除。',
    'validation.failed': '部分字段无效。',
    'diagnosis.unknown_symptom': '未知的问题类型“{symptom}”，请从列表中选择。',
    'command.not_enrolled': '该终端没有有效的设备凭证，无法接收指令，请先完成终端注册。',
    'alert.already_resolved': '该告警已恢复。',
    'alert.rule_code_mismatch': '规则编码必须与地址中的 "{code}" 一致。',
    'alert.ends_before_start': '结束时间必须晚于开始时间，且在将来。',
    'alert.inhibits_itself': '规则不能抑制它自己。',
    'ticket.illegal_transition': '工单不能从"{from}"变为"{to}"。',
    'ticket.plan_required': '请先填写处理方案（类型和说明），再进入"已制定方案"。',
    'ticket.reason_required': '请填写这一步的原因。',
    'ticket.card_data': '内容中似乎含有银行卡号或磁道数据。请勿在工单中填写卡号，只需填写卡号后四位。',
    'notify.ticket_sla.warning': '工单 {number}：{clock}时限已用 {pct}%',
    'notify.ticket_sla.breached': '工单 {number}：{clock}已超时（{pct}%）',
    'notify.ticket_sla.clock.firstResponse': '首次响应',
    'notify.ticket_sla.clock.nextUpdate': '下次更新',
    'notify.ticket_sla.clock.resolution': '解决',
    'ticket.verification_failed': '终端信号尚未显示已修复（验证：{status}）。请等待终端上报，或填写原因后强制解决。',
    'ticket.check.healthy': '修复后终端已上报，状态正常。',
    'ticket.check.unhealthy': '修复后终端已上报，但仍处于严重故障状态。',
    'ticket.check.waiting_report': '等待终端在修复后上报。',
    'ticket.check.reader': '修复后读卡成功率 {rate}%（共 {attempts} 次，需 ≥98%）。',
    'ticket.check.reader_waiting': '等待修复后的 20 次读卡（目前 {attempts} 次）。',
    'ticket.check.printer': '打印机状态 {status}；修复后成功交易（小票）{receipts} 笔。',
    'ticket.check.payments': '修复后 {total} 笔交易中 {ok} 笔成功（需至少 3 笔且 ≥90%）。',
    'validation.malformed_json': '请求内容不是有效的 JSON。',
    'validation.payload_too_large': '请求内容过大（上限 {limit}）。',
    'terminal.illegal_transition': '终端不能从"{from}"变更为"{to}"。',
    'terminal.site_required': '终端变为"{to}"之前，请先分配网点。',
    'user.merchant_required': '商户用户必须关联一个商户。',
    'user.cannot_demote_self': '不能取消自己的管理员角色或停用自己。',
    'import.file_required': '请上传 CSV 或 XLSX 文件。',
    'import.unsupported_type': '只能导入 CSV 或 XLSX 文件。',
    'import.unreadable': '无法读取文件：{reason}',
    'import.invalid_rows': '有 {count} 行无效，未导入任何数据。请修正后重试，或仅导入有效行。',
    'import.too_many_rows': '文件超过 {max} 行。',
    'import.missing_columns': '缺少必需的列：{columns}。',
    'backup.not_a_backup': '该文件不是 PosCare 备份文件。',
    'backup.newer_schema': '该备份来自更新版本的 PosCare（结构版本 {version}），请先升级。',
    'device.enrollment_invalid': '注册码无效、已用完或已过期，或该序列号不在本机构的终端清单中。',
    'device.unauthenticated': '终端凭据缺失或不正确。',
    'device.revoked': '该终端的凭据已被吊销。',
    'device.batch_too_large': '每批最多 {max} 条消息。',
    'internal': '服务器内部出错，已记录（编号 {ref}）。',
    'route.not_found': '不存在此 API 路由：{method} {url}。',
    'row.required': '此项为必填。',
    'row.invalid': '取值无效：{detail}',
    'row.unknown_site': '本机构没有编码为"{value}"的网点。',
    'row.duplicate_in_file': '序列号"{value}"在文件中重复出现（首次出现在第 {first} 行）。',
    'row.already_exists': '序列号为"{value}"的终端已存在。',
    'row.bad_state': '未知的生命周期状态"{value}"，可用值：{allowed}。',
    'row.bad_connectivity': '未知的联网方式"{value}"，可用值：{allowed}。',
    'row.unknown_column': '未知列"{value}"已忽略。',
    'row.card_data': '该行疑似包含银行卡号，已拒绝且未保存。',
    'notify.severity.info': '提示',
    'notify.severity.warning': '警告',
    'notify.severity.critical': '严重',
    'notify.alert.fired.title': '【{severity}】{rule}：{scope}',
    'notify.alert.escalated.title': '【{severity}】已升级（第 {level} 级）：{rule}：{scope}',
    'notify.alert.resolved.title': '【已恢复】{rule}：{scope}',
    'notify.alert.flapping.title': '【{severity}】频繁波动：{rule}：{scope}',
    'notify.alert.fired.lead': '{scope} 触发告警“{rule}”。',
    'notify.alert.escalated.lead': '{scope} 的告警“{rule}”未及时确认，已升级到第 {level} 级。',
    'notify.alert.resolved.lead': '{scope} 的告警“{rule}”已恢复。',
    'notify.alert.flapping.lead': '{scope} 的告警“{rule}”反复触发和恢复；在稳定之前暂不再通知其变化。',
    'notify.alert.severity': '级别：{severity}',
    'notify.alert.members': '受影响终端：{count} 台',
    'notify.alert.value': '当前值：{value}（阈值 {threshold}）',
    'notify.alert.value_only': '当前值：{value}',
    'notify.alert.predicted': '预计于 {time} 越过阈值（{iso}）',
    'notify.alert.started': '开始时间：{time}（{iso}）',
    'notify.time': '{time}（北京时间）',
    'notify.email.footer': '您收到此邮件是因为您在 PosCare 中的通知设置；可在个人资料中修改。',
    'notify.test.title': 'PosCare 测试通知',
    'notify.test.body': '这是对 Webhook“{name}”的测试调用。',
    // -- knowledge base (kb.*) --
    // -- field service and parts (workorder.*, parts.*, swap.*) --
    // -- satisfaction and reports (rating.*, report.*) --
    // -- ticket notifications to merchants (notify.ticket_step.*) --
  },
} as const satisfies Record<Language, Record<string, string>>;

export type MessageId = keyof (typeof MESSAGES)['en-US'];

/** Names of things, used inside messages. */
export const ENTITY_NAMES: Record<Language, Record<string, string>> = {
  'en-US': {
    organization: 'organization',
    merchant: 'merchant',
    site: 'site',
    terminal: 'terminal',
    user: 'user',
    token: 'API token',
    enrollment_code: 'enrollment code',
    mid: 'merchant ID',
    code: 'code',
    serial_number: 'serial number',
    email: 'email',
    webhook: 'webhook',
  },
  'zh-CN': {
    organization: '机构',
    merchant: '商户',
    site: '网点',
    terminal: '终端',
    user: '用户',
    token: 'API 令牌',
    enrollment_code: '注册码',
    mid: '商户号',
    code: '编码',
    serial_number: '序列号',
    email: '邮箱',
    webhook: 'Webhook',
  },
};

export function translate(lang: Language, id: MessageId, params: Record<string, unknown> = {}): string {
  const template: string = MESSAGES[lang][id] ?? MESSAGES['en-US'][id] ?? id;
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) return `{${k}}`;
    const s = String(v);
    // Only names of things are translated; values the user typed are shown as typed.
    return k === 'entity' || k === 'field' ? (ENTITY_NAMES[lang][s] ?? s) : s;
  });
}

export function pickLanguage(acceptLanguage: string | undefined, fallback: Language = 'zh-CN'): Language {
  if (!acceptLanguage) return fallback;
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en-US';
  }
  return fallback;
}
