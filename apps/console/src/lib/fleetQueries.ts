import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { FleetOverview } from '../api/fleet';

export const FLEET_REFRESH_MS = 10_000;
export const LIVE_REFRESH_MS = 15_000;

/** The fleet overview, kept fresh while the page is open. */
export function useFleetOverview(enabled = true) {
  return useQuery({
    queryKey: ['fleet', 'overview'],
    queryFn: () => api<FleetOverview>('/fleet/overview'),
    refetchInterval: FLEET_REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: 5_000,
    enabled,
  });
}
