import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Descriptions, Empty, Form, Input, List, Radio, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { Dayjs } from 'dayjs';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { FullPageSpin, QueryError } from '../../components/Status';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { RISK_DECISIONS, riskApi, yuan, type RiskCaseDetail, type RiskPayment } from './api';
import { DecisionTag, useKindName, useT } from './shared';
import './risk.css';

function PaymentsTable({ rows, testId, highlight = false }: { rows: RiskPayment[]; testId: string; highlight?: boolean }) {
  const t = useT();
  const columns: TableColumnsType<RiskPayment> = [
    { title: t('risk.col.time'), dataIndex: 'at', render: (x: string) => <span className="nowrap" title={formatTimeFull(x)}>{formatTime(x)}</span> },
    { title: t('risk.col.source'), dataIndex: 'source', render: (x: string) => <Tag color={x === 'host' ? 'purple' : 'default'}>{t(`risk.source.${x}`)}</Tag> },
    { title: t('risk.col.type'), dataIndex: 'type', render: (x: string) => t(`risk.type.${x}`, { defaultValue: x }) },
    { title: t('risk.col.amount'), dataIndex: 'amountMinor', align: 'right', render: (x: number) => yuan(x) },
    { title: t('risk.col.entryMode'), dataIndex: 'entryMode', render: (x: string) => t(`risk.entryMode.${x}`, { defaultValue: x }) },
    {
      title: t('risk.col.outcome'),
      dataIndex: 'outcome',
      render: (x: string, r) => (
        <span>
          <Tag color={x === 'approved' ? 'green' : x === 'declined' ? 'orange' : 'red'}>{t(`risk.outcome.${x}`, { defaultValue: x })}</Tag>
          {r.responseCode && <span className="mono muted">{r.responseCode}</span>}
        </span>
      ),
    },
    { title: t('risk.col.card'), dataIndex: 'cardToken', render: (x: string | null) => <span className="mono">{x ?? '—'}</span> },
    { title: t('risk.col.terminal'), dataIndex: 'terminalLabel', render: (x: string | null, r) => <Link to={`/terminals/${r.terminalId}`} className="mono">{x ?? r.terminalId.slice(0, 8)}</Link> },
    { title: t('risk.col.merchant'), dataIndex: 'merchantName', render: (x: string | null) => x ?? '—' },
    { title: 'STAN', dataIndex: 'stan', render: (x: string | null) => <span className="mono">{x ?? '—'}</span> },
  ];
  return (
    <Table
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={rows}
      pagination={rows.length > 15 ? { pageSize: 15, size: 'small' } : false}
      scroll={{ x: 900 }}
      rowClassName={(r) => (highlight && r.involved ? 'risk-involved' : '')}
      data-testid={testId}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common.noData')} /> }}
    />
  );
}

function DecisionCard({ c, onDone }: { c: RiskCaseDetail; onDone: (d: RiskCaseDetail) => void }) {
  const t = useT();
  const showError = useShowError();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ decision: string; note?: string; cards: string[]; terminals: string[]; until?: Dayjs | null }>();
  const decision = Form.useWatch('decision', form);
  const blocked = new Set(c.blocks.map((b) => `${b.kind}:${b.value}`));
  // Ticked at first: the cards with an attempt the host or terminal did not approve in this case. A run of
  // card testing also holds real customers' small approved payments, who should not be blocked unasked.
  const suspect = new Set(c.payments.filter((p) => p.source === 'terminal' && p.outcome !== 'approved' && p.cardToken).map((p) => p.cardToken!));
  if (c.cardTokens.length === 1) suspect.add(c.cardTokens[0]!);
  const decide = useMutation({
    mutationFn: (v: { decision: string; note?: string; cards: string[]; terminals: string[]; until?: Dayjs | null }) =>
      riskApi.decide(c.id, {
        decision: v.decision as (typeof RISK_DECISIONS)[number],
        note: v.note,
        ...(v.decision === 'fraud' && (v.cards?.length || v.terminals?.length)
          ? { block: { cardTokens: v.cards ?? [], terminalIds: v.terminals ?? [], ...(v.until ? { expiresAt: v.until.toISOString() } : {}) } }
          : {}),
      }),
    onSuccess: (d) => {
      void message.success(t('risk.case.decidedToast'));
      onDone(d);
    },
    onError: (e) => showError(e, form),
  });
  if (c.decision) {
    return (
      <Card size="small" title={t('risk.case.decision')} data-testid="risk-decided">
        <Space direction="vertical">
          <DecisionTag row={c} />
          <span className="muted">{t('risk.case.decidedBy', { name: c.decidedByName ?? t('common.system'), time: formatTime(c.decidedAt) })}</span>
          {c.decisionNote && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{c.decisionNote}</Typography.Paragraph>}
        </Space>
      </Card>
    );
  }
  return (
    <Card size="small" title={t('risk.case.decide')} data-testid="risk-decision-form">
      <Form
        form={form}
        layout="vertical"
        initialValues={{ decision: undefined, cards: c.cardTokens.filter((x) => suspect.has(x) && !blocked.has(`card_token:${x}`)), terminals: [] }}
        onFinish={(v) => decide.mutate(v)}
      >
        <Form.Item name="decision" rules={[{ required: true, message: t('common.required') }]}>
          <Radio.Group optionType="button" buttonStyle="solid" options={RISK_DECISIONS.map((d) => ({ value: d, label: t(`risk.decision.${d}`) }))} data-testid="decision-choice" />
        </Form.Item>
        {decision === 'fraud' && (
          <>
            {c.cardTokens.length > 0 && (
              <Form.Item name="cards" label={t('risk.case.blockCards')} extra={t('risk.case.blockCardsHint')}>
                <Checkbox.Group data-testid="block-cards">
                  <Space wrap>
                    {c.cardTokens.map((x) => (
                      <Checkbox key={x} value={x} disabled={blocked.has(`card_token:${x}`)}>
                        <span className="mono">{x}</span>
                        {blocked.has(`card_token:${x}`) && <Tag className="risk-tag-gap">{t('risk.case.alreadyBlocked')}</Tag>}
                      </Checkbox>
                    ))}
                  </Space>
                </Checkbox.Group>
              </Form.Item>
            )}
            {c.terminals.length > 0 && (
              <Form.Item name="terminals" label={t('risk.case.blockTerminals')} extra={t('risk.case.blockTerminalsHint')}>
                <Checkbox.Group data-testid="block-terminals">
                  <Space wrap>
                    {c.terminals.map((x) => (
                      <Checkbox key={x.id} value={x.id} disabled={blocked.has(`terminal:${x.id}`)}>
                        <span className="mono">{x.label ?? x.id.slice(0, 8)}</span>
                      </Checkbox>
                    ))}
                  </Space>
                </Checkbox.Group>
              </Form.Item>
            )}
            <Form.Item name="until" label={t('risk.case.blockUntil')} extra={t('risk.case.blockUntilHint')}>
              <DatePicker showTime format="YYYY-MM-DD HH:mm" />
            </Form.Item>
          </>
        )}
        <Form.Item name="note" label={t('risk.case.decisionNote')}>
          <Input.TextArea rows={3} maxLength={4000} data-testid="decision-note" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={decide.isPending} danger={decision === 'fraud'} data-testid="decision-submit">
          {t('risk.case.decideButton')}
        </Button>
      </Form>
    </Card>
  );
}

export default function RiskCasePage() {
  const { id = '' } = useParams();
  const t = useT();
  const kindName = useKindName();
  const { me } = useAuth();
  const qc = useQueryClient();
  const showError = useShowError();
  const q = useQuery({ queryKey: ['risk', 'case', id], queryFn: () => riskApi.case(id) });
  const people = useQuery({ queryKey: ['risk', 'assignees'], queryFn: riskApi.assignees, staleTime: 60_000 });
  const [note, setNote] = useState('');
  const set = (d: RiskCaseDetail) => {
    qc.setQueryData(['risk', 'case', id], d);
    void qc.invalidateQueries({ queryKey: ['risk', 'cases'] });
    void qc.invalidateQueries({ queryKey: ['risk', 'stats'] });
    void qc.invalidateQueries({ queryKey: ['risk', 'blocks'] });
  };
  const assign = useMutation({ mutationFn: (to: string | null) => riskApi.assign(id, to), onSuccess: set, onError: (e) => showError(e) });
  const addNote = useMutation({ mutationFn: () => riskApi.note(id, note), onSuccess: (d) => (setNote(''), set(d)), onError: (e) => showError(e) });
  useEffect(() => setNote(''), [id]);

  if (q.isLoading) return <FullPageSpin />;
  if (q.error || !q.data) return <QueryError error={q.error} onRetry={() => q.refetch()} />;
  const c = q.data;
  const healthColor = c.health?.health === 'ok' ? 'green' : c.health?.health === 'degraded' ? 'orange' : 'red';
  return (
    <div data-testid="risk-case" data-case-id={c.id}>
      <PageHeader
        backTo="/risk"
        title={kindName(c.code)}
        tags={<DecisionTag row={c} />}
        subtitle={c.summary}
        extra={
          <Space>
            <Select
              allowClear
              style={{ minWidth: 160 }}
              placeholder={t('risk.inbox.unassigned')}
              value={c.assigneeId ?? undefined}
              onChange={(v) => assign.mutate(v ?? null)}
              options={(people.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
              data-testid="assignee-select"
            />
            {c.assigneeId === me?.id ? (
              <Button onClick={() => assign.mutate(null)} loading={assign.isPending}>{t('risk.case.unassign')}</Button>
            ) : (
              <Button onClick={() => assign.mutate(me?.id ?? null)} loading={assign.isPending} data-testid="assign-me">{t('risk.case.assignMe')}</Button>
            )}
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Space direction="vertical" style={{ width: '100%' }} size={16}>
            <Card size="small">
              <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
                <Descriptions.Item label={t('risk.col.amount')}>{yuan(c.amountMinor)}</Descriptions.Item>
                <Descriptions.Item label={t('risk.inbox.payments')}>{c.paymentCount}</Descriptions.Item>
                <Descriptions.Item label={t('risk.col.merchant')}>{c.merchantName ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('risk.case.period')}>{formatTime(c.firstAt)} → {formatTime(c.lastAt)}</Descriptions.Item>
                <Descriptions.Item label={t('risk.inbox.assignee')}>{c.assigneeName ?? t('risk.inbox.unassigned')}</Descriptions.Item>
                <Descriptions.Item label={t('risk.case.cards')}>{c.cardTokens.length}</Descriptions.Item>
                <Descriptions.Item label={t('risk.case.action')} span={3}>{t(`risk.action.${c.action}`, { defaultValue: c.action })}</Descriptions.Item>
              </Descriptions>
            </Card>
            <Card size="small" title={t('risk.case.payments')}>
              <PaymentsTable rows={c.payments} testId="risk-payments" />
            </Card>
            <Card size="small" title={t('risk.case.cardHistory')} extra={<span className="muted">{t('risk.case.cardHistoryHint')}</span>}>
              <PaymentsTable rows={c.cardHistory} testId="risk-card-history" highlight />
            </Card>
            <Card size="small" title={t('risk.case.terminalHistory')} extra={<span className="muted">{t('risk.case.terminalHistoryHint')}</span>}>
              <PaymentsTable rows={c.terminalHistory} testId="risk-terminal-history" highlight />
            </Card>
          </Space>
        </Col>
        <Col xs={24} xl={8}>
          <Space direction="vertical" style={{ width: '100%' }} size={16}>
            <DecisionCard c={c} onDone={set} />
            <Card size="small" title={t('risk.case.health')} data-testid="risk-health">
              {c.health ? (
                <Space direction="vertical">
                  <Tag color={healthColor}>{t(`risk.health.${c.health.health}`)}</Tag>
                  <span className="muted">{t('risk.case.healthAt', { time: formatTime(c.health.sampleAt) })}</span>
                  {c.health.reasons.length > 0 && (
                    <Space wrap>
                      {c.health.reasons.map((r) => (
                        <Tag key={r}>{t(`fleet.reasons.${r}`, { defaultValue: r })}</Tag>
                      ))}
                    </Space>
                  )}
                </Space>
              ) : (
                <span className="muted">{t('risk.case.noHealth')}</span>
              )}
            </Card>
            <Card size="small" title={t('risk.case.blocks')} extra={<Link to="/risk/blocks">{t('risk.nav.blocks')}</Link>}>
              {c.blocks.length ? (
                <List size="small" dataSource={c.blocks} renderItem={(b) => <List.Item data-testid="risk-case-block"><Tag color="red">{t(`risk.blocks.kind_${b.kind}`)}</Tag><span className="mono">{b.label ?? b.value}</span></List.Item>} />
              ) : (
                <span className="muted">{t('risk.case.noBlocks')}</span>
              )}
            </Card>
            <Card size="small" title={t('risk.case.notes')}>
              <List
                size="small"
                dataSource={c.notes}
                locale={{ emptyText: t('risk.case.noNotes') }}
                renderItem={(n) => (
                  <List.Item>
                    <div>
                      <div className="muted">{n.authorName ?? t('common.system')} · {formatTime(n.at)}</div>
                      <div style={{ whiteSpace: 'pre-wrap' }}>{n.body}</div>
                    </div>
                  </List.Item>
                )}
              />
              <Space.Compact style={{ width: '100%', marginTop: 8 }}>
                <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} rows={2} placeholder={t('risk.case.notePlaceholder')} maxLength={4000} />
              </Space.Compact>
              <Button style={{ marginTop: 8 }} onClick={() => addNote.mutate()} disabled={!note.trim()} loading={addNote.isPending}>
                {t('risk.case.addNote')}
              </Button>
            </Card>
            {c.related.length > 0 && (
              <Card size="small" title={t('risk.case.related')}>
                <List
                  size="small"
                  dataSource={c.related}
                  renderItem={(r) => (
                    <List.Item>
                      <Link to={`/risk/cases/${r.id}`}>{kindName(r.code)}</Link>
                      <span className="muted">{formatTime(r.lastAt)}</span>
                      <DecisionTag row={r} />
                    </List.Item>
                  )}
                />
              </Card>
            )}
            {c.status === 'resolved' && !c.decision && <Alert type="info" showIcon message={t('risk.case.explained')} />}
          </Space>
        </Col>
      </Row>
    </div>
  );
}
