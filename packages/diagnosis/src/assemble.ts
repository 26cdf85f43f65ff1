/**
 * Helpers for whoever assembles a case from stored data (the server, the simulator's labelled set):
 * per-minute telemetry thinned to the case's five-minute samples without losing the counters.
 */
import type { CaseTelemetry } from '@poscare/contracts';

type Counter = { attempts?: number | undefined; failures?: number | undefined };
const addCounter = (a: Counter | undefined, b: Counter | undefined): Counter | undefined =>
  a || b ? { attempts: (a?.attempts ?? 0) + (b?.attempts ?? 0), failures: (a?.failures ?? 0) + (b?.failures ?? 0) } : undefined;

/**
 * Groups samples into buckets of `minutes` (aligned to the clock) and keeps, per bucket, the last
 * sample's gauges with the counters (reader attempts/failures, crashes, ANRs, reboots) summed over
 * the bucket: a counter is "since the previous sample", so dropping samples would drop failures.
 */
export function thinTelemetry(samples: CaseTelemetry[], minutes = 5): CaseTelemetry[] {
  const size = minutes * 60_000;
  const sorted = [...samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const out: CaseTelemetry[] = [];
  let bucket = Number.NaN;
  let acc: CaseTelemetry | null = null;
  for (const s of sorted) {
    const b = Math.floor(Date.parse(s.at) / size);
    if (acc && b === bucket) {
      const prev: CaseTelemetry = acc;
      const reader = s.reader || prev.reader
        ? {
            chip: addCounter(prev.reader?.chip, s.reader?.chip),
            contactless: addCounter(prev.reader?.contactless, s.reader?.contactless),
            magstripe: addCounter(prev.reader?.magstripe, s.reader?.magstripe),
          }
        : undefined;
      acc = {
        ...prev,
        ...s,
        ...(reader ? { reader: Object.fromEntries(Object.entries(reader).filter(([, v]) => v)) } : {}),
        ...(s.app || prev.app ? { app: { ...prev.app, ...s.app, crashes: (prev.app?.crashes ?? 0) + (s.app?.crashes ?? 0), anrs: (prev.app?.anrs ?? 0) + (s.app?.anrs ?? 0) } } : {}),
        ...(s.os || prev.os ? { os: { ...prev.os, ...s.os, reboots: (prev.os?.reboots ?? 0) + (s.os?.reboots ?? 0) } } : {}),
        // A tamper seen anywhere in the bucket must survive thinning.
        ...(prev.tamper || s.tamper ? { tamper: true } : {}),
      };
    } else {
      if (acc) out.push(acc);
      bucket = b;
      acc = { ...s };
    }
  }
  if (acc) out.push(acc);
  return out;
}
