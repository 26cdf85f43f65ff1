import { useRef, useState, type DragEvent } from 'react';
import { Alert, Button, Card, Col, Result, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import {
  CheckCircleOutlined,
  CloudUploadOutlined,
  DownloadOutlined,
  FileExcelOutlined,
  FileTextOutlined,
  InboxOutlined,
  ReloadOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { IMPORT_COLUMNS } from '@poscare/contracts';
import { api } from '../api/client';
import type { ImportMode, ImportProblem, ImportReport } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { downloadText, importTemplateCsv } from '../lib/csv';
import { formatBytes } from '../lib/format';
import { useShowError } from '../lib/hooks';

const REQUIRED = new Set<string>(['serial_number', 'vendor', 'model']);
const ACCEPT = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export default function ImportPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const showError = useShowError();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);

  const run = useMutation({
    mutationFn: ({ mode, f }: { mode: ImportMode; f: File }) => {
      const body = new FormData();
      body.append('file', f, f.name);
      return api<ImportReport>('/terminal-imports', { method: 'POST', query: { mode }, body });
    },
    onSuccess: (r) => {
      if (r.mode === 'dry_run') {
        setReport(r);
      } else {
        setResult(r);
        void qc.invalidateQueries({ queryKey: ['terminals'] });
      }
    },
    onError: (e) => showError(e),
  });

  const choose = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    setReport(null);
    setResult(null);
    run.reset();
  };

  const reset = () => {
    setFile(null);
    setReport(null);
    setResult(null);
    run.reset();
    if (inputRef.current) inputRef.current.value = '';
  };

  const onDrop = (e: DragEvent<HTMLLabelElement>) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files[0]);
  };

  const running = run.isPending ? run.variables?.mode : undefined;

  const problemColumns: TableColumnsType<ImportProblem> = [
    {
      title: t('import.row'),
      dataIndex: 'row',
      width: 72,
      render: (r: number) => <span className="mono" data-testid="problem-row">{r}</span>,
    },
    {
      title: t('import.column'),
      dataIndex: 'column',
      width: 150,
      render: (c: string | null) =>
        c ? (
          <Tag className="mono" data-testid="problem-column">
            {c}
          </Tag>
        ) : (
          <span className="muted" data-testid="problem-column">
            {t('import.wholeRow')}
          </span>
        ),
    },
    { title: t('import.problem'), dataIndex: 'message', render: (m: string) => <span data-testid="problem-message">{m}</span> },
    { title: t('import.code'), dataIndex: 'code', responsive: ['lg'], render: (c: string) => <span className="mono muted">{c}</span> },
  ];

  if (result) {
    const partial = result.mode === 'valid_only' && result.invalidRows > 0;
    return (
      <div data-testid="page-import">
        <PageHeader title={t('import.title')} backTo="/terminals" />
        <Card>
          <Result
            status="success"
            data-testid="import-result"
            data-imported={result.imported}
            title={t('import.resultTitle', { count: result.imported })}
            subTitle={partial ? t('import.resultSkipped', { count: result.invalidRows }) : t('import.resultSubtitle')}
            extra={[
              <Button type="primary" key="list" onClick={() => navigate('/terminals')} data-testid="import-view-terminals">
                {t('import.viewTerminals')}
              </Button>,
              <Button key="again" icon={<ReloadOutlined />} onClick={reset} data-testid="import-again">
                {t('import.importAnother')}
              </Button>,
            ]}
          />
        </Card>
      </div>
    );
  }

  return (
    <div data-testid="page-import">
      <PageHeader
        title={t('import.title')}
        subtitle={t('import.subtitle')}
        backTo="/terminals"
        extra={
          <Button
            icon={<DownloadOutlined />}
            onClick={() => downloadText('poscare-terminals-template.csv', importTemplateCsv())}
            data-testid="import-template"
          >
            {t('import.template')}
          </Button>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card title={t('import.step1')} className="section-card">
            <label
              className={`dropzone${dragging ? ' dropzone-active' : ''}${file ? ' dropzone-has-file' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
            >
              <input
                ref={inputRef}
                type="file"
                accept={ACCEPT}
                className="dropzone-input"
                data-testid="import-file"
                onChange={(e) => choose(e.target.files?.[0])}
              />
              {file ? (
                <div className="dropzone-file" data-testid="import-file-name">
                  {file.name.toLowerCase().endsWith('.xlsx') ? <FileExcelOutlined /> : <FileTextOutlined />}
                  <div>
                    <div className="dropzone-file-name">{file.name}</div>
                    <div className="muted">
                      {formatBytes(file.size)} · {t('import.changeFile')}
                    </div>
                  </div>
                </div>
              ) : (
                <>
                  <InboxOutlined className="dropzone-icon" />
                  <div className="dropzone-title">{t('import.dropHint')}</div>
                  <div className="muted">{t('import.fileTypes')}</div>
                </>
              )}
            </label>
            <Space wrap style={{ marginTop: 16 }}>
              <Button
                type="primary"
                icon={<CheckCircleOutlined />}
                disabled={!file}
                loading={running === 'dry_run'}
                onClick={() => file && run.mutate({ mode: 'dry_run', f: file })}
                data-testid="import-dry-run"
              >
                {t('import.dryRun')}
              </Button>
              <Typography.Text type="secondary">{t('import.dryRunHint')}</Typography.Text>
            </Space>
          </Card>

          {report && (
            <Card title={t('import.step2')} className="section-card" data-testid="import-report">
              <Row
                gutter={16}
                className="import-summary"
                data-testid="import-summary"
                data-total={report.totalRows}
                data-valid={report.validRows}
                data-invalid={report.invalidRows}
              >
                <Col xs={8}>
                  <Statistic title={t('import.totalRows')} value={report.totalRows} data-testid="import-total" />
                </Col>
                <Col xs={8}>
                  <Statistic
                    title={t('import.validRows')}
                    value={report.validRows}
                    styles={{ content: { color: '#389e0d' } }}
                    data-testid="import-valid"
                  />
                </Col>
                <Col xs={8}>
                  <Statistic
                    title={t('import.invalidRows')}
                    value={report.invalidRows}
                    styles={{ content: { color: report.invalidRows ? '#cf1322' : undefined } }}
                    data-testid="import-invalid"
                  />
                </Col>
              </Row>
              {report.totalRows === 0 ? (
                <Alert type="warning" showIcon title={t('import.emptyFile')} className="import-alert" />
              ) : report.invalidRows === 0 ? (
                <Alert type="success" showIcon title={t('import.allValid', { count: report.validRows })} className="import-alert" />
              ) : (
                <Alert
                  type="warning"
                  showIcon
                  title={t('import.someInvalid', { count: report.invalidRows })}
                  description={report.validRows > 0 ? t('import.someInvalidHint') : t('import.noneValid')}
                  className="import-alert"
                />
              )}
              {report.problems.length > 0 && (
                <Table<ImportProblem>
                  rowKey={(p) => `${p.row}:${p.column ?? ''}:${p.code}`}
                  size="small"
                  columns={problemColumns}
                  dataSource={report.problems}
                  pagination={report.problems.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
                  data-testid="import-problems"
                />
              )}
              {report.problemsTruncated && (
                <Alert type="info" showIcon title={t('import.truncated')} className="import-alert" />
              )}
              <div className="import-actions">
                <Button
                  type="primary"
                  icon={<CloudUploadOutlined />}
                  disabled={report.invalidRows > 0 || report.validRows === 0 || !file}
                  loading={running === 'all_or_nothing'}
                  onClick={() => file && run.mutate({ mode: 'all_or_nothing', f: file })}
                  data-testid="import-all"
                >
                  {t('import.importAll', { count: report.totalRows })}
                </Button>
                {report.invalidRows > 0 && report.validRows > 0 && (
                  <Button
                    icon={<CloudUploadOutlined />}
                    loading={running === 'valid_only'}
                    onClick={() => file && run.mutate({ mode: 'valid_only', f: file })}
                    data-testid="import-valid-only"
                  >
                    {t('import.importValidOnly', { count: report.validRows })}
                  </Button>
                )}
                {report.invalidRows > 0 && (
                  <Typography.Text type="secondary">{t('import.importAllDisabled')}</Typography.Text>
                )}
              </div>
            </Card>
          )}
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('import.columnsTitle')} className="section-card">
            <Typography.Paragraph type="secondary">{t('import.columnsHint')}</Typography.Paragraph>
            <div className="import-columns">
              {IMPORT_COLUMNS.map((c) => (
                <div key={c} className="import-column">
                  <div>
                    <span className="mono">{c}</span>
                    {REQUIRED.has(c) && (
                      <Tag color="red" className="import-required">
                        {t('import.required')}
                      </Tag>
                    )}
                  </div>
                  <div className="muted">{t(`importColumns.${c}`)}</div>
                </div>
              ))}
            </div>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
