/** Setting up the authenticator: QR code and key, a first code, then the recovery codes shown once. */
import { useState } from 'react';
import { Alert, Button, Form, Input, Space, Steps, Typography } from 'antd';
import { CopyOutlined, DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { RecoveryCodes, TotpSetup } from '@poscare/contracts';
import { api } from '../../api/client';
import { useShowError } from '../../lib/hooks';

export function RecoveryCodeList({ codes, onDone }: { codes: string[]; onDone?: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const text = codes.join('\n');
  const download = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([`PosCare recovery codes\n\n${text}\n`], { type: 'text/plain' }));
    a.download = 'poscare-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <div data-testid="mfa-recovery">
      <Alert type="warning" showIcon title={t('security.recoveryTitle')} description={t('security.recoveryText')} style={{ marginBottom: 16 }} />
      <ol className="recovery-codes" data-testid="mfa-recovery-codes">
        {codes.map((c) => (
          <li key={c} className="mono">
            {c}
          </li>
        ))}
      </ol>
      <Space wrap>
        <Button
          icon={<CopyOutlined />}
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => undefined);
          }}
        >
          {copied ? t('security.copied') : t('security.copy')}
        </Button>
        <Button icon={<DownloadOutlined />} onClick={download}>
          {t('security.download')}
        </Button>
        {onDone && (
          <Button type="primary" onClick={onDone} data-testid="mfa-recovery-done">
            {t('security.savedThem')}
          </Button>
        )}
      </Space>
    </div>
  );
}

export function MfaEnrolment({ onEnabled }: { onEnabled: () => void }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const [form] = Form.useForm<{ code: string }>();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  const start = useMutation({
    mutationFn: () => api<TotpSetup>('/me/mfa/totp', { method: 'POST' }),
    onSuccess: setSetup,
    onError: (e) => showError(e),
  });
  const confirm = useMutation({
    mutationFn: (v: { code: string }) => api<RecoveryCodes>('/me/mfa/totp/confirm', { method: 'POST', body: { code: v.code.replace(/\s/g, '') } }),
    onSuccess: (r) => setCodes(r.recoveryCodes),
    onError: (e) => showError(e, form),
  });

  const step = codes ? 2 : setup ? 1 : 0;
  return (
    <div className="mfa-enrolment" data-testid="mfa-enrolment">
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 20 }}
        items={[{ title: t('security.stepApp') }, { title: t('security.stepScan') }, { title: t('security.stepCodes') }]}
      />
      {step === 0 && (
        <div>
          <Typography.Paragraph>{t('security.mfaIntro')}</Typography.Paragraph>
          <Button type="primary" icon={<SafetyCertificateOutlined />} loading={start.isPending} onClick={() => start.mutate()} data-testid="mfa-start">
            {t('security.start')}
          </Button>
        </div>
      )}
      {step === 1 && setup && (
        <div className="mfa-scan">
          <img src={setup.qr} alt={t('security.qrAlt')} width={200} height={200} className="mfa-qr" data-testid="mfa-qr" />
          <div className="mfa-scan-text">
            <Typography.Paragraph>{t('security.scan')}</Typography.Paragraph>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
              {t('security.manual')}
            </Typography.Paragraph>
            <Typography.Paragraph copyable={{ text: setup.secret }} className="mono mfa-secret" data-testid="mfa-secret">
              {setup.secret.replace(/(.{4})/g, '$1 ').trim()}
            </Typography.Paragraph>
            <Form form={form} layout="vertical" onFinish={(v) => confirm.mutate(v)} requiredMark={false}>
              <Form.Item name="code" label={t('security.codeLabel')} rules={[{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: t('security.codeRequired') }]}>
                <Input inputMode="numeric" autoComplete="one-time-code" maxLength={7} style={{ maxWidth: 180 }} className="mono" data-testid="mfa-code" autoFocus />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={confirm.isPending} data-testid="mfa-confirm">
                {t('security.confirm')}
              </Button>
            </Form>
          </div>
        </div>
      )}
      {step === 2 && codes && <RecoveryCodeList codes={codes} onDone={onEnabled} />}
    </div>
  );
}
