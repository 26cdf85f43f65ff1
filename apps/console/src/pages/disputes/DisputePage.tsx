/**
 * One dispute (/disputes/:id): deadline and what to do, the evidence checklist with what is missing,
 * adding text or a photo from the phone, accept or submit (won / lost for staff), the PDF, the pack
 * preview (both sides, card read, receipt, terminal health) and the timeline. An unmatched dispute gets
 * the payment search for matching it by hand (agents).
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Input, List, Popconfirm, Select, Skeleton, Space, Table, Tag, Timeline, Upload } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { formatMoney } from '../money/api';
import { useT } from '../risk/shared';
import { disputesApi, type DisputeDetail } from './api';
import { Deadline, StatusTag } from './DisputesPage';
import { MatchPayment } from './MatchPayment';
import { useAuth } from '../../auth/AuthContext';
import './disputes.css';

function Checklist({ d }: { d: DisputeDetail }) {
  const t = useT();
  return (
    <Card size="small" title={t('disputes.checklist')} data-testid="dispute-checklist">
      <List
        size="small"
        dataSource={d.checklist}
        renderItem={(c) => (
          <List.Item data-testid="check-item" data-present={String(c.present)} data-item={c.item}>
            <Space align="start">
              {c.present ? <CheckCircleFilled className="check-ok" /> : <CloseCircleFilled className="check-missing" />}
              <div>
                <div>
                  {c.text} {c.source === 'merchant' && <Tag>{t('disputes.fromMerchant')}</Tag>}
                </div>
                {c.detail && <div className="muted">{c.detail}</div>}
              </div>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}

function AddEvidence({ d }: { d: DisputeDetail }) {
  const t = useT();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const missing = d.checklist.filter((c) => c.source === 'merchant');
  const [item, setItem] = useState<string | undefined>(missing.find((c) => !c.present)?.item);
  const [text, setText] = useState('');
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['disputes'] });
    message.success(t('disputes.added'));
  };
  const addText = useMutation({ mutationFn: () => disputesApi.addText(d.id, { item, body: text.trim() }), onSuccess: () => (setText(''), done()), onError: (e) => showError(e) });
  const addPhoto = useMutation({ mutationFn: (f: File) => disputesApi.addPhoto(d.id, f, item), onSuccess: done, onError: (e) => showError(e) });
  return (
    <Card size="small" title={t('disputes.addEvidence')} data-testid="dispute-add">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select allowClear placeholder={t('disputes.forItem')} value={item} onChange={setItem} style={{ width: '100%' }} options={missing.map((c) => ({ value: c.item, label: c.text }))} data-testid="evidence-item" />
        <Input.TextArea rows={3} maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('disputes.textPlaceholder')} data-testid="evidence-text" />
        <Space wrap>
          <Button onClick={() => addText.mutate()} disabled={!text.trim()} loading={addText.isPending} data-testid="evidence-text-add">
            {t('disputes.addText')}
          </Button>
          <Upload accept="image/jpeg,image/png" showUploadList={false} beforeUpload={(f) => (addPhoto.mutate(f), false)}>
            <Button icon={<UploadOutlined />} loading={addPhoto.isPending} data-testid="evidence-photo">
              {t('disputes.addPhoto')}
            </Button>
          </Upload>
        </Space>
      </Space>
    </Card>
  );
}

function Actions({ d }: { d: DisputeDetail }) {
  const t = useT();
  const showError = useShowError();
  const qc = useQueryClient();
  const move = useMutation({
    mutationFn: (to: 'evidence_submitted' | 'accepted' | 'won' | 'lost') => disputesApi.transition(d.id, { to }),
    // The page's query (per language) and the lists read the dispute again.
    onSuccess: () => qc.invalidateQueries({ queryKey: ['disputes'] }),
    onError: (e) => showError(e),
  });
  const has = (a: string) => d.actions.includes(a as never);
  const missing = d.checklist.filter((c) => !c.present && c.source === 'merchant').length;
  return (
    <Space wrap className="dispute-actions">
      <a href={disputesApi.pdfUrl(d.id)} download data-testid="dispute-pdf">
        <Button icon={<DownloadOutlined />}>{t('disputes.pdf')}</Button>
      </a>
      {has('accept') && (
        <Popconfirm title={t('disputes.acceptConfirm')} onConfirm={() => move.mutate('accepted')} okButtonProps={{ 'data-testid': 'dispute-accept-ok' } as never}>
          <Button danger={!d.duplicateFindingId} type={d.duplicateFindingId ? 'primary' : 'default'} data-testid="dispute-accept">
            {t('disputes.accept')}
          </Button>
        </Popconfirm>
      )}
      {has('submit') && (
        <Popconfirm title={missing ? t('disputes.submitMissing', { count: missing }) : t('disputes.submitConfirm')} onConfirm={() => move.mutate('evidence_submitted')} okButtonProps={{ 'data-testid': 'dispute-submit-ok' } as never}>
          <Button type={d.duplicateFindingId ? 'default' : 'primary'} data-testid="dispute-submit">
            {t('disputes.submit')}
          </Button>
        </Popconfirm>
      )}
      {has('won') && (
        <Button onClick={() => move.mutate('won')} data-testid="dispute-won">
          {t('disputes.won')}
        </Button>
      )}
      {has('lost') && (
        <Button danger onClick={() => move.mutate('lost')} data-testid="dispute-lost">
          {t('disputes.lost')}
        </Button>
      )}
    </Space>
  );
}

function Pack({ d }: { d: DisputeDetail }) {
  const t = useT();
  const { i18n } = useTranslation();
  const p = d.pack;
  if (!p) return null;
  return (
    <Card size="small" title={t('disputes.pack')} data-testid="dispute-pack">
      <Table
        rowKey={(l) => `${l.source}-${l.at}`}
        size="small"
        pagination={false}
        scroll={{ x: 640 }}
        dataSource={p.lines}
        columns={[
          { title: t('disputes.side'), dataIndex: 'source', render: (s: string) => t(`disputes.sideName.${s}`) },
          { title: t('disputes.col.time'), dataIndex: 'at', render: (x: string) => formatTime(x) },
          { title: t('disputes.col.amount'), dataIndex: 'amountMinor', align: 'right', render: (x: number | null, l) => (x === null ? '—' : formatMoney(i18n.language, x, l.currency)) },
          { title: t('disputes.outcome'), dataIndex: 'outcome', render: (o: string, l) => `${t(`disputes.outcomes.${o}`)}${l.responseCode ? ` (${l.responseCode})` : ''}` },
          { title: t('disputes.auth'), dataIndex: 'authCode', render: (x: string | null) => x ?? '—' },
          { title: 'RRN', dataIndex: 'rrn', render: (x: string | null) => x ?? '—' },
        ]}
      />
      <Descriptions size="small" column={1} className="dispute-read">
        <Descriptions.Item label={t('disputes.entryMode')}>{p.entryMode ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="TVR">{p.tvr.join('; ') || '—'}</Descriptions.Item>
        <Descriptions.Item label="TSI">{p.tsi.join('; ') || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('disputes.health')}>
          {p.health.length ? t('disputes.healthSummary', { count: p.health.length, bad: p.health.filter((h) => h.health !== 'ok').length }) : t('disputes.noHealth')}
        </Descriptions.Item>
        {p.duplicateFinding && <Descriptions.Item label={t('disputes.duplicate')}>{p.duplicateFinding.summary}</Descriptions.Item>}
        {p.fraudFindings.length > 0 && <Descriptions.Item label={t('disputes.fraud')}>{p.fraudFindings.map((f) => f.summary).join(' · ')}</Descriptions.Item>}
      </Descriptions>
      {p.receipt.length > 0 && (
        <pre className="dispute-receipt" data-testid="dispute-receipt">
          {p.receipt.join('\n')}
        </pre>
      )}
    </Card>
  );
}

export default function DisputePage() {
  const t = useT();
  const { i18n } = useTranslation();
  const { id = '' } = useParams();
  const { can } = useAuth();
  const q = useQuery({ queryKey: ['disputes', 'detail', id, i18n.language], queryFn: () => disputesApi.get(id) });
  const d = q.data;
  if (q.error) return <QueryError error={q.error} onRetry={() => q.refetch()} />;
  if (!d) return <Skeleton active />;
  const open = d.status === 'needs_response' || d.status === 'evidence_submitted';
  return (
    <div data-testid="dispute-page" className="dispute-page">
      <PageHeader
        title={`${formatMoney(i18n.language, d.amountMinor, d.currency)} · ${t(`disputes.kind.${d.kind}`)}`}
        subtitle={`${t(`disputes.network.${d.network}`)} ${d.caseNumber} · ${d.reasonText}`}
        backTo="/disputes"
      />
      <Space wrap className="dispute-head">
        <StatusTag status={d.status} />
        <Deadline row={d} />
        {d.merchantName && <span className="muted">{d.merchantName}</span>}
        {d.terminalLabel && <span className="muted">{d.terminalLabel}</span>}
      </Space>
      <Alert type={(d.duplicateFindingId && d.status === 'needs_response') || d.status === 'unmatched' ? 'warning' : open ? 'info' : 'success'} showIcon message={d.todo} className="dispute-todo-alert" data-testid="dispute-todo" />
      <Actions d={d} />
      {d.status === 'unmatched' && can('disputes:work') && <MatchPayment d={d} />}
      <div className="dispute-grid">
        <div>
          <Checklist d={d} />
          {d.actions.includes('evidence') && <AddEvidence d={d} />}
          {d.evidence.length > 0 && (
            <Card size="small" title={t('disputes.evidence')}>
              <List
                size="small"
                dataSource={d.evidence}
                renderItem={(e) => (
                  <List.Item data-testid="evidence-row">
                    <Space direction="vertical" size={2}>
                      <span className="muted">
                        {formatTime(e.at)} · {e.byName ?? ''}
                      </span>
                      {e.kind === 'photo' ? <img src={disputesApi.photoUrl(e.id)} alt="" className="dispute-photo" /> : <span>{e.body}</span>}
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          )}
        </div>
        <div>
          <Pack d={d} />
          <Card size="small" title={t('disputes.timeline')}>
            <Timeline items={d.timeline.map((e) => ({ children: <span data-testid="timeline-item"><span className="muted">{formatTime(e.at)}</span> {e.text}{e.byName ? ` — ${e.byName}` : ''}</span> }))} />
          </Card>
        </div>
      </div>
    </div>
  );
}
