/**
 * The merchant's own money (/money): duplicate charges PosCare found on their terminals, what to give
 * back and which payment, asking the service desk for help, and "was this customer charged twice?".
 * Built for a phone first (390 px): cards, one column.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, List, Modal, Skeleton, Space, Typography } from 'antd';
import { CheckCircleOutlined, CustomerServiceOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { findingsApi, formatMoney, type ChargedTwiceAnswer, type FindingRow } from './api';
import { PaymentsTable } from './parts';
import './money.css';

function AskForHelp({ finding }: { finding: FindingRow }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const ask = useMutation({
    mutationFn: () => findingsApi.askForHelp(finding.id, text.trim() || undefined),
    onSuccess: (r) => {
      setOpen(false);
      message.success(t('money.askHelpDone', { number: r.ticketNumber }));
      void qc.invalidateQueries({ queryKey: ['findings'] });
    },
    onError: (err) => showError(err),
  });
  if (finding.ticketId) {
    return (
      <Link to={`/tickets/${finding.ticketId}`} data-testid="finding-ticket">
        <Button icon={<CustomerServiceOutlined />}>{t('money.ticket', { number: finding.ticketNumber ?? '' })}</Button>
      </Link>
    );
  }
  return (
    <>
      <Button icon={<CustomerServiceOutlined />} onClick={() => setOpen(true)} data-testid="ask-help">
        {t('money.askHelp')}
      </Button>
      <Modal open={open} title={t('money.askHelp')} onCancel={() => setOpen(false)} onOk={() => ask.mutate()} confirmLoading={ask.isPending} okButtonProps={{ 'data-testid': 'ask-help-send' } as never}>
        <Input.TextArea rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('money.askHelpMessage')} />
      </Modal>
    </>
  );
}

/** One duplicate charge to settle: how much, which payment, both sides, help. */
function OpenFinding({ finding }: { finding: FindingRow }) {
  const { t, i18n } = useTranslation();
  const detail = useQuery({ queryKey: ['findings', 'detail', finding.id, i18n.language], queryFn: () => findingsApi.get(finding.id) });
  return (
    <Card className="money-card" data-testid="money-open-finding" data-finding-id={finding.id}>
      <div className="money-card-head">
        <Typography.Text strong>{t(`money.codes.${finding.code}`)}</Typography.Text>
        <Typography.Text type="secondary">{formatTime(finding.lastAt)}</Typography.Text>
      </div>
      <div className="money-refund" data-testid="money-refund-amount">
        {t('money.refundAmount', { amount: formatMoney(i18n.language, finding.refund?.amountMinor ?? finding.amountMinor, finding.currency) })}
      </div>
      <Typography.Paragraph type="secondary" className="money-what">
        {t('money.terminal')}: {finding.terminalSerial ?? '—'} · {t(`money.actions.${finding.action}` as 'money.actions.refund_duplicate', { defaultValue: finding.action })}
      </Typography.Paragraph>
      {detail.isLoading ? <Skeleton active paragraph={{ rows: 2 }} /> : detail.data ? <PaymentsTable payments={detail.data.payments} currency={finding.currency} compact /> : null}
      <Space wrap className="money-card-actions">
        <Link to={`/findings/${finding.id}`}>
          <Button>{t('money.bothSides')}</Button>
        </Link>
        <AskForHelp finding={finding} />
      </Space>
    </Card>
  );
}

function ChargedTwiceCheck() {
  const { t, i18n } = useTranslation();
  const showError = useShowError();
  const [form] = Form.useForm<{ at: Dayjs; amount: number }>();
  const check = useMutation({
    mutationFn: (v: { at: Dayjs; amount: number }) => findingsApi.chargedTwice({ at: v.at.toISOString(), amountMinor: Math.round(v.amount * 100) }),
    onError: (err) => showError(err),
  });
  const answer: ChargedTwiceAnswer | undefined = check.data;
  return (
    <Card title={t('money.check.title')} className="money-check" data-testid="charged-twice">
      <Typography.Paragraph type="secondary">{t('money.check.hint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ at: dayjs() }} onFinish={(v) => check.mutate(v)}>
        <div className="money-check-fields">
          <Form.Item name="at" label={t('money.check.at')} rules={[{ required: true }]}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="check-at" />
          </Form.Item>
          <Form.Item name="amount" label={t('money.check.amount')} rules={[{ required: true }]}>
            <InputNumber min={0.01} step={0.01} precision={2} style={{ width: '100%' }} data-testid="check-amount" />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={check.isPending} data-testid="check-submit">
          {t('money.check.submit')}
        </Button>
      </Form>
      {answer && (
        <div className="money-check-answer" data-testid="check-answer" data-verdict={answer.verdict}>
          <Alert
            type={answer.verdict === 'yes' ? 'error' : answer.verdict === 'refunded' ? 'success' : 'info'}
            showIcon
            message={answer.verdict === 'no' && !answer.payments.length ? t('money.check.noPayments') : t(`money.check.${answer.verdict}`)}
          />
          {answer.payments.length > 0 && <PaymentsTable payments={answer.payments} currency={answer.payments[0]?.terminal?.currency ?? null} compact />}
          {answer.findings.map((f) => (
            <Link key={f.id} to={`/findings/${f.id}`}>
              {t(`money.codes.${f.code}`)} · {formatMoney(i18n.language, f.amountMinor, f.currency)}
            </Link>
          ))}
        </div>
      )}
    </Card>
  );
}

export default function MoneyPage() {
  const { t, i18n } = useTranslation();
  const list = useQuery({
    queryKey: ['findings', 'money', i18n.language],
    queryFn: () => findingsApi.list({ status: 'all', kind: 'dup', limit: 50 }),
    refetchInterval: 10_000,
  });
  const open = list.data?.items.filter((f) => f.status === 'open') ?? [];
  const settled = list.data?.items.filter((f) => f.status === 'resolved') ?? [];
  return (
    <div className="money-page" data-testid="money-page">
      <PageHeader title={t('money.title')} subtitle={t('money.subtitle')} />
      {list.error ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isLoading ? (
        <Skeleton active />
      ) : (
        <>
          {/* The question a customer at the counter asks comes first; the list of what to settle can be long. */}
          <ChargedTwiceCheck />
          <Typography.Title level={5}>
            {t('money.openTitle')}
            {open.length > 0 && ` (${open.length})`}
          </Typography.Title>
          {open.length ? open.map((f) => <OpenFinding key={f.id} finding={f} />) : <EmptyState title={t('money.noneOpen')} hint={t('money.noneOpenHint')} />}
          {settled.length > 0 && (
            <Card title={t('money.settledTitle')} className="money-settled" size="small">
              <List
                dataSource={settled}
                renderItem={(f) => (
                  <List.Item data-testid="money-settled-finding" data-finding-id={f.id}>
                    <Link to={`/findings/${f.id}`}>
                      <CheckCircleOutlined style={{ color: '#389e0d' }} /> {t(`money.codes.${f.code}`)} · {formatMoney(i18n.language, f.amountMinor, f.currency)}
                    </Link>
                    <Typography.Text type="secondary">{formatTime(f.resolvedAt)}</Typography.Text>
                  </List.Item>
                )}
              />
            </Card>
          )}
        </>
      )}
    </div>
  );
}
