/**
 * The terminal page's command panel (issue 18): every remote command with its arguments, the
 * commands sent and what the terminal answered — a self-test as a checklist, a position, log bundles
 * to read or download.
 */
import { useEffect, useState } from 'react';
import { App, Button, Card, Empty, Form, List, Modal, Space, Table, Tag, Typography } from 'antd';
import { CheckCircleTwoTone, CloseCircleTwoTone, DownloadOutlined, FileTextOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { type CommandName, type CommandRow, type LogBundle, LocateResult, SelfTestResult } from '@poscare/contracts';
import { api, API_BASE } from '../../api/client';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { argsOf, type ArgsValues, CommandFields, CONFIRMED_COMMANDS } from './CommandArgs';

export const STATUS_COLORS: Record<CommandRow['status'], string> = { sent: 'default', received: 'processing', succeeded: 'success', failed: 'error', expired: 'warning' };

/** What a command found, as a person reads it: the self-test checklist, the position. */
export function CommandResult({ row }: { row: Pick<CommandRow, 'name' | 'result'> }) {
  const { t } = useTranslation();
  if (!row.result) return null;
  if (row.name === 'self_test') {
    const r = SelfTestResult.safeParse(row.result);
    if (!r.success) return null;
    return (
      <List
        size="small"
        data-testid="self-test-checklist"
        dataSource={r.data.checks}
        renderItem={(c) => (
          <List.Item>
            <Space>
              {c.ok ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#ff4d4f" />}
              <Typography.Text strong>{t(`remote.checks.${c.check}`)}</Typography.Text>
              <Typography.Text type="secondary">{c.detail}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    );
  }
  if (row.name === 'locate') {
    const r = LocateResult.safeParse(row.result);
    if (!r.success) return null;
    return (
      <Typography.Text data-testid="locate-result">
        {t('remote.position', { lat: r.data.lat, lon: r.data.lon, accuracy: r.data.accuracyM, source: t(`remote.sources.${r.data.source}`) })}
      </Typography.Text>
    );
  }
  return null;
}

export function CommandPanel({ terminalId }: { terminalId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<ArgsValues & { name: CommandName; reason?: string }>();
  const name = Form.useWatch('name', form);
  const [expanded, setExpanded] = useState<string[]>([]);

  const commands = useQuery({
    queryKey: ['fleet', 'commands', terminalId],
    queryFn: () => api<CommandRow[]>(`/terminals/${terminalId}/commands`),
    refetchInterval: (q) => (q.state.data?.some((c) => c.status === 'sent' || c.status === 'received') ? 3_000 : 30_000),
  });
  const logs = useQuery({ queryKey: ['fleet', 'logs', terminalId], queryFn: () => api<LogBundle[]>(`/terminals/${terminalId}/logs`), refetchInterval: 15_000 });
  // A lock or unlock the terminal just confirmed changes its live card's lock tag: refresh it now.
  const lockConfirmed = commands.data?.filter((c) => (c.name === 'lock' || c.name === 'unlock') && c.status === 'succeeded').map((c) => c.id).join(',') ?? '';
  useEffect(() => {
    if (lockConfirmed) void qc.invalidateQueries({ queryKey: ['fleet', 'live', terminalId] });
  }, [lockConfirmed, qc, terminalId]);

  const send = useMutation({
    mutationFn: (body: { name: CommandName; args?: Record<string, unknown>; reason?: string }) => api<CommandRow>(`/terminals/${terminalId}/commands`, { method: 'POST', body }),
    onSuccess: (row) => {
      void message.success(t('remote.sent', { name: t(`commands.names.${row.name}`) }));
      setExpanded((e) => [...e, row.id]);
      void qc.invalidateQueries({ queryKey: ['fleet', 'commands', terminalId] });
      void qc.invalidateQueries({ queryKey: ['fleet', 'logs', terminalId] });
    },
    onError: (e) => showError(e),
  });

  const submit = (v: ArgsValues & { name: CommandName; reason?: string }) => {
    const { name: n, reason, ...rest } = v;
    const { args, error } = argsOf(n, rest);
    if (error) return void message.error(error);
    const body = { name: n, ...(args ? { args } : {}), ...(reason ? { reason } : {}) };
    if (!CONFIRMED_COMMANDS.includes(n)) return send.mutate(body);
    Modal.confirm({
      title: t('remote.confirmTitle', { name: t(`commands.names.${n}`) }),
      content: t(`remote.confirm.${n}`, { defaultValue: t('remote.confirm.default') }),
      okText: t('remote.send'),
      cancelText: t('common.cancel'),
      onOk: () => send.mutate(body),
    });
  };

  return (
    <Card title={t('remote.panelTitle')} className="section-card" data-testid="command-panel">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ name: 'self_test' }}>
        <CommandFields form={form} name={name} selectTestId="command-select" />
        <Button type="primary" htmlType="submit" loading={send.isPending} data-testid="command-send">
          {t('remote.send')}
        </Button>
      </Form>

      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('remote.history')}
      </Typography.Title>
      <Table<CommandRow>
        size="small"
        rowKey="id"
        data-testid="command-history"
        loading={commands.isLoading}
        dataSource={commands.data ?? []}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        scroll={{ x: 520 }}
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (k) => setExpanded(k as string[]),
          rowExpandable: (r) => r.result !== null,
          expandedRowRender: (r) => <CommandResult row={r} />,
        }}
        columns={[
          { title: t('remote.command'), dataIndex: 'name', render: (n: CommandName) => t(`commands.names.${n}`) },
          { title: t('remote.status'), dataIndex: 'status', render: (s: CommandRow['status']) => <Tag color={STATUS_COLORS[s]}>{t(`commands.statuses.${s}`)}</Tag> },
          { title: t('remote.detail'), dataIndex: 'detail', ellipsis: true, render: (d: string | null) => d ?? '' },
          { title: t('remote.when'), dataIndex: 'createdAt', render: (d: string) => formatTime(d), width: 130 },
        ]}
      />

      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('remote.logs')}
      </Typography.Title>
      {(logs.data ?? []).length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('remote.noLogs')} />
      ) : (
        <List
          size="small"
          data-testid="log-bundles"
          dataSource={logs.data}
          renderItem={(l) => (
            <List.Item
              actions={[
                <a key="view" href={`${API_BASE}/terminals/${terminalId}/logs/${l.id}?view=text`} target="_blank" rel="noreferrer">
                  <FileTextOutlined /> {t('remote.viewLog')}
                </a>,
                <a key="dl" href={`${API_BASE}/terminals/${terminalId}/logs/${l.id}`} download>
                  <DownloadOutlined /> {t('remote.downloadLog')}
                </a>,
              ]}
            >
              <List.Item.Meta title={l.filename} description={t('remote.logMeta', { size: Math.max(1, Math.round(l.bytes / 1024)), at: formatTime(l.createdAt), until: formatTime(l.expiresAt) })} />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
