import { Card, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import type { FailedJob, FailedJobs } from '@poscare/contracts';
import { api } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';

type Queue = FailedJobs['queues'][number];

/** Background jobs (platform admins): each queue's depth and the jobs that failed every try. */
export default function JobsPage() {
  const { t } = useTranslation();
  const [name, setName] = useState<string | undefined>();
  const q = useQuery({
    queryKey: ['admin-jobs-failed', name],
    queryFn: () => api<FailedJobs>('/admin/jobs/failed', { query: { name, limit: 200 } }),
    refetchInterval: 30_000,
  });
  const jobName = (n: string) => t(`operations.jobNames.${n}`, { defaultValue: n });

  const queueColumns: TableColumnsType<Queue> = [
    { title: t('operations.job'), dataIndex: 'name', render: (n: string) => <span><strong>{jobName(n)}</strong> <Typography.Text type="secondary" code>{n}</Typography.Text></span> },
    { title: t('operations.waiting'), dataIndex: 'waiting', align: 'right' },
    { title: t('operations.active'), dataIndex: 'active', align: 'right' },
    { title: t('operations.failed'), dataIndex: 'failed', align: 'right', render: (n: number) => (n ? <Tag color="red">{n}</Tag> : n) },
  ];
  const columns: TableColumnsType<FailedJob> = [
    { title: t('operations.failedAt'), dataIndex: 'failedAt', width: 170, render: (v: string | null) => formatTime(v) },
    { title: t('operations.job'), dataIndex: 'name', width: 200, render: (n: string) => jobName(n) },
    { title: t('operations.error'), dataIndex: 'error', render: (e: string | null) => <Typography.Text type="danger">{e ?? '—'}</Typography.Text> },
    { title: t('operations.tries'), dataIndex: 'tries', width: 80, align: 'right' },
    { title: t('operations.payload'), dataIndex: 'data', render: (d: Record<string, unknown>) => <Typography.Text code style={{ fontSize: 12, wordBreak: 'break-all' }}>{JSON.stringify(d)}</Typography.Text> },
    { title: t('operations.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatTime(v) },
  ];

  return (
    <>
      <PageHeader title={t('operations.title')} subtitle={t('operations.subtitle')} />
      {q.error ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card title={t('operations.queues')} size="small">
            <Table<Queue> rowKey="name" size="small" pagination={false} loading={q.isLoading} columns={queueColumns} dataSource={q.data?.queues ?? []} locale={{ emptyText: t('operations.noQueues') }} />
          </Card>
          <Card
            title={t('operations.deadLetters')}
            size="small"
            extra={
              <Select
                allowClear
                placeholder={t('operations.allJobs')}
                style={{ width: 220 }}
                value={name}
                onChange={setName}
                options={(q.data?.queues ?? []).map((x) => ({ value: x.name, label: jobName(x.name) }))}
                data-testid="jobs-filter"
              />
            }
          >
            <Typography.Paragraph type="secondary">{t('operations.deadLettersHint')}</Typography.Paragraph>
            {q.data && !q.data.items.length ? (
              <EmptyState title={t('operations.noDeadLetters')} />
            ) : (
              <Table<FailedJob> rowKey="id" size="small" loading={q.isLoading} columns={columns} dataSource={q.data?.items ?? []} pagination={{ pageSize: 50, hideOnSinglePage: true }} data-testid="dead-letters" />
            )}
          </Card>
        </Space>
      )}
    </>
  );
}
