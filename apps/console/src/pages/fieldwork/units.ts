import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/** Units of spare parts that have words in both languages; any other unit is shown as typed. */
export const PART_UNITS = ['pcs', 'roll', 'box', 'set', 'm'] as const;

/** A part's unit in the reader's language ("pcs" → 个, "roll" → 卷). */
export function usePartUnit() {
  const { t, i18n } = useTranslation();
  return useCallback((u: string) => (i18n.exists(`parts.units.${u}`) ? t(`parts.units.${u}` as 'parts.units.pcs') : u), [t, i18n]);
}
