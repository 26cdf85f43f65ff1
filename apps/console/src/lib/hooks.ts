import { useCallback, useEffect, useState } from 'react';
import { App, Grid } from 'antd';
import type { FormInstance, TablePaginationConfig } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';

export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** Turn a server path like "body.contactName" or "items/keypad" into an antd name path. */
function toNamePath(path: string): (string | number)[] {
  const parts = path
    .split(/[./]/)
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (parts[0] === 'body') parts.shift();
  return parts;
}

/**
 * Show an API error to the user: as field errors on the form when the server says which fields,
 * and always as a toast with the server's (already translated) message.
 */
export function useShowError() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, form?: FormInstance) => {
      if (isApiError(err)) {
        if (form && err.details.length) {
          const known = new Set(Object.keys(form.getFieldsValue() as object));
          const fields = err.details
            .map((d) => ({ name: toNamePath(d.path), errors: [d.message] }))
            .filter((f) => f.name.length > 0 && known.has(String(f.name[0])));
          if (fields.length) form.setFields(fields);
        }
        if (err.status === 401) return; // the sign-in page takes over
        void message.error({ content: err.message, key: err.id });
        return;
      }
      void message.error(err instanceof Error && err.message ? err.message : t('errors.unknown'));
    },
    [message, t],
  );
}

/** Empty optional text fields are sent as null ("no value") rather than "". */
export function blankToNull<T extends object>(values: T, keys: (keyof T)[]): T {
  const out = { ...values };
  for (const k of keys) {
    const v = out[k];
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) (out as Record<keyof T, unknown>)[k] = null;
  }
  return out;
}

/** Server-side pagination settings for a table; compact on phones. */
export function useServerPagination(
  total: number | undefined,
  page: number,
  pageSize: number,
  onChange: (page: number, pageSize: number) => void,
  pageSizeOptions: number[] = [20, 50, 100, 200],
): TablePaginationConfig {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  return {
    current: page,
    pageSize,
    total: total ?? 0,
    showSizeChanger: !phone,
    pageSizeOptions,
    simple: phone,
    size: phone ? 'small' : undefined,
    showTotal: phone ? undefined : (n: number) => t('common.totalItems', { count: n }),
    onChange,
  };
}
