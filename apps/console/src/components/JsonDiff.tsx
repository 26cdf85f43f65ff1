import { Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

function show(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 2);
}

interface DiffRow {
  field: string;
  before: unknown;
  after: unknown;
  kind: 'added' | 'removed' | 'changed' | 'same';
}

/** Field-by-field view of an audit entry's before/after, changed fields first. */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();

  if (!isObj(before) && !isObj(after)) {
    return (
      <div className="json-diff-raw">
        <div>
          <Typography.Text type="secondary">{t('audit.before')}</Typography.Text>
          <pre>{before == null ? '—' : show(before)}</pre>
        </div>
        <div>
          <Typography.Text type="secondary">{t('audit.after')}</Typography.Text>
          <pre>{after == null ? '—' : show(after)}</pre>
        </div>
      </div>
    );
  }

  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const rows: DiffRow[] = keys.map((k) => {
    const inB = k in b;
    const inA = k in a;
    const kind: DiffRow['kind'] =
      inB && !inA ? 'removed' : !inB && inA ? 'added' : JSON.stringify(b[k]) === JSON.stringify(a[k]) ? 'same' : 'changed';
    return { field: k, before: b[k], after: a[k], kind };
  });
  const order = { changed: 0, added: 1, removed: 2, same: 3 };
  rows.sort((x, y) => order[x.kind] - order[y.kind] || x.field.localeCompare(y.field));
  const changed = rows.filter((r) => r.kind !== 'same').length;

  const columns: TableColumnsType<DiffRow> = [
    { title: t('audit.field'), dataIndex: 'field', width: 200, render: (f: string) => <span className="mono">{f}</span> },
    {
      title: t('audit.before'),
      dataIndex: 'before',
      render: (v: unknown, r) => (
        <pre className={`diff-cell ${r.kind === 'changed' || r.kind === 'removed' ? 'diff-old' : ''}`}>{r.kind === 'added' ? '' : show(v)}</pre>
      ),
    },
    {
      title: t('audit.after'),
      dataIndex: 'after',
      render: (v: unknown, r) => (
        <pre className={`diff-cell ${r.kind === 'changed' || r.kind === 'added' ? 'diff-new' : ''}`}>{r.kind === 'removed' ? '' : show(v)}</pre>
      ),
    },
  ];

  return (
    <div className="json-diff" data-testid="audit-diff">
      <Typography.Text type="secondary" className="json-diff-summary">
        {t('audit.changedFields', { count: changed })}
      </Typography.Text>
      <Table<DiffRow>
        rowKey="field"
        size="small"
        columns={columns}
        dataSource={rows}
        pagination={false}
        rowClassName={(r) => `diff-row-${r.kind}`}
        scroll={{ x: 'max-content' }}
      />
    </div>
  );
}
