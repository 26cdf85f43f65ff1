/**
 * The faults the simulator can inject, named by their code in shared/contracts/fault-taxonomy.json,
 * so ground truth can be compared with diagnosis results and alerts code for code.
 */
export const FAULT_IDS = [
  'hw.reader.chip',
  'hw.reader.contactless',
  'hw.reader.magstripe',
  'hw.printer.paper_out',
  'hw.printer.jam',
  'hw.printer.fault',
  'hw.battery.degraded',
  'hw.battery.depleted',
  'hw.power.adapter',
  'env.temperature',
  'env.humidity',
  'env.power.unstable',
  'net.signal.weak',
  'net.site.outage',
  'net.dns',
  'net.firewall',
  'net.latency',
  'net.sim',
  'net.ip_conflict',
  'sw.app.crash',
  'sw.update.regression',
  'sw.keys.missing',
  'sw.clock.skew',
  'sw.storage.full',
  'ext.host.outage',
  'ext.card.expired',
  'ext.card.damaged',
  'ext.issuer.decline',
  'op.pin.wrong',
  'op.not_signed_in',
  'op.settlement.overdue',
  'sec.tamper',
] as const;

export type FaultId = (typeof FAULT_IDS)[number];

export const isFaultId = (s: string): s is FaultId => (FAULT_IDS as readonly string[]).includes(s);
