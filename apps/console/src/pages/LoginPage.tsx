import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { LockOutlined, MailOutlined, CheckCircleFilled } from '@ant-design/icons';
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

export default function LoginPage() {
  const { t } = useTranslation();
  const { me, loading, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (loading) return <FullPageSpin />;
  if (me) return <Navigate to={from} replace />;

  const onFinish = async (v: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await login(v.email.trim(), v.password);
      navigate(from === '/login' ? '/' : from, { replace: true });
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
        </div>
      </main>
    </div>
  );
}
