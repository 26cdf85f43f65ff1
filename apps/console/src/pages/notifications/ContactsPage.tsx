/**
 * Merchant contacts (issue 19): the merchant's own people who get an SMS about what concerns them —
 * a duplicate charge on their terminal, a step of their ticket, a dispute deadline, a critical alert —
 * in their language. Admins and agents pick any merchant of the organization; a merchant's user keeps
 * their own merchant's list. The server checks the same (channelAdmin.ts).
 */
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '@poscare/contracts';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { channelsApi, type ContactInput, type MerchantContactRow } from './api';

/** In the order merchants think of them; `alert` is for critical alerts on their own sites. */
const TOPICS = ['duplicate_charge', 'ticket_step', 'dispute_deadline', 'alert'] as const;
const URL_KEYS = ['merchant'] as const;

function ContactModal({ merchantId, contact, open, onClose }: { merchantId: string; contact: MerchantContactRow | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<ContactInput>();
  const save = useMutation({
    mutationFn: (v: ContactInput) => channelsApi.saveContact(merchantId, contact?.id ?? null, v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['merchant-contacts', merchantId] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal
      open={open}
      width={520}
      title={contact ? t('channels.contacts.edit') : t('channels.contacts.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'contact-save' } as Record<string, string>}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => save.mutate(v)}
        initialValues={contact ? { name: contact.name, mobile: contact.mobile, language: contact.language, topics: contact.topics } : { name: '', mobile: '', language: 'zh-CN', topics: ['duplicate_charge', 'ticket_step', 'dispute_deadline'] }}
      >
        <Form.Item name="name" label={t('channels.contacts.name')} rules={[{ required: true, whitespace: true, message: t('channels.required') }]}>
          <Input data-testid="contact-name" maxLength={100} />
        </Form.Item>
        <Form.Item name="mobile" label={t('channels.contacts.mobile')} extra={t('channels.contacts.mobileHint')} rules={[{ required: true, message: t('channels.required') }]}>
          <Input data-testid="contact-mobile" inputMode="tel" maxLength={20} />
        </Form.Item>
        <Form.Item name="language" label={t('channels.contacts.language')}>
          <Select data-testid="contact-language" options={LANGUAGES.map((l) => ({ value: l, label: t(`channels.contacts.languages.${l}`) }))} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="topics" label={t('channels.contacts.topics')} rules={[{ required: true, type: 'array', min: 1, message: t('channels.contacts.topicsRequired') }]}>
          <Checkbox.Group data-testid="contact-topics">
            <Space direction="vertical" size={4}>
              {TOPICS.map((x) => (
                <Checkbox key={x} value={x}>
                  {t(`channels.contacts.topic.${x}`)}
                  <div className="muted small">{t(`channels.contacts.topicHint.${x}`)}</div>
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function MerchantPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const list = useQuery({ queryKey: ['merchants', 'pick', q], queryFn: () => channelsApi.merchants(q) });
  const chosen = useQuery({ queryKey: ['merchants', value], queryFn: () => channelsApi.merchant(value), enabled: !!value });
  const options = [...(list.data?.items ?? [])];
  if (chosen.data && !options.some((m) => m.id === chosen.data.id)) options.unshift(chosen.data);
  return (
    <Select
      showSearch
      filterOption={false}
      onSearch={setQ}
      value={value || undefined}
      onChange={onChange}
      loading={list.isPending}
      placeholder={t('channels.contacts.pickMerchant')}
      style={{ width: '100%', maxWidth: 420 }}
      options={options.map((m) => ({ value: m.id, label: `${m.name} · ${m.mid}` }))}
      data-testid="contact-merchant"
      notFoundContent={t('channels.contacts.noMerchant')}
    />
  );
}

export default function ContactsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const showError = useShowError();
  const qc = useQueryClient();
  const own = me?.merchantId ?? null;
  const { values: url, setFilters: setUrl } = useUrlState(URL_KEYS);
  const merchantId = own ?? url.merchant ?? '';
  const [editing, setEditing] = useState<{ contact: MerchantContactRow | null } | null>(null);
  const list = useQuery({ queryKey: ['merchant-contacts', merchantId], queryFn: () => channelsApi.contacts(merchantId), enabled: !!merchantId });
  const remove = useMutation({
    mutationFn: (c: MerchantContactRow) => channelsApi.removeContact(c.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['merchant-contacts', merchantId] }),
    onError: (e) => showError(e),
  });
  const cols: TableColumnsType<MerchantContactRow> = [
    { title: t('channels.contacts.name'), dataIndex: 'name', render: (v: string, r) => <span><strong>{v}</strong><div className="muted mono small">{r.mobile}</div></span> },
    { title: t('channels.contacts.language'), dataIndex: 'language', responsive: ['sm'], render: (v: MerchantContactRow['language']) => t(`channels.contacts.languages.${v}`) },
    {
      title: t('channels.contacts.topics'),
      dataIndex: 'topics',
      render: (v: MerchantContactRow['topics']) => (
        <Space size={[4, 4]} wrap>
          {TOPICS.filter((x) => v.includes(x)).map((x) => <Tag key={x}>{t(`channels.contacts.topic.${x}`)}</Tag>)}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'a',
      width: 96,
      render: (_, r) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ contact: r })} aria-label={t('channels.contacts.edit')} data-testid="contact-edit" />
          <Popconfirm title={t('channels.contacts.deleteConfirm', { name: r.name })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(r).catch(() => undefined)}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];
  return (
    <div data-testid="page-contacts">
      <PageHeader title={t('channels.contacts.pageTitle')} subtitle={t('channels.contacts.pageSubtitle')} />
      <Card
        className="section-card table-card"
        title={own ? t('channels.contacts.title') : <MerchantPicker value={merchantId} onChange={(id) => setUrl({ merchant: id })} />}
        extra={merchantId && <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setEditing({ contact: null })} data-testid="contact-add">{t('channels.contacts.add')}</Button>}
      >
        <Typography.Paragraph type="secondary" className="small">
          {t('channels.contacts.hint')}
        </Typography.Paragraph>
        {!merchantId ? (
          <Alert type="info" showIcon message={t('channels.contacts.pickFirst')} />
        ) : list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<MerchantContactRow>
            rowKey="id"
            size="small"
            columns={cols}
            dataSource={list.data}
            loading={list.isPending}
            pagination={false}
            locale={{ emptyText: <EmptyState title={t('channels.contacts.empty')} /> }}
            data-testid="contacts-table"
          />
        )}
      </Card>
      {merchantId && <ContactModal merchantId={merchantId} open={!!editing} contact={editing?.contact ?? null} onClose={() => setEditing(null)} />}
    </div>
  );
}
