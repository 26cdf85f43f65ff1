/**
 * Matching an unmatched dispute by hand (agents): the references the acquirer confirmed, a search that
 * lists every payment they fit (each once, with the sides that saw it), and a confirmation of one. The
 * dispute is then matched by that payment's terminal, STAN and day, so exactly that payment is taken.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, Popconfirm, Radio, Table } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { formatMoney } from '../money/api';
import { useT } from '../risk/shared';
import { disputesApi, type DisputeDetail, type DisputePaymentCandidate } from './api';

type By = 'rrn' | 'stan' | 'card';

export function MatchPayment({ d }: { d: DisputeDetail }) {
  const t = useT();
  const { i18n } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [by, setBy] = useState<By>(d.lookup.terminal ? 'stan' : d.lookup.cardToken ? 'card' : 'rrn');
  const [form] = Form.useForm();
  const search = useMutation({
    mutationFn: (v: { rrn?: string; terminal?: string; stan?: string; day?: Dayjs; at?: Dayjs; amount?: number; cardToken?: string }) =>
      disputesApi.searchPayments(
        by === 'rrn'
          ? { rrn: v.rrn }
          : by === 'stan'
            ? { terminal: v.terminal, stan: v.stan, day: v.day?.format('YYYY-MM-DD') }
            : { amountMinor: Math.round(Number(v.amount) * 100), at: v.at?.toISOString(), cardToken: v.cardToken },
      ),
    onError: (e) => showError(e),
  });
  const match = useMutation({
    mutationFn: (c: DisputePaymentCandidate) => disputesApi.match(d.id, { payment: { terminal: c.terminalId, stan: c.stan, day: c.day } }),
    onSuccess: () => {
      message.success(t('disputes.match.matched'));
      void qc.invalidateQueries({ queryKey: ['disputes'] });
    },
    onError: (e) => showError(e),
  });
  const found = search.data;
  return (
    <Card size="small" title={t('disputes.match.title')} data-testid="dispute-match" className="dispute-match">
      <p className="muted">{t('disputes.match.hint')}</p>
      <Form
        form={form}
        layout="inline"
        className="dispute-match-form"
        onFinish={(v) => search.mutate(v)}
        initialValues={{ rrn: d.lookup.rrn, terminal: d.lookup.terminal, stan: d.lookup.stan, cardToken: d.lookup.cardToken, amount: d.amountMinor / 100 }}
      >
        <Form.Item>
          <Radio.Group value={by} onChange={(e) => (setBy(e.target.value), search.reset())} optionType="button" options={(['rrn', 'stan', 'card'] as const).map((k) => ({ value: k, label: t(`disputes.by.${k}`) }))} data-testid="match-by" />
        </Form.Item>
        {by === 'rrn' && (
          <Form.Item name="rrn" rules={[{ required: true, message: t('disputes.match.required') }]}>
            <Input placeholder="RRN" style={{ width: 180 }} data-testid="match-rrn" />
          </Form.Item>
        )}
        {by === 'stan' && (
          <>
            <Form.Item name="terminal" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <Input placeholder={t('disputes.terminalRef')} style={{ width: 170 }} data-testid="match-terminal" />
            </Form.Item>
            <Form.Item name="stan" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <Input placeholder="STAN" style={{ width: 100 }} data-testid="match-stan" />
            </Form.Item>
            <Form.Item name="day" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <DatePicker placeholder={t('disputes.day')} data-testid="match-day" />
            </Form.Item>
          </>
        )}
        {by === 'card' && (
          <>
            <Form.Item name="amount" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <InputNumber min={0.01} step={0.01} placeholder={t('disputes.amountYuan')} style={{ width: 130 }} />
            </Form.Item>
            <Form.Item name="at" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder={t('disputes.at')} />
            </Form.Item>
            <Form.Item name="cardToken" rules={[{ required: true, message: t('disputes.match.required') }]}>
              <Input placeholder={t('disputes.cardToken')} style={{ width: 170 }} />
            </Form.Item>
          </>
        )}
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={search.isPending} data-testid="match-search">
            {t('disputes.match.search')}
          </Button>
        </Form.Item>
      </Form>
      {found && found.items.length === 0 && <Alert className="dispute-match-result" type="warning" showIcon message={t(`disputes.match.reason.${found.reason ?? 'no_payment'}`)} data-testid="match-none" />}
      {found && found.items.length > 0 && (
        <>
          {found.items.length > 1 && <Alert className="dispute-match-result" type="info" showIcon message={t('disputes.match.several', { count: found.items.length })} />}
          <Table
            className="dispute-match-result"
            rowKey={(c) => `${c.terminalId}|${c.stan}|${c.day}`}
            size="small"
            pagination={false}
            scroll={{ x: 720 }}
            dataSource={found.items}
            onRow={() => ({ 'data-testid': 'match-candidate' }) as never}
            columns={[
              { title: t('disputes.col.time'), dataIndex: 'at', render: (x: string) => formatTime(x) },
              { title: t('disputes.col.amount'), dataIndex: 'amountMinor', align: 'right', render: (x: number | null, c) => (x === null ? '—' : formatMoney(i18n.language, x, c.currency ?? 'CNY')) },
              { title: t('disputes.col.merchant'), dataIndex: 'merchantName', render: (x: string | null) => x ?? '—' },
              { title: t('disputes.match.terminal'), dataIndex: 'terminalLabel', render: (x: string | null) => x ?? '—' },
              { title: 'STAN', dataIndex: 'stan' },
              { title: 'RRN', dataIndex: 'rrn', render: (x: string | null) => x ?? '—' },
              { title: t('disputes.match.card'), dataIndex: 'cardTail', render: (x: string | null) => (x ? `…${x}` : '—') },
              { title: t('disputes.match.sides'), dataIndex: 'sides', render: (s: string[]) => s.map((x) => t(`disputes.sideName.${x}`)).join(' + ') },
              {
                key: 'go',
                fixed: 'right',
                render: (_: unknown, c) => (
                  <Popconfirm title={t('disputes.match.confirmTitle')} onConfirm={() => match.mutate(c)} okButtonProps={{ 'data-testid': 'match-confirm-ok' } as never}>
                    <Button type="primary" size="small" loading={match.isPending} data-testid="match-confirm">
                      {t('disputes.match.confirm')}
                    </Button>
                  </Popconfirm>
                ),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}
