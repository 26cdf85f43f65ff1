/**
 * Opening disputes from the acquirer's file (CSV or XLSX) on the disputes list: the template to fill in,
 * the upload, and the report of every row (opened with or without its payment, already here, refused
 * with the reason in the reader's language).
 */
import { useState } from 'react';
import { Alert, Button, Modal, Space, Statistic, Table, Tag, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useShowError } from '../../lib/hooks';
import { useT } from '../risk/shared';
import { disputesApi, type DisputeImportReport } from './api';

const OUTCOME_COLOR: Record<string, string> = { needs_response: 'green', unmatched: 'orange', existing: 'default', invalid: 'red' };

export function ImportReportView({ r }: { r: DisputeImportReport }) {
  const t = useT();
  const problems = new Map<number, string[]>();
  for (const p of r.problems) problems.set(p.row, [...(problems.get(p.row) ?? []), p.column ? `${p.column}: ${p.message}` : p.message]);
  return (
    <div data-testid="dispute-import-report">
      <Space wrap size="large" className="dispute-import-stats">
        <Statistic title={t('disputes.import.total')} value={r.totalRows} />
        <Statistic title={t('disputes.import.matched')} value={r.matched} valueStyle={{ color: '#389e0d' }} />
        <Statistic title={t('disputes.import.unmatched')} value={r.unmatched} valueStyle={{ color: r.unmatched ? '#d46b08' : undefined }} />
        <Statistic title={t('disputes.import.existing')} value={r.existing} />
        <Statistic title={t('disputes.import.invalid')} value={r.invalidRows} valueStyle={{ color: r.invalidRows ? '#cf1322' : undefined }} />
      </Space>
      {r.problemsTruncated && <Alert type="warning" showIcon message={t('disputes.import.truncated')} />}
      <Table
        rowKey="row"
        size="small"
        pagination={r.rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
        dataSource={r.rows}
        scroll={{ x: 560 }}
        onRow={(x) => ({ 'data-testid': 'import-row', 'data-outcome': x.outcome }) as never}
        columns={[
          { title: t('disputes.import.row'), dataIndex: 'row', width: 64 },
          { title: t('disputes.col.case'), dataIndex: 'caseNumber', width: 150, render: (c: string | null, x) => (x.disputeId ? <Link to={`/disputes/${x.disputeId}`}>{c}</Link> : (c ?? '—')) },
          {
            title: t('disputes.import.outcomeCol'),
            dataIndex: 'outcome',
            width: 190,
            render: (o: string, x) => (
              <Tag color={OUTCOME_COLOR[o]}>
                {t(`disputes.import.outcome.${o}`)}
                {x.unmatchedReason ? ` · ${t(`disputes.import.reason.${x.unmatchedReason}`)}` : ''}
              </Tag>
            ),
          },
          { title: t('disputes.import.message'), key: 'problems', render: (_: unknown, x) => (problems.get(x.row) ?? []).map((m) => <div key={m}>{m}</div>) },
        ]}
      />
    </div>
  );
}

export function ImportDisputes() {
  const t = useT();
  const showError = useShowError();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [report, setReport] = useState<DisputeImportReport | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => disputesApi.importFile(f),
    onSuccess: (r) => {
      setReport(r);
      void qc.invalidateQueries({ queryKey: ['disputes'] });
    },
    onError: (e) => showError(e),
  });
  const template = (format: 'csv' | 'xlsx') => disputesApi.template(format).catch((e: unknown) => showError(e));
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => (setReport(null), setOpen(true))} data-testid="dispute-import">
        {t('disputes.import.button')}
      </Button>
      <Modal open={open} title={t('disputes.import.title')} width={860} onCancel={() => setOpen(false)} footer={null} destroyOnHidden>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Alert type="info" showIcon message={t('disputes.import.hint')} />
          <Space wrap>
            <Button icon={<DownloadOutlined />} onClick={() => template('xlsx')} data-testid="dispute-template-xlsx">
              {t('disputes.import.templateXlsx')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => template('csv')}>
              {t('disputes.import.templateCsv')}
            </Button>
          </Space>
          <Upload.Dragger
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            showUploadList={false}
            disabled={upload.isPending}
            beforeUpload={(f) => (upload.mutate(f), false)}
            data-testid="dispute-import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p>{upload.isPending ? t('disputes.import.reading') : t('disputes.import.drop')}</p>
          </Upload.Dragger>
          {report && <ImportReportView r={report} />}
        </Space>
      </Modal>
    </>
  );
}
