import { Col, Form, Input, Row, Select } from 'antd';
import type { FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import { useTranslation } from 'react-i18next';
import { CONNECTIVITY, LIFECYCLE_STATES, TerminalFields } from '@poscare/contracts';
import type { TerminalInput } from '../api/types';
import { MerchantSelect, SiteSelect } from './EntitySelects';

/** What the form holds: the terminal fields plus the merchant used to narrow the site list (not sent). */
export type TerminalFormValues = TerminalInput & { merchantId?: string };

export const NULLABLE_TERMINAL_FIELDS = ['tid', 'osVersion', 'appVersion', 'firmwareVersion', 'connectivity', 'siteId'] as const;

/** Validate one field with the shared contract schema, so the console and the server agree on what is valid. */
function contractRule(field: keyof typeof TerminalFields.shape, message: string): Rule {
  return {
    validator: async (_, value: unknown) => {
      if (value === undefined || value === null || value === '') return;
      if (!TerminalFields.shape[field].safeParse(value).success) throw new Error(message);
    },
  };
}

export function TerminalForm({
  form,
  mode,
  onFinish,
  initialValues,
}: {
  form: FormInstance<TerminalFormValues>;
  initialValues?: Partial<TerminalFormValues>;
  mode: 'create' | 'edit';
  onFinish: (v: TerminalFormValues) => void;
}) {
  const { t } = useTranslation();
  const merchantId = Form.useWatch('merchantId', form);
  const req = { required: true, whitespace: true, message: t('common.required') };
  return (
    <Form<TerminalFormValues> form={form} initialValues={initialValues} layout="vertical" onFinish={onFinish} data-testid="terminal-form">
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item
            name="serialNumber"
            label={t('terminal.serialNumber')}
            tooltip={t('terminal.serialHint')}
            rules={[req, contractRule('serialNumber', t('terminal.serialInvalid'))]}
          >
            <Input maxLength={64} className="mono" data-testid="terminal-serial" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="tid" label={t('terminal.tid')} tooltip={t('terminal.tidHint')} rules={[contractRule('tid', t('terminal.tidInvalid'))]}>
            <Input maxLength={16} className="mono" data-testid="terminal-tid" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="vendor" label={t('terminal.vendor')} rules={[req]}>
            <Input maxLength={60} data-testid="terminal-vendor" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="model" label={t('terminal.model')} rules={[req]}>
            <Input maxLength={60} data-testid="terminal-model" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="osVersion" label={t('terminal.osVersion')}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="appVersion" label={t('terminal.appVersion')}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="firmwareVersion" label={t('terminal.firmwareVersion')}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="connectivity" label={t('terminal.connectivity')}>
            <Select allowClear options={CONNECTIVITY.map((c) => ({ value: c, label: t(`connectivity.${c}`) }))} />
          </Form.Item>
        </Col>
        {mode === 'create' && (
          <Col xs={24} sm={12}>
            <Form.Item name="lifecycleState" label={t('terminal.initialState')}>
              <Select options={LIFECYCLE_STATES.map((s) => ({ value: s, label: t(`states.${s}`) }))} />
            </Form.Item>
          </Col>
        )}
        <Col xs={24} sm={12}>
          <Form.Item name="merchantId" label={t('terminal.merchant')}>
            <MerchantSelect onChange={() => form.setFieldValue('siteId', undefined)} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="siteId" label={t('terminal.site')}>
            <SiteSelect merchantId={merchantId} />
          </Form.Item>
        </Col>
      </Row>
    </Form>
  );
}

/** Form values → request body: drop the helper merchant field, empty optional fields become null. */
export function terminalBody(v: TerminalFormValues): TerminalInput {
  const { merchantId: _m, ...rest } = v;
  const out: Record<string, unknown> = { ...rest };
  for (const k of NULLABLE_TERMINAL_FIELDS) {
    const x = out[k];
    if (x === undefined || (typeof x === 'string' && x.trim() === '')) out[k] = null;
  }
  return out as TerminalInput;
}
