/** The arguments form of each remote command, shared by the terminal's command panel and bulk commands. */
import { Form, type FormInstance, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { COMMAND_NAMES, type CommandName, PACKAGE_KINDS, parseCommandArgs } from '@poscare/contracts';

export interface ArgsValues {
  version?: string;
  kind?: string;
  hours?: number;
  message?: string;
  label?: string;
  params?: Record<string, unknown>;
}

/** Every argument field: cleared when another command is chosen. */
const ARG_FIELDS: (keyof ArgsValues)[] = ['version', 'kind', 'hours', 'message', 'label', 'params'];

/**
 * The command part of a command form, one for the terminal's panel and for bulk commands: the command
 * (searchable: the list is long), what it does, its arguments, and the reason kept with it.
 */
// biome-ignore lint/suspicious/noExplicitAny: both forms hold more fields than the command's own
export function CommandFields({ form, name, selectTestId }: { form: FormInstance<any>; name: CommandName | undefined; selectTestId: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item name="name" label={t('remote.command')} rules={[{ required: true }]}>
        <Select
          data-testid={selectTestId}
          showSearch
          optionFilterProp="label"
          options={COMMAND_NAMES.map((n) => ({ value: n, label: t(`commands.names.${n}`) }))}
          onChange={() => form.resetFields(ARG_FIELDS)}
        />
      </Form.Item>
      {name && <Typography.Paragraph type="secondary">{t(`remote.help.${name}`)}</Typography.Paragraph>}
      <CommandArgsFields name={name} />
      <Form.Item name="reason" label={t('remote.reason')}>
        <Input maxLength={500} />
      </Form.Item>
    </>
  );
}

/** Commands that change what the terminal does for its merchant: asked for a second time before sending. */
export const CONFIRMED_COMMANDS: readonly CommandName[] = ['reboot', 'lock', 'unlock', 'install', 'rollback', 'push_config', 'update_app'];

/** The form's values as the command's arguments (empty fields left out), checked with the contract's schema. */
export function argsOf(name: CommandName, v: ArgsValues): { args?: Record<string, unknown>; error?: string } {
  const raw: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined || val === null || val === '') continue;
    if (k === 'params') {
      const params = Object.fromEntries(Object.entries(val as Record<string, unknown>).filter(([, x]) => x !== undefined && x !== null && x !== ''));
      if (Object.keys(params).length) raw.params = params;
    } else raw[k] = val;
  }
  const r = parseCommandArgs(name, raw);
  if (!r.ok) return { error: r.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('; ') };
  return Object.keys(r.args).length ? { args: r.args } : {};
}

export function CommandArgsFields({ name }: { name: CommandName | undefined }) {
  const { t } = useTranslation();
  const kindSelect = (
    <Form.Item name="kind" label={t('remote.args.kind')} rules={[{ required: true, message: t('remote.args.required') }]}>
      <Select options={PACKAGE_KINDS.map((k) => ({ value: k, label: t(`remote.kinds.${k}`) }))} data-testid="arg-kind" />
    </Form.Item>
  );
  switch (name) {
    case 'update_app':
      return (
        <Form.Item name="version" label={t('remote.args.version')} extra={t('remote.args.versionOptional')}>
          <Input data-testid="arg-version" maxLength={40} />
        </Form.Item>
      );
    case 'install':
    case 'rollback':
      return (
        <>
          {kindSelect}
          <Form.Item name="version" label={t(name === 'install' ? 'remote.args.version' : 'remote.args.rollbackTo')} rules={[{ required: true, message: t('remote.args.required') }]}>
            <Input data-testid="arg-version" maxLength={40} placeholder="3.2.1" />
          </Form.Item>
        </>
      );
    case 'upload_logs':
      return (
        <Form.Item name="hours" label={t('remote.args.hours')} initialValue={24}>
          <InputNumber min={1} max={168} data-testid="arg-hours" />
        </Form.Item>
      );
    case 'lock':
      return (
        <Form.Item name="message" label={t('remote.args.lockMessage')}>
          <Input maxLength={80} data-testid="arg-message" />
        </Form.Item>
      );
    case 'push_config':
      return (
        <>
          <Form.Item name="label" label={t('remote.args.label')}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name={['params', 'receiptMerchantName']} label={t('remote.params.receiptMerchantName')}>
            <Input maxLength={40} data-testid="arg-receipt-name" />
          </Form.Item>
          <Form.Item name={['params', 'tipEnabled']} label={t('remote.params.tipEnabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name={['params', 'contactlessLimitMinor']} label={t('remote.params.contactlessLimitMinor')}>
            <InputNumber min={0} max={10_000_000} />
          </Form.Item>
          <Form.Item name={['params', 'hostAddress']} label={t('remote.params.hostAddress')}>
            <Input placeholder="host.example.cn:8583" />
          </Form.Item>
          <Form.Item name={['params', 'receiptCopies']} label={t('remote.params.receiptCopies')}>
            <InputNumber min={1} max={3} />
          </Form.Item>
          <Form.Item name={['params', 'idleSleepMinutes']} label={t('remote.params.idleSleepMinutes')}>
            <InputNumber min={1} max={120} />
          </Form.Item>
        </>
      );
    default:
      return null;
  }
}
