import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * Filters and pagination kept in the URL, so a filtered list can be bookmarked, shared and survives "back".
 * Changing any filter goes back to page 1.
 */
export function useUrlState<K extends string>(keys: readonly K[], defaultPageSize = 20) {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => {
    const v = {} as Record<K, string | undefined>;
    for (const k of keys) v[k] = params.get(k) ?? undefined;
    return v;
  }, [params, keys]);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = Math.min(500, Math.max(1, Number(params.get('pageSize')) || defaultPageSize));

  const setFilters = useCallback(
    (patch: Partial<Record<K, string | undefined | null>>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch) as [K, string | undefined | null][]) {
            if (v === undefined || v === null || v === '') next.delete(k);
            else next.set(k, v);
          }
          next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  const setPage = useCallback(
    (p: number, size: number) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (p > 1) next.set('page', String(p));
          else next.delete('page');
          if (size !== defaultPageSize) next.set('pageSize', String(size));
          else next.delete('pageSize');
          return next;
        },
        { replace: true },
      );
    },
    [setParams, defaultPageSize],
  );

  return { values, page, pageSize, offset: (page - 1) * pageSize, setFilters, setPage };
}
