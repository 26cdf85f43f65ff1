/** Download what a list shows (its filters and order) as a spreadsheet; the server names the file and words the headers. */
import { useState } from 'react';
import { App, Button, Dropdown } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { download } from '../api/client';
import { useShowError } from '../lib/hooks';

export function ExportButtons({ path, query }: { path: string; query: Record<string, string | number | boolean | null | undefined> }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  const run = async (format: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      const name = await download(path, { ...query, format });
      void message.success(t('export.done', { name }));
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'xlsx', label: <span data-testid="export-xlsx">{t('export.xlsx')}</span> },
          { key: 'csv', label: <span data-testid="export-csv">{t('export.csv')}</span> },
        ],
        onClick: ({ key }) => void run(key as 'csv' | 'xlsx'),
      }}
    >
      <Button icon={<DownloadOutlined />} loading={busy} data-testid="export">
        {t('export.button')}
      </Button>
    </Dropdown>
  );
}
