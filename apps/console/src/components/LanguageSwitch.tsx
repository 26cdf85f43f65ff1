import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '@poscare/contracts';
import type { Language } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { currentLanguage } from '../i18n';

/** 中文 / English switch. Each option carries a stable test id: lang-option-zh-CN, lang-option-en-US. */
export function LanguageSwitch({ size = 'middle' }: { size?: 'small' | 'middle' | 'large' }) {
  const { t, i18n } = useTranslation();
  const { setLanguage } = useAuth();
  const value = currentLanguage();
  void i18n.language; // re-render on language change
  return (
    <Segmented<Language>
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      size={size}
      value={value}
      onChange={(lng) => void setLanguage(lng)}
      options={LANGUAGES.map((lng) => ({
        value: lng,
        label: <span data-testid={`lang-option-${lng}`}>{t(`lang.${lng}`)}</span>,
      }))}
    />
  );
}
