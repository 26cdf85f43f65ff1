import type { ReactNode } from 'react';
import { Button, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';

interface Props {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  /** Where the back arrow goes; no arrow when absent. */
  backTo?: string;
  tags?: ReactNode;
}

export function PageHeader({ title, subtitle, extra, backTo, tags }: Props) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  return (
    <div className="page-header">
      <div className="page-header-main">
        {backTo && (
          <Button
            type="text"
            icon={<ArrowLeftOutlined />}
            aria-label={t('common.back')}
            onClick={() => navigate(backTo)}
            className="page-header-back"
            data-testid="page-back"
          />
        )}
        <div className="page-header-text">
          <div className="page-header-title-row">
            <Typography.Title level={3} className="page-header-title" data-testid="page-title">
              {title}
            </Typography.Title>
            {tags}
          </div>
          {subtitle && <Typography.Text type="secondary">{subtitle}</Typography.Text>}
        </div>
      </div>
      {extra && <div className="page-header-extra">{extra}</div>}
    </div>
  );
}
