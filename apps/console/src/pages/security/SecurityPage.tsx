/**
 * The signed-in user's security: two-step sign-in (set up, recovery codes, remembered browsers, turn off
 * where allowed) and their password. Also shown on its own, before anything else, to a user whose
 * organization requires a second factor they have not set up (EnrolmentRequiredPage).
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Space, Tag, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { MfaStatus, RecoveryCodes } from '@poscare/contracts';
import { api } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Logo } from '../../components/Logo';
import { PageHeader } from '../../components/PageHeader';
import { PasswordStrength } from '../../components/PasswordStrength';
import { QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { MfaEnrolment, RecoveryCodeList } from './MfaEnrolment';

const STATUS_KEY = ['me', 'mfa'] as const;

type Proof = { code?: string; recoveryCode?: string };
/** Six digits are an app code; anything else is taken as a recovery code. */
const proofOf = (v: string): Proof => (/^\s*\d{3}\s?\d{3}\s*$/.test(v) ? { code: v.replace(/\s/g, '') } : { recoveryCode: v.trim() });

function ProofModal({ open, title, okText, danger, onCancel, onProof, pending }: { open: boolean; title: string; okText: string; danger?: boolean; onCancel: () => void; onProof: (p: Proof) => void; pending: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ proof: string }>();
  return (
    <Modal open={open} title={title} okText={okText} okButtonProps={{ danger, loading: pending }} onCancel={onCancel} onOk={() => form.submit()} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => onProof(proofOf(v.proof))} requiredMark={false}>
        <Form.Item name="proof" label={t('security.proofLabel')} rules={[{ required: true, message: t('security.codeRequired') }]}>
          <Input autoComplete="one-time-code" className="mono" data-testid="mfa-proof" autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function TwoStepCard() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const { refresh } = useAuth();
  const status = useQuery({ queryKey: STATUS_KEY, queryFn: () => api<MfaStatus>('/me/mfa') });
  const [asking, setAsking] = useState<'disable' | 'codes' | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const reload = () => Promise.all([qc.invalidateQueries({ queryKey: STATUS_KEY }), refresh()]);

  const disable = useMutation({
    mutationFn: (p: Proof) => api('/me/mfa/disable', { method: 'POST', body: p }),
    onSuccess: async () => {
      setAsking(null);
      void message.success(t('security.disabled'));
      await reload();
    },
    onError: (e) => showError(e),
  });
  const regenerate = useMutation({
    mutationFn: (p: Proof) => api<RecoveryCodes>('/me/mfa/recovery-codes', { method: 'POST', body: p }),
    onSuccess: async (r) => {
      setAsking(null);
      setNewCodes(r.recoveryCodes);
      await reload();
    },
    onError: (e) => showError(e),
  });
  const forget = useMutation({
    mutationFn: () => api('/me/mfa/trusted-devices', { method: 'DELETE' }),
    onSuccess: async () => {
      void message.success(t('security.forgotten'));
      await reload();
    },
    onError: (e) => showError(e),
  });

  if (status.error) return <QueryError error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  return (
    <Card
      title={t('security.mfaTitle')}
      loading={status.isPending}
      extra={s && (s.enabled ? <Tag color="green" data-testid="mfa-state">{t('security.on')}</Tag> : <Tag data-testid="mfa-state">{t('security.off')}</Tag>)}
      data-testid="mfa-card"
    >
      {s && !s.enabled && <MfaEnrolment onEnabled={() => void reload()} />}
      {s?.enabled && (
        <>
          {newCodes ? (
            <RecoveryCodeList codes={newCodes} onDone={() => setNewCodes(null)} />
          ) : (
            <Descriptions column={1} size="small" styles={{ label: { width: 220 } }}>
              <Descriptions.Item label={t('security.enabledAt')}>{s.enabledAt ? formatTime(s.enabledAt) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('security.recoveryTitle')}>{t('security.recoveryLeft', { count: s.recoveryCodesLeft })}</Descriptions.Item>
              <Descriptions.Item label={t('security.devicesTitle')}>
                {t('security.devices', { count: s.trustedDevices, days: s.rememberDays })}
              </Descriptions.Item>
            </Descriptions>
          )}
          {s.required && <Alert type="info" showIcon title={t('security.requiredNote')} style={{ margin: '12px 0' }} />}
          <Space wrap style={{ marginTop: 12 }}>
            <Button onClick={() => setAsking('codes')} data-testid="mfa-new-codes">
              {t('security.regenerate')}
            </Button>
            <Button onClick={() => forget.mutate()} disabled={s.trustedDevices === 0} loading={forget.isPending}>
              {t('security.forget')}
            </Button>
            {!s.required && (
              <Button danger onClick={() => setAsking('disable')} data-testid="mfa-disable">
                {t('security.disable')}
              </Button>
            )}
          </Space>
        </>
      )}
      <ProofModal
        open={asking !== null}
        title={asking === 'disable' ? t('security.disableTitle') : t('security.regenerateTitle')}
        okText={asking === 'disable' ? t('security.disable') : t('security.regenerate')}
        danger={asking === 'disable'}
        pending={disable.isPending || regenerate.isPending}
        onCancel={() => setAsking(null)}
        onProof={(p) => (asking === 'disable' ? disable.mutate(p) : regenerate.mutate(p))}
      />
    </Card>
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; repeat: string }>();
  const newPassword = Form.useWatch('newPassword', form);
  const change = useMutation({
    mutationFn: (v: { currentPassword: string; newPassword: string }) => api('/me/password', { method: 'POST', body: v }),
    onSuccess: () => {
      form.resetFields();
      void message.success(t('security.passwordChanged'));
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Card title={t('security.passwordTitle')} data-testid="password-card">
      <Form form={form} layout="vertical" style={{ maxWidth: 420 }} requiredMark={false} onFinish={(v) => change.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword })}>
        <Form.Item name="currentPassword" label={t('security.currentPassword')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('security.newPassword')} rules={[{ required: true, min: 10, message: t('security.strength.hint') }]} extra={<PasswordStrength password={newPassword} email={me?.email} name={me?.name} orgName={me?.orgName} />}>
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t('security.repeatPassword')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('security.repeatRequired') },
            ({ getFieldValue }) => ({ validator: (_, v) => (!v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('security.mismatch')))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t('security.changePassword')}
        </Button>
      </Form>
    </Card>
  );
}

export default function SecurityPage() {
  const { t } = useTranslation();
  return (
    <div className="page" data-testid="security-page">
      <PageHeader title={t('security.title')} subtitle={t('security.subtitle')} />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <TwoStepCard />
        <PasswordCard />
      </Space>
    </div>
  );
}

/** What a user who must set up a second factor sees, without the rest of the console. */
export function EnrolmentRequiredPage() {
  const { t } = useTranslation();
  const { me, refresh, logout } = useAuth();
  return (
    <div className="enrol-required-page" data-testid="mfa-required-page">
      <header className="enrol-required-top">
        <span className="app-brand-name">
          <Logo size={28} /> PosCare
        </span>
        <Space>
          <LanguageSwitch />
          <Button icon={<LogoutOutlined />} onClick={() => void logout()} data-testid="mfa-required-logout">
            {t('nav.signOut')}
          </Button>
        </Space>
      </header>
      <main className="enrol-required-main">
        <Typography.Title level={3}>{t('security.requiredTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('security.requiredText', { email: me?.email ?? '' })}</Typography.Paragraph>
        <Card>
          <MfaEnrolment onEnabled={() => void refresh()} />
        </Card>
      </main>
    </div>
  );
}
