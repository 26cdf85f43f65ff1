/**
 * Software (issue 18): the catalogue of signed packages, uploading one (the server computes its hash and
 * verifies the vendor's signature; the answer shows what was accepted or why it was refused), the
 * compatibility matrix of the fleet's model × OS × app version against each package, and the trusted
 * vendor signing keys.
 */
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Tooltip, Typography, Upload } from 'antd';
import { CheckOutlined, CloseOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { formatBytes, formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { MAX_PACKAGE_BYTES, PACKAGE_KINDS, type SigningKey, type SoftwarePackage, softwareApi } from './api';

type UploadValues = { vendor: string; kind: string; version: string; models: string[]; minOsVersion?: string; keyId: string; signature: string; sha256?: string; notesZh?: string; notesEn?: string };
type UploadResult = { ok: true; pkg: SoftwarePackage } | { ok: false; message: string };

const short = (h: string) => `${h.slice(0, 12)}…${h.slice(-6)}`;

function UploadCard({ keys, onDone }: { keys: SigningKey[]; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<UploadValues>();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  // A refusal is worded by the server in the language of its request: gone when the reader switches.
  useEffect(() => setResult(null), [i18n.language]);
  const vendor = Form.useWatch('vendor', form);
  const upload = useMutation({
    mutationFn: ({ v, f }: { v: UploadValues; f: File }) => softwareApi.upload({ ...v, models: v.models.join(',') }, f),
    onSuccess: (pkg) => {
      setResult({ ok: true, pkg });
      onDone();
    },
    onError: (e) => setResult({ ok: false, message: isApiError(e) ? e.message : String(e) }),
  });
  const trusted = keys.filter((k) => !k.revokedAt && (!vendor || k.vendor.toLowerCase() === vendor.toLowerCase()));
  return (
    <Card className="section-card" title={t('software.upload.title')} data-testid="software-upload">
      <Typography.Paragraph type="secondary">{t('software.upload.hint', { max: formatBytes(MAX_PACKAGE_BYTES) })}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'app' }}
        onFinish={(v) => {
          setResult(null);
          if (!file) return setResult({ ok: false, message: t('software.upload.noFile') });
          upload.mutate({ v, f: file });
        }}
      >
        <Space wrap align="start" size="middle">
          <Form.Item name="vendor" label={t('software.fields.vendor')} rules={[{ required: true }]}>
            <Input style={{ width: 140 }} placeholder="PAX" data-testid="upload-vendor" />
          </Form.Item>
          <Form.Item name="kind" label={t('software.fields.kind')} rules={[{ required: true }]}>
            <Select style={{ width: 130 }} options={PACKAGE_KINDS.map((k) => ({ value: k, label: t(`software.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="version" label={t('software.fields.version')} rules={[{ required: true }]}>
            <Input style={{ width: 130 }} placeholder="3.3.0" data-testid="upload-version" />
          </Form.Item>
          <Form.Item name="models" label={t('software.fields.models')} rules={[{ required: true }]}>
            <Select mode="tags" style={{ width: 'min(240px, 78vw)' }} tokenSeparators={[',', '，']} placeholder="A920" data-testid="upload-models" />
          </Form.Item>
          <Form.Item name="minOsVersion" label={t('software.fields.minOs')}>
            <Input style={{ width: 160 }} placeholder="PayDroid 7.0" />
          </Form.Item>
        </Space>
        <Space wrap align="start" size="middle">
          <Form.Item name="keyId" label={t('software.fields.keyId')} rules={[{ required: true }]}>
            <Select
              style={{ width: 200 }}
              showSearch
              options={trusted.map((k) => ({ value: k.keyId, label: `${k.keyId} (${k.vendor})` }))}
              notFoundContent={t('software.keys.none')}
              data-testid="upload-key"
            />
          </Form.Item>
          <Form.Item name="signature" label={t('software.fields.signature')} rules={[{ required: true }]} extra={t('software.upload.signatureHint')}>
            <Input style={{ width: 'min(420px, 78vw)' }} data-testid="upload-signature" />
          </Form.Item>
          <Form.Item name="sha256" label={t('software.fields.sha256Claimed')} extra={t('software.upload.sha256Hint')}>
            <Input style={{ width: 'min(420px, 78vw)' }} />
          </Form.Item>
        </Space>
        <Space wrap align="start" size="middle">
          <Form.Item name="notesZh" label={t('software.fields.notesZh')}>
            <Input.TextArea rows={2} style={{ width: 'min(320px, 78vw)' }} />
          </Form.Item>
          <Form.Item name="notesEn" label={t('software.fields.notesEn')}>
            <Input.TextArea rows={2} style={{ width: 'min(320px, 78vw)' }} />
          </Form.Item>
        </Space>
        <Space wrap>
          <Upload
            maxCount={1}
            beforeUpload={(f) => {
              setFile(f);
              return false;
            }}
            onRemove={() => setFile(null)}
          >
            <Button icon={<UploadOutlined />} data-testid="upload-file">
              {t('software.upload.chooseFile')}
            </Button>
          </Upload>
          <Button type="primary" htmlType="submit" loading={upload.isPending} data-testid="upload-submit">
            {t('software.upload.submit')}
          </Button>
        </Space>
      </Form>
      {result && (
        <Alert
          style={{ marginTop: 16 }}
          data-testid="upload-result"
          type={result.ok ? 'success' : 'error'}
          showIcon
          message={result.ok ? t('software.upload.accepted', { vendor: result.pkg.vendor, version: result.pkg.version }) : t('software.upload.refused')}
          description={
            result.ok ? (
              <span>
                {t('software.upload.acceptedBody', { bytes: formatBytes(result.pkg.bytes), keyId: result.pkg.keyId })} <Typography.Text code copyable>{result.pkg.sha256}</Typography.Text>
              </span>
            ) : (
              result.message
            )
          }
        />
      )}
    </Card>
  );
}

function CompatModal({ pkg, onClose }: { pkg: SoftwarePackage | null; onClose: () => void }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ models: string[]; minOsVersion?: string }>();
  const save = useMutation({
    mutationFn: (v: { models: string[]; minOsVersion?: string }) => softwareApi.setCompat(pkg!.id, { models: v.models, minOsVersion: v.minOsVersion?.trim() || null }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['software'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal open={!!pkg} destroyOnHidden title={pkg ? t('software.compat.title', { vendor: pkg.vendor, version: pkg.version }) : ''} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={save.isPending}>
      {pkg && (
        <Form form={form} layout="vertical" initialValues={{ models: pkg.models, minOsVersion: pkg.minOsVersion ?? '' }} onFinish={(v) => save.mutate(v)}>
          <Form.Item name="models" label={t('software.fields.models')} rules={[{ required: true }]}>
            <Select mode="tags" tokenSeparators={[',', '，']} />
          </Form.Item>
          <Form.Item name="minOsVersion" label={t('software.fields.minOs')} extra={t('software.compat.minOsHint')}>
            <Input />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

function PackagesTab({ manage }: { manage: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<SoftwarePackage | null>(null);
  const packages = useQuery({ queryKey: ['software', 'packages'], queryFn: softwareApi.packages });
  const keys = useQuery({ queryKey: ['software', 'keys'], queryFn: softwareApi.keys });
  const lang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {manage && <UploadCard keys={keys.data ?? []} onDone={() => qc.invalidateQueries({ queryKey: ['software'] })} />}
      <Card className="section-card" title={t('software.packages.title')}>
        {packages.isError ? (
          <QueryError error={packages.error} />
        ) : (
          <Table<SoftwarePackage>
            rowKey="id"
            size="small"
            loading={packages.isLoading}
            dataSource={packages.data ?? []}
            scroll={{ x: 1250 }}
            pagination={false}
            data-testid="software-packages"
            locale={{ emptyText: t('software.packages.empty') }}
            columns={[
              { title: t('software.fields.vendor'), dataIndex: 'vendor', width: 100 },
              { title: t('software.fields.kind'), dataIndex: 'kind', width: 90, render: (k: SoftwarePackage['kind']) => <Tag>{t(`software.kinds.${k}`)}</Tag> },
              { title: t('software.fields.version'), dataIndex: 'version', width: 100 },
              { title: t('software.fields.models'), dataIndex: 'models', width: 170, render: (m: string[]) => m.map((x) => <Tag key={x}>{x}</Tag>) },
              { title: t('software.fields.minOs'), dataIndex: 'minOsVersion', width: 130, render: (v: string | null) => v ?? '—' },
              { title: t('software.fields.size'), dataIndex: 'bytes', width: 90, render: (b: number) => formatBytes(b) },
              {
                title: t('software.fields.sha256'),
                dataIndex: 'sha256',
                width: 210,
                render: (h: string, p) => (
                  <Tooltip title={`${h} · ${t('software.fields.keyId')}: ${p.keyId}`}>
                    <Typography.Text code style={{ whiteSpace: 'nowrap' }}>{short(h)}</Typography.Text>
                  </Tooltip>
                ),
              },
              { title: t('software.fields.notes'), width: 220, render: (_, p) => p.notes[lang] || p.notes[lang === 'en-US' ? 'zh-CN' : 'en-US'] || '—' },
              { title: t('software.fields.uploaded'), dataIndex: 'createdAt', width: 140, render: (v: string, p) => `${formatTime(v)}${p.createdBy ? ` · ${p.createdBy}` : ''}` },
              ...(manage
                ? [{ title: '', key: 'edit', width: 110, render: (_: unknown, p: SoftwarePackage) => <Button size="small" onClick={() => setEditing(p)}>{t('software.compat.edit')}</Button> }]
                : []),
            ]}
          />
        )}
      </Card>
      <CompatModal pkg={editing} onClose={() => setEditing(null)} />
    </Space>
  );
}

function MatrixTab() {
  const { t } = useTranslation();
  const matrix = useQuery({ queryKey: ['software', 'matrix'], queryFn: softwareApi.matrix });
  if (matrix.isError) return <QueryError error={matrix.error} />;
  const m = matrix.data;
  const rows = (m?.rows ?? []).map((r, i) => ({ ...r, key: i, cells: m!.cells[i]! }));
  return (
    <Card className="section-card" title={t('software.matrix.title')}>
      <Typography.Paragraph type="secondary">{t('software.matrix.hint')}</Typography.Paragraph>
      <Table
        size="small"
        loading={matrix.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 600 + (m?.packages.length ?? 0) * 110 }}
        data-testid="software-matrix"
        locale={{ emptyText: t('software.matrix.empty') }}
        columns={[
          { title: t('software.matrix.model'), fixed: 'left', width: 150, render: (_, r) => `${r.vendor} ${r.model}` },
          { title: t('software.matrix.os'), dataIndex: 'osVersion', width: 130, render: (v: string | null) => v ?? '—' },
          { title: t('software.matrix.app'), dataIndex: 'appVersion', width: 100, render: (v: string | null) => v ?? '—' },
          { title: t('software.matrix.terminals'), dataIndex: 'terminals', width: 90, align: 'right' },
          ...(m?.packages ?? []).map((p, j) => ({
            title: (
              <Tooltip title={`${p.vendor} · ${t(`software.kinds.${p.kind}`)}`}>
                <span>
                  {t(`software.kinds.${p.kind}`)} {p.version}
                </span>
              </Tooltip>
            ),
            key: p.id,
            width: 110,
            align: 'center' as const,
            render: (_: unknown, r: (typeof rows)[number]) =>
              r.cells[j] ? (
                <CheckOutlined style={{ color: '#389e0d' }} aria-label={t('software.matrix.fits')} />
              ) : (
                <CloseOutlined style={{ color: '#bfbfbf' }} aria-label={t('software.matrix.noFit')} />
              ),
          })),
        ]}
      />
    </Card>
  );
}

function KeysTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ keyId: string; vendor: string; publicKey: string }>();
  const keys = useQuery({ queryKey: ['software', 'keys'], queryFn: softwareApi.keys });
  const add = useMutation({
    mutationFn: softwareApi.addKey,
    onSuccess: async () => {
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ['software', 'keys'] });
    },
    onError: (e) => showError(e, form),
  });
  const revoke = useMutation({ mutationFn: softwareApi.revokeKey, onSuccess: () => qc.invalidateQueries({ queryKey: ['software', 'keys'] }), onError: (e) => showError(e) });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {manage && (
        <Card className="section-card" title={t('software.keys.add')}>
          <Typography.Paragraph type="secondary">{t('software.keys.hint')}</Typography.Paragraph>
          <Form form={form} layout="vertical" onFinish={(v) => add.mutate(v)}>
            <Space wrap align="start" size="middle">
              <Form.Item name="vendor" label={t('software.fields.vendor')} rules={[{ required: true }]}>
                <Input style={{ width: 140 }} placeholder="PAX" data-testid="key-vendor" />
              </Form.Item>
              <Form.Item name="keyId" label={t('software.fields.keyId')} rules={[{ required: true }]}>
                <Input style={{ width: 180 }} placeholder="pax-2026" data-testid="key-id" />
              </Form.Item>
            </Space>
            <Form.Item name="publicKey" label={t('software.keys.publicKey')} rules={[{ required: true }]}>
              <Input.TextArea rows={3} placeholder="-----BEGIN PUBLIC KEY-----" style={{ fontFamily: 'monospace' }} data-testid="key-public" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="key-add">
              {t('software.keys.addButton')}
            </Button>
          </Form>
        </Card>
      )}
      <Card className="section-card" title={t('software.keys.title')}>
        {keys.isError ? (
          <QueryError error={keys.error} />
        ) : (
          <Table<SigningKey>
            rowKey="id"
            size="small"
            loading={keys.isLoading}
            dataSource={keys.data ?? []}
            pagination={false}
            scroll={{ x: 700 }}
            locale={{ emptyText: t('software.keys.none') }}
            data-testid="software-keys"
            columns={[
              { title: t('software.fields.vendor'), dataIndex: 'vendor', width: 110 },
              { title: t('software.fields.keyId'), dataIndex: 'keyId', width: 150 },
              { title: t('software.keys.publicKey'), dataIndex: 'publicKey', render: (k: string) => <Typography.Text code copyable={{ text: k }}>{short(k)}</Typography.Text> },
              { title: t('software.fields.uploaded'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v) },
              {
                title: t('software.keys.state'),
                width: 180,
                render: (_, k) =>
                  k.revokedAt ? (
                    <Tag>{t('software.keys.revoked', { at: formatTime(k.revokedAt) })}</Tag>
                  ) : (
                    <Space>
                      <Tag color="success">{t('software.keys.trusted')}</Tag>
                      {manage && (
                        <Button
                          size="small"
                          danger
                          onClick={() => modal.confirm({ title: t('software.keys.revokeConfirm', { keyId: k.keyId }), okText: t('software.keys.revoke'), cancelText: t('common.cancel'), onOk: () => revoke.mutateAsync(k.id) })}
                        >
                          {t('software.keys.revoke')}
                        </Button>
                      )}
                    </Space>
                  ),
              },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}

export default function SoftwarePage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const manage = can('software:manage');
  return (
    <>
      <PageHeader title={t('software.title')} subtitle={t('software.subtitle')} />
      <Tabs
        items={[
          { key: 'packages', label: t('software.tabs.packages'), children: <PackagesTab manage={manage} /> },
          { key: 'matrix', label: t('software.tabs.matrix'), children: <MatrixTab /> },
          { key: 'keys', label: t('software.tabs.keys'), children: <KeysTab manage={manage} /> },
        ]}
      />
    </>
  );
}
