/**
 * `/s/<token>`: where a short link from an SMS lands. The layout has already asked for sign-in (and
 * comes back here after it); the server verifies the token and whether this person may see the page,
 * and we go there. A link that does not verify, or leads somewhere they may not go, says so.
 */
import { useEffect } from 'react';
import { Result, Button } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { FullPageSpin } from '../../components/Status';
import { channelsApi } from './api';

export default function ShortLinkPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const target = useQuery({ queryKey: ['short-link', token], queryFn: () => channelsApi.openShortLink(token), retry: false });
  useEffect(() => {
    if (target.data) navigate(target.data.path, { replace: true });
  }, [target.data, navigate]);
  if (target.isError)
    return (
      <Result
        status="warning"
        title={t('channels.shortLink.invalid')}
        subTitle={t('channels.shortLink.invalidHint')}
        extra={<Link to="/"><Button type="primary">{t('channels.shortLink.home')}</Button></Link>}
        data-testid="short-link-invalid"
      />
    );
  return <FullPageSpin />;
}
