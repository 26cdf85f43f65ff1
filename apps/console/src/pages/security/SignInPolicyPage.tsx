/** The organization's sign-in policy: which roles must use two-step sign-in, and how long a browser is remembered. */
import { useEffect } from 'react';
import { Alert, App, Button, Card, Checkbox, Form, InputNumber, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ROLES, type OrgSecurity } from '@poscare/contracts';
import { api } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { useShowError } from '../../lib/hooks';

type PolicyForm = Pick<OrgSecurity, 'mfaRequiredRoles' | 'mfaRememberDays'>;

export default function SignInPolicyPage() {
  const { t } = useTranslation();
  const { me, refresh } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<PolicyForm>();
  const key = ['org-security', me?.orgId];
  const policy = useQuery({ queryKey: key, queryFn: () => api<OrgSecurity>(`/organizations/${me!.orgId}/security`), enabled: !!me });
  useEffect(() => {
    if (policy.data) form.setFieldsValue({ mfaRequiredRoles: policy.data.mfaRequiredRoles, mfaRememberDays: policy.data.mfaRememberDays });
  }, [policy.data, form]);
  const save = useMutation({
    mutationFn: (v: PolicyForm) => api<OrgSecurity>(`/organizations/${me!.orgId}/security`, { method: 'PUT', body: v }),
    onSuccess: async (r) => {
      qc.setQueryData(key, r);
      void message.success(t('common.saved'));
      // The signed-in admin's own role may now require a second factor.
      await refresh();
    },
    onError: (e) => showError(e, form),
  });

  if (policy.error) return <QueryError error={policy.error} onRetry={() => void policy.refetch()} />;
  return (
    <div className="page" data-testid="sign-in-policy-page">
      <PageHeader title={t('security.policy.title')} subtitle={me?.orgName} />
      <Card loading={policy.isPending}>
        <Typography.Paragraph type="secondary">{t('security.policy.intro')}</Typography.Paragraph>
        <Form<PolicyForm> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} style={{ maxWidth: 560 }}>
          <Form.Item name="mfaRequiredRoles" label={t('security.policy.roles')}>
            <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} data-testid="policy-roles" />
          </Form.Item>
          <Form.Item name="mfaRememberDays" label={t('security.policy.rememberDays')} extra={t('security.policy.rememberHelp')} rules={[{ required: true, type: 'integer', min: 0, max: 90 }]}>
            <InputNumber min={0} max={90} style={{ width: 120 }} data-testid="policy-remember-days" />
          </Form.Item>
          {policy.data && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('security.policy.platformAdmins', { state: t(`security.policy.${policy.data.platformAdmins}`) })}
            />
          )}
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="policy-save">
            {t('common.save')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
