/** Test helpers: slicing a simulated message stream by kind, terminal and time. */
import type { DeviceMessage, Telemetry } from '@poscare/contracts';
import type { SimDelivery } from '../simulator.js';

type Of<K extends DeviceMessage['kind']> = Extract<DeviceMessage, { kind: K }>;

export interface Stamped<T> {
  terminalId: string;
  at: number;
  sentAt: number;
  data: T;
}

function ofKind<K extends DeviceMessage['kind']>(kind: K, ds: readonly SimDelivery[], terminalIds?: string | readonly string[]): Stamped<Of<K>['data']>[] {
  const ids = terminalIds === undefined ? null : new Set(typeof terminalIds === 'string' ? [terminalIds] : terminalIds);
  return ds
    .filter((d) => d.message.kind === kind && (!ids || ids.has(d.terminalId)))
    .map((d) => ({ terminalId: d.terminalId, at: Date.parse(d.message.at), sentAt: d.sentAt.getTime(), data: d.message.data as Of<K>['data'] }));
}

export const telemetryOf = (ds: readonly SimDelivery[], ids?: string | readonly string[]): Stamped<Telemetry>[] => ofKind('telemetry', ds, ids);
export const txnsOf = (ds: readonly SimDelivery[], ids?: string | readonly string[]) => ofKind('txn', ds, ids);
export const eventsOf = (ds: readonly SimDelivery[], ids?: string | readonly string[]) => ofKind('event', ds, ids);
export const acksOf = (ds: readonly SimDelivery[], ids?: string | readonly string[]) => ofKind('cmd_ack', ds, ids);

export const between = <T extends { at: number }>(items: readonly T[], from: Date | number, to: Date | number) => items.filter((i) => i.at >= +from && i.at < +to);

/** Failures over attempts, summed over the samples' reader counters for one interface. */
export function readFailureRate(samples: readonly Stamped<Telemetry>[], reader: 'chip' | 'contactless' | 'magstripe'): number {
  let attempts = 0;
  let failures = 0;
  for (const s of samples) {
    attempts += s.data.reader?.[reader]?.attempts ?? 0;
    failures += s.data.reader?.[reader]?.failures ?? 0;
  }
  return attempts ? failures / attempts : 0;
}
