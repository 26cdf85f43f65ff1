/** The organization's support line and hours, shown to merchants when the troubleshooter hands over to a person. */
import { useEffect } from 'react';
import { App, Button, Card, Form, Input, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { SupportContact } from '@poscare/contracts';
import { api } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { useShowError } from '../lib/hooks';

interface Values {
  phone?: string;
  hoursZh?: string;
  hoursEn?: string;
}

export function SupportContactCard() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<Values>();
  const key = ['organizations', me?.orgId, 'support'];
  const q = useQuery({ queryKey: key, queryFn: () => api<SupportContact>(`/organizations/${me!.orgId}/support`), enabled: !!me?.orgId });
  useEffect(() => {
    if (q.data) form.setFieldsValue({ phone: q.data.phone ?? '', hoursZh: q.data.hours?.['zh-CN'] ?? '', hoursEn: q.data.hours?.['en-US'] ?? '' });
  }, [q.data, form]);
  const save = useMutation({
    mutationFn: (v: Values) => {
      const body: SupportContact = {
        phone: v.phone?.trim() || null,
        hours: v.hoursZh?.trim() && v.hoursEn?.trim() ? { 'zh-CN': v.hoursZh.trim(), 'en-US': v.hoursEn.trim() } : null,
      };
      return api<SupportContact>(`/organizations/${me!.orgId}/support`, { method: 'PUT', body });
    },
    onSuccess: (r) => {
      qc.setQueryData(key, r);
      void message.success(t('common.saved'));
    },
    onError: (e) => showError(e, form),
  });
  const bothOrNone = ({ getFieldValue }: { getFieldValue: (n: string) => unknown }) => ({
    validator: async () => {
      const zh = String(getFieldValue('hoursZh') ?? '').trim();
      const en = String(getFieldValue('hoursEn') ?? '').trim();
      if (!zh !== !en) throw new Error(t('org.support.hoursBoth'));
    },
  });
  return (
    <Card title={t('org.support.title')} className="section-card" loading={q.isPending} data-testid="support-contact">
      <Typography.Paragraph type="secondary">{t('org.support.intro')}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} style={{ maxWidth: 560 }}>
        <Form.Item name="phone" label={t('org.support.phone')} rules={[{ pattern: /^[+\d][\d\s()-]{2,30}$/, message: t('org.support.phoneInvalid') }]}>
          <Input placeholder="400-888-0000" data-testid="support-phone" />
        </Form.Item>
        <Form.Item name="hoursZh" label={t('org.support.hoursZh')} dependencies={['hoursEn']} rules={[bothOrNone]}>
          <Input placeholder="工作日 9:00–18:00" data-testid="support-hours-zh" />
        </Form.Item>
        <Form.Item name="hoursEn" label={t('org.support.hoursEn')} dependencies={['hoursZh']} rules={[bothOrNone]}>
          <Input placeholder="Weekdays 9:00–18:00" data-testid="support-hours-en" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="support-save">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
