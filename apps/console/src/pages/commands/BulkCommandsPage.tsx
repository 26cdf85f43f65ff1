/**
 * Bulk commands (issue 18): one command to every terminal a filter matches (merchant, site, model,
 * version, health). The count is shown and confirmed before anything is sent; each bulk command then
 * has its page with per-terminal progress and a summary.
 */
import { App, Button, Card, Col, Form, Input, Modal, Progress, Row, Select, Space, Table, Tag, } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { FLEET_STATUSES, type BulkPreview, type CommandBatch, type CommandBatchDetail, type CommandFilter, type CommandName } from '@poscare/contracts';
import { api, type PageOf } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { argsOf, type ArgsValues, CommandFields } from './CommandArgs';
import { CommandResult, STATUS_COLORS } from './CommandPanel';

type FormValues = ArgsValues & CommandFilter & { name: CommandName; reason?: string };

function Summary({ b }: { b: CommandBatch }) {
  const { t } = useTranslation();
  const s = b.summary;
  const done = s.succeeded + s.failed + s.noAnswer;
  return (
    <Space wrap size="middle" data-testid="batch-summary">
      <Progress type="circle" size={56} percent={s.total ? Math.round((done / s.total) * 100) : 0} />
      <Tag color="success">{t('remote.summary.succeeded', { n: s.succeeded })}</Tag>
      <Tag color="error">{t('remote.summary.failed', { n: s.failed })}</Tag>
      <Tag color="warning">{t('remote.summary.noAnswer', { n: s.noAnswer })}</Tag>
      <Tag color="processing">{t('remote.summary.pending', { n: s.pending })}</Tag>
    </Space>
  );
}

export function BulkCommandsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const [form] = Form.useForm<FormValues>();
  const name = Form.useWatch('name', form);
  const merchantId = Form.useWatch('merchantId', form);
  const merchants = useQuery({ queryKey: ['merchants', 'all'], queryFn: () => api<PageOf<{ id: string; name: string }>>('/merchants', { query: { limit: 500 } }) });
  const sites = useQuery({ queryKey: ['sites', 'all', merchantId], queryFn: () => api<PageOf<{ id: string; name: string }>>('/sites', { query: { limit: 500, merchantId } }) });
  const batches = useQuery({ queryKey: ['command-batches'], queryFn: () => api<CommandBatch[]>('/command-batches'), refetchInterval: 10_000 });

  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<CommandBatchDetail>('/commands/bulk', { method: 'POST', body }),
    onSuccess: (b) => navigate(`/commands/batches/${b.id}`),
    onError: (e) => showError(e),
  });

  const submit = async (v: FormValues) => {
    const { name: n, reason, merchantId: m, siteId, model, appVersion, status, ...rest } = v;
    const { args, error } = argsOf(n, rest);
    if (error) return void message.error(error);
    const filter: CommandFilter = Object.fromEntries(Object.entries({ merchantId: m, siteId, model, appVersion, status }).filter(([, x]) => x)) as CommandFilter;
    let preview: BulkPreview;
    try {
      // An install goes only to terminals the package fits: the count leaves the others out.
      preview = await api<BulkPreview>('/commands/bulk/preview', { method: 'POST', body: n === 'install' && args ? { ...filter, install: args } : filter });
    } catch (err) {
      return showError(err);
    }
    if (preview.reachable === 0) return void message.warning(t('remote.bulk.nobody', { matched: preview.matched }));
    Modal.confirm({
      title: t('remote.bulk.confirmTitle', { name: t(`commands.names.${n}`), count: preview.reachable }),
      content: (
        <span data-testid="bulk-confirm-count">
          {t('remote.bulk.confirmBody', { count: preview.reachable, matched: preview.matched })}
          {preview.incompatible ? ` ${t('software.bulkIncompatible', { n: preview.incompatible })}` : ''}
        </span>
      ),
      okText: t('remote.bulk.confirmOk', { count: preview.reachable }),
      cancelText: t('common.cancel'),
      onOk: () => send.mutate({ name: n, filter, expectedCount: preview.reachable, ...(args ? { args } : {}), ...(reason ? { reason } : {}) }),
    });
  };

  return (
    <>
      <PageHeader title={t('remote.bulk.title')} subtitle={t('remote.bulk.subtitle')} />
      <Card className="section-card" data-testid="bulk-form">
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ name: 'self_test' }}>
          <Row gutter={16}>
            <Col xs={24} md={12} lg={8}>
              <Form.Item name="merchantId" label={t('remote.bulk.merchant')}>
                <Select allowClear showSearch optionFilterProp="label" data-testid="bulk-merchant" options={(merchants.data?.items ?? []).map((m) => ({ value: m.id, label: m.name }))} onChange={() => form.setFieldValue('siteId', undefined)} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={8}>
              <Form.Item name="siteId" label={t('remote.bulk.site')}>
                <Select allowClear showSearch optionFilterProp="label" data-testid="bulk-site" options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={8}>
              <Form.Item name="status" label={t('remote.bulk.health')}>
                <Select allowClear options={FLEET_STATUSES.map((s) => ({ value: s, label: t(`fleet.status.${s}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={8}>
              <Form.Item name="model" label={t('remote.bulk.model')}>
                <Input allowClear maxLength={60} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={8}>
              <Form.Item name="appVersion" label={t('remote.bulk.appVersion')}>
                <Input allowClear maxLength={40} />
              </Form.Item>
            </Col>
          </Row>
          <CommandFields form={form} name={name} selectTestId="bulk-command" />
          <Button type="primary" htmlType="submit" loading={send.isPending} data-testid="bulk-send">
            {t('remote.bulk.count')}
          </Button>
        </Form>
      </Card>
      <Card title={t('remote.bulk.history')} className="section-card">
        {batches.isError ? (
          <QueryError error={batches.error} onRetry={() => void batches.refetch()} />
        ) : (
          <Table<CommandBatch>
            rowKey="id"
            size="small"
            loading={batches.isLoading}
            dataSource={batches.data ?? []}
            scroll={{ x: 640 }}
            columns={[
              { title: t('remote.command'), dataIndex: 'name', render: (n: CommandName, b) => <Link to={`/commands/batches/${b.id}`}>{t(`commands.names.${n}`)}</Link> },
              { title: t('remote.when'), dataIndex: 'createdAt', render: (d: string) => formatTime(d) },
              { title: t('remote.bulk.by'), dataIndex: 'requestedBy' },
              { title: t('remote.bulk.result'), key: 'summary', render: (_, b) => <Summary b={b} /> },
            ]}
          />
        )}
      </Card>
    </>
  );
}

export function BatchPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: ['command-batches', id],
    queryFn: () => api<CommandBatchDetail>(`/command-batches/${id}`),
    refetchInterval: (x) => ((x.state.data?.summary.pending ?? 1) > 0 ? 3_000 : false),
  });
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  const b = q.data;
  return (
    <>
      <PageHeader title={b ? t('remote.bulk.batchTitle', { name: t(`commands.names.${b.name}`), count: b.summary.total }) : t('remote.bulk.title')} subtitle={b ? `${formatTime(b.createdAt)} · ${b.requestedBy ?? ''}${b.reason ? ` · ${b.reason}` : ''}` : undefined} backTo="/commands" />
      <Card className="section-card">{b && <Summary b={b} />}</Card>
      <Card title={t('remote.bulk.perTerminal')} className="section-card">
        <Table
          rowKey="id"
          size="small"
          data-testid="batch-terminals"
          loading={q.isLoading}
          dataSource={b?.terminals ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 640 }}
          expandable={{ rowExpandable: (r) => r.result !== null, expandedRowRender: (r) => <CommandResult row={r} /> }}
          columns={[
            { title: t('remote.bulk.terminal'), dataIndex: 'serialNumber', render: (s: string, r) => <Link to={`/terminals/${r.terminalId}`}>{s}</Link> },
            { title: t('remote.bulk.site'), dataIndex: 'siteName' },
            { title: t('remote.status'), dataIndex: 'status', render: (s: keyof typeof STATUS_COLORS) => <Tag color={STATUS_COLORS[s]}>{t(`commands.statuses.${s}`)}</Tag> },
            { title: t('remote.detail'), dataIndex: 'detail', ellipsis: true },
            { title: t('remote.when'), dataIndex: 'updatedAt', render: (d: string) => formatTime(d) },
          ]}
        />
      </Card>
    </>
  );
}
