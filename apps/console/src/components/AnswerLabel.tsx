import { useTranslation } from 'react-i18next';
import { yesNo } from '../lib/diagnosis';

/** An answer option in words: yes/no in the UI language, any other option as the server gave it. */
export function AnswerLabel({ option }: { option: string }) {
  const { t } = useTranslation();
  const yn = yesNo(option);
  return <>{yn ? t(`answers.${yn}`) : option}</>;
}
