import { useMemo, useState } from 'react';
import { Select } from 'antd';
import type { SelectProps } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type PageOf } from '../api/client';
import type { Merchant, Site, Terminal } from '../api/types';
import { useDebounced } from '../lib/hooks';

type Base = Omit<SelectProps<string>, 'options' | 'showSearch' | 'loading' | 'value' | 'onChange'> & {
  value?: string | null;
  onChange?: (v: string | undefined) => void;
};

/** Searchable merchant picker (server-side search, the selected merchant is always labelled). */
export function MerchantSelect({ value, onChange, ...rest }: Base) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 250);
  const list = useQuery({
    queryKey: ['merchants', 'select', q],
    queryFn: () => api<PageOf<Merchant>>('/merchants', { query: { q, limit: 50 } }),
    placeholderData: (prev) => prev,
  });
  const selected = useQuery({
    queryKey: ['merchants', 'one', value],
    queryFn: () => api<Merchant>(`/merchants/${value}`),
    enabled: !!value && !list.data?.items.some((m) => m.id === value),
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const items = [...(list.data?.items ?? [])];
    if (selected.data && !items.some((m) => m.id === selected.data.id)) items.unshift(selected.data);
    return items.map((m) => ({ value: m.id, label: `${m.name} · ${m.mid}` }));
  }, [list.data, selected.data]);
  return (
    <Select<string>
      placeholder={t('merchant.selectPlaceholder')}
      allowClear
      {...rest}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      loading={list.isFetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      onClear={() => setSearch('')}
      notFoundContent={list.isFetching ? t('common.loading') : t('common.noData')}
    />
  );
}

/** Site picker; limited to one merchant's sites when merchantId is given. */
export function SiteSelect({ value, onChange, merchantId, ...rest }: Base & { merchantId?: string | null }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 250);
  const list = useQuery({
    queryKey: ['sites', 'select', merchantId ?? null, q],
    queryFn: () => api<PageOf<Site>>('/sites', { query: { merchantId, q, limit: 50 } }),
    placeholderData: (prev) => prev,
  });
  const selected = useQuery({
    queryKey: ['sites', 'one', value],
    queryFn: () => api<Site>(`/sites/${value}`),
    enabled: !!value && !list.data?.items.some((s) => s.id === value),
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const items = [...(list.data?.items ?? [])];
    if (selected.data && !items.some((s) => s.id === selected.data.id)) items.unshift(selected.data);
    return items.map((s) => ({ value: s.id, label: `${s.name} · ${s.code}` }));
  }, [list.data, selected.data]);
  return (
    <Select<string>
      placeholder={t('site.selectPlaceholder')}
      allowClear
      {...rest}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      loading={list.isFetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      onClear={() => setSearch('')}
      notFoundContent={list.isFetching ? t('common.loading') : t('common.noData')}
    />
  );
}

/** id → name lookups for tables that only carry ids. Loads up to 500 of each, which covers a page of rows. */
export function useMerchantNames(): Map<string, Merchant> {
  const { data } = useQuery({
    queryKey: ['merchants', 'names'],
    queryFn: () => api<PageOf<Merchant>>('/merchants', { query: { limit: 500 } }),
    staleTime: 60_000,
  });
  return useMemo(() => new Map((data?.items ?? []).map((m) => [m.id, m])), [data]);
}

export function useSiteNames(): Map<string, Site> {
  const { data } = useQuery({
    queryKey: ['sites', 'names'],
    queryFn: () => api<PageOf<Site>>('/sites', { query: { limit: 500 } }),
    staleTime: 60_000,
  });
  return useMemo(() => new Map((data?.items ?? []).map((s) => [s.id, s])), [data]);
}

/** Searchable terminal picker (by serial number), the selected terminal always labelled. */
export function TerminalSelect({
  value,
  onChange,
  siteId,
  ...rest
}: Base & { siteId?: string | null }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 250);
  const list = useQuery({
    queryKey: ['terminals', 'select', siteId ?? null, q],
    queryFn: () => api<PageOf<Terminal>>('/terminals', { query: { q, siteId, limit: 50 } }),
    placeholderData: (prev) => prev,
  });
  const selected = useQuery({
    queryKey: ['terminals', 'one', value],
    queryFn: () => api<Terminal>(`/terminals/${value}`),
    enabled: !!value && !list.data?.items.some((x) => x.id === value),
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const items = [...(list.data?.items ?? [])];
    if (selected.data && !items.some((x) => x.id === selected.data.id)) items.unshift(selected.data);
    return items.map((x) => ({ value: x.id, label: `${x.serialNumber} · ${x.model}` }));
  }, [list.data, selected.data]);
  return (
    <Select<string>
      placeholder={t('alerts.terminalPlaceholder')}
      allowClear
      {...rest}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      loading={list.isFetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      onClear={() => setSearch('')}
      notFoundContent={list.isFetching ? t('common.loading') : t('common.noData')}
    />
  );
}
