import { useState } from 'react';
import { Alert, Button, Checkbox, Form, Input, Typography } from 'antd';
import { LockOutlined, MailOutlined, CheckCircleFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import type { LoginChallenge } from '@poscare/contracts';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { isApiError } from '../api/client';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Logo } from '../components/Logo';
import { FullPageSpin } from '../components/Status';

interface LoginForm {
  email: string;
  password: string;
}

interface CodeForm {
  code?: string;
  recoveryCode?: string;
  remember: boolean;
}

/** The second step: the code from the authenticator app (or a recovery code), and "remember this browser". */
function SecondStep({ challenge, onDone, onBack }: { challenge: LoginChallenge; onDone: () => void; onBack: () => void }) {
  const { t } = useTranslation();
  const { secondFactor } = useAuth();
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const onFinish = async (v: CodeForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await secondFactor({
        challenge: challenge.challenge,
        ...(recovery ? { recoveryCode: (v.recoveryCode ?? '').trim() } : { code: (v.code ?? '').replace(/\s/g, '') }),
        rememberDevice: Boolean(v.remember),
      });
      onDone();
    } catch (e) {
      setError(isApiError(e) ? e.message : t('errors.unknown'));
      if (isApiError(e) && e.id === 'mfa.challenge_expired') onBack();
    } finally {
      setSubmitting(false);
    }
  };
  return (
    <div data-testid="login-code-step">
      <Typography.Title level={2} className="login-title" data-testid="login-code-title">
        <SafetyCertificateOutlined /> {t('security.login.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{recovery ? t('security.login.recoveryText') : t('security.login.text')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} className="login-error" data-testid="login-code-error" />}
      <Form<CodeForm> layout="vertical" size="large" onFinish={onFinish} requiredMark={false} initialValues={{ remember: false }}>
        {recovery ? (
          <Form.Item name="recoveryCode" label={t('security.login.recoveryLabel')} rules={[{ required: true, message: t('security.codeRequired') }]}>
            <Input className="mono" autoComplete="off" placeholder="xxxxx-xxxxx" data-testid="login-recovery" autoFocus />
          </Form.Item>
        ) : (
          <Form.Item name="code" label={t('security.codeLabel')} rules={[{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: t('security.codeRequired') }]}>
            <Input className="mono" inputMode="numeric" autoComplete="one-time-code" maxLength={7} placeholder="123 456" data-testid="login-code" autoFocus />
          </Form.Item>
        )}
        {challenge.rememberDays > 0 && (
          <Form.Item name="remember" valuePropName="checked">
            <Checkbox data-testid="login-remember">{t('security.login.remember', { count: challenge.rememberDays })}</Checkbox>
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-code-submit">
          {t('security.login.verify')}
        </Button>
      </Form>
      <div className="login-code-links">
        <Button type="link" onClick={() => setRecovery((r) => !r)} data-testid="login-use-recovery">
          {recovery ? t('security.login.useApp') : t('security.login.useRecovery')}
        </Button>
        <Button type="link" onClick={onBack}>
          {t('security.login.back')}
        </Button>
      </div>
    </div>
  );
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { me, loading, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [challenge, setChallenge] = useState<LoginChallenge | null>(null);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (loading) return <FullPageSpin />;
  if (me) return <Navigate to={from} replace />;

  const onFinish = async (v: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      const answer = await login(v.email.trim(), v.password);
      if ('challenge' in answer) setChallenge(answer);
      else navigate(from === '/login' ? '/' : from, { replace: true });
    } catch (e) {
      setError(isApiError(e) ? e.message : t('errors.unknown'));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="login-page">
      <aside className="login-hero">
        <div className="login-hero-brand">
          <Logo size={40} />
          <span>PosCare</span>
        </div>
        <div className="login-hero-body">
          <h1>{t('auth.heroTitle')}</h1>
          <p>{t('auth.heroText')}</p>
          <ul>
            <li>
              <CheckCircleFilled /> {t('auth.heroPoint1')}
            </li>
            <li>
              <CheckCircleFilled /> {t('auth.heroPoint2')}
            </li>
            <li>
              <CheckCircleFilled /> {t('auth.heroPoint3')}
            </li>
          </ul>
        </div>
        <div className="login-hero-foot">© PosCare</div>
      </aside>
      <main className="login-main">
        <div className="login-topbar">
          <LanguageSwitch />
        </div>
        <div className="login-card">
          <div className="login-card-brand">
            <Logo size={36} />
          </div>
          {challenge ? (
            <SecondStep challenge={challenge} onDone={() => navigate(from === '/login' ? '/' : from, { replace: true })} onBack={() => setChallenge(null)} />
          ) : (
          <>
          <Typography.Title level={2} className="login-title" data-testid="login-title">
            {t('auth.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('auth.subtitle')}</Typography.Paragraph>
          {error && (
            <Alert type="error" showIcon title={error} className="login-error" data-testid="login-error" />
          )}
          <Form<LoginForm> layout="vertical" size="large" onFinish={onFinish} requiredMark={false} autoComplete="on">
            <Form.Item
              name="email"
              label={t('auth.email')}
              rules={[{ required: true, message: t('auth.emailRequired') }]}
            >
              <Input
                prefix={<MailOutlined />}
                type="email"
                autoComplete="username"
                placeholder="name@company.com"
                data-testid="login-email"
                autoFocus
              />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('auth.password')}
              rules={[{ required: true, message: t('auth.passwordRequired') }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
              {t('auth.submit')}
            </Button>
          </Form>
          </>
          )}
        </div>
      </main>
    </div>
  );
}
