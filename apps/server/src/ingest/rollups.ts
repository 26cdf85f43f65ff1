/**
 * Per-hour roll-ups of telemetry, summed in the process for one batch and merged into telemetry_hour
 * with one statement. Kept as sums and counts (never averages) so that batches, late samples and
 * several ingest processes merge exactly. Buckets are UTC hours. (Minute series are read from
 * telemetry_raw's typed columns: at one sample a minute, a minute roll-up would copy every row.)
 */
import type { Telemetry } from '@poscare/contracts';

/** telemetry_hour's columns, in COPY order. */
export const ROLLUP_COLUMNS = [
  'org_id', 'terminal_id', 'bucket', 'samples',
  'battery_sum', 'battery_n', 'temp_sum', 'temp_max', 'temp_n', 'signal_sum', 'signal_n', 'latency_sum', 'latency_n', 'loss_sum', 'loss_n',
  'chip_attempts', 'chip_failures', 'ctls_attempts', 'ctls_failures', 'mag_attempts', 'mag_failures',
] as const;

export interface Rollup {
  orgId: string;
  terminalId: string;
  bucket: number;
  samples: number;
  batterySum: number;
  batteryN: number;
  tempSum: number;
  tempMax: number | null;
  tempN: number;
  signalSum: number;
  signalN: number;
  latencySum: number;
  latencyN: number;
  lossSum: number;
  lossN: number;
  chipAttempts: number;
  chipFailures: number;
  ctlsAttempts: number;
  ctlsFailures: number;
  magAttempts: number;
  magFailures: number;
}

export const HOUR_MS = 3_600_000;

/** The chart signals of a sample (hour roll-ups, telemetry_raw's typed columns), NaN where it has none. */
export enum Signal {
  Battery, Temp, SignalDbm, Latency, Loss, ChipAttempts, ChipFailures, CtlsAttempts, CtlsFailures, MagAttempts, MagFailures, Count,
}

export function signalsOf(t: Telemetry): Float64Array {
  const s = new Float64Array(Signal.Count).fill(NaN);
  if (t.battery?.pct !== undefined) s[Signal.Battery] = t.battery.pct;
  if (t.tempC !== undefined) s[Signal.Temp] = t.tempC;
  const n = t.network;
  if (n) {
    if (n.signalDbm !== undefined) s[Signal.SignalDbm] = n.signalDbm;
    if (n.latencyMs !== undefined) s[Signal.Latency] = n.latencyMs;
    if (n.lossPct !== undefined) s[Signal.Loss] = n.lossPct;
  }
  const r = t.reader;
  if (r?.chip) (s[Signal.ChipAttempts] = r.chip.attempts), (s[Signal.ChipFailures] = r.chip.failures);
  if (r?.contactless) (s[Signal.CtlsAttempts] = r.contactless.attempts), (s[Signal.CtlsFailures] = r.contactless.failures);
  if (r?.magstripe) (s[Signal.MagAttempts] = r.magstripe.attempts), (s[Signal.MagFailures] = r.magstripe.failures);
  return s;
}

export class RollupBatch {
  readonly hours = new Map<string, Rollup>();

  add(orgId: string, terminalId: string, atMs: number, s: Float64Array): void {
    addTo(this.hours, orgId, terminalId, atMs - mod(atMs, HOUR_MS), s);
  }
}

/** Floor modulo, so that instants before 1970 land in the right bucket too. */
const mod = (a: number, n: number) => ((a % n) + n) % n;

function addTo(map: Map<string, Rollup>, orgId: string, terminalId: string, bucket: number, s: Float64Array) {
  const key = `${terminalId}|${bucket}`;
  let r = map.get(key);
  if (!r) {
    r = {
      orgId, terminalId, bucket, samples: 0,
      batterySum: 0, batteryN: 0, tempSum: 0, tempMax: null, tempN: 0, signalSum: 0, signalN: 0, latencySum: 0, latencyN: 0, lossSum: 0, lossN: 0,
      chipAttempts: 0, chipFailures: 0, ctlsAttempts: 0, ctlsFailures: 0, magAttempts: 0, magFailures: 0,
    };
    map.set(key, r);
  }
  r.samples++;
  const battery = s[Signal.Battery]!;
  const temp = s[Signal.Temp]!;
  const signal = s[Signal.SignalDbm]!;
  const latency = s[Signal.Latency]!;
  const loss = s[Signal.Loss]!;
  if (battery === battery) (r.batterySum += battery), r.batteryN++; // x === x: not NaN
  if (temp === temp) {
    r.tempSum += temp;
    r.tempN++;
    if (r.tempMax === null || temp > r.tempMax) r.tempMax = temp;
  }
  if (signal === signal) (r.signalSum += signal), r.signalN++;
  if (latency === latency) (r.latencySum += latency), r.latencyN++;
  if (loss === loss) (r.lossSum += loss), r.lossN++;
  r.chipAttempts += count(s[Signal.ChipAttempts]!);
  r.chipFailures += count(s[Signal.ChipFailures]!);
  r.ctlsAttempts += count(s[Signal.CtlsAttempts]!);
  r.ctlsFailures += count(s[Signal.CtlsFailures]!);
  r.magAttempts += count(s[Signal.MagAttempts]!);
  r.magFailures += count(s[Signal.MagFailures]!);
}

/** A reader counter: absent (NaN) counts as nothing. */
function count(v: number): number {
  return v === v ? v : 0;
}

export function rollupRow(r: Rollup): unknown[] {
  return [
    r.orgId, r.terminalId, new Date(r.bucket), r.samples,
    r.batterySum, r.batteryN, r.tempSum, r.tempMax, r.tempN, r.signalSum, r.signalN, r.latencySum, r.latencyN, r.lossSum, r.lossN,
    r.chipAttempts, r.chipFailures, r.ctlsAttempts, r.ctlsFailures, r.magAttempts, r.magFailures,
  ];
}

const sets = ROLLUP_COLUMNS.slice(3)
  .map((c) => (c === 'temp_max' ? `temp_max = greatest(r.temp_max, excluded.temp_max)` : `${c} = r.${c} + excluded.${c}`))
  .join(', ');

/** The staged hours merged in one statement, in key order so that concurrent writers lock rows in the same order. */
export const ROLLUP_UPSERT_SQL = `
  INSERT INTO telemetry_hour AS r (${ROLLUP_COLUMNS.join(', ')})
  SELECT ${ROLLUP_COLUMNS.join(', ')} FROM stage_rollup ORDER BY terminal_id, bucket
  ON CONFLICT (terminal_id, bucket) DO UPDATE SET ${sets}`;

export const ROLLUP_STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS stage_rollup (org_id uuid, terminal_id uuid, bucket timestamptz, samples integer,
  battery_sum float8, battery_n integer, temp_sum float8, temp_max float8, temp_n integer, signal_sum float8, signal_n integer,
  latency_sum float8, latency_n integer, loss_sum float8, loss_n integer, chip_attempts integer, chip_failures integer,
  ctls_attempts integer, ctls_failures integer, mag_attempts integer, mag_failures integer) ON COMMIT DELETE ROWS`;

/** A sample's typed columns in telemetry_raw, as COPY text fields (`\N`: NULL), in TELEMETRY_SIGNAL_COLUMNS order. */
export function signalFields(s: Float64Array): string {
  let out = '';
  for (let i = 0; i < Signal.Count; i++) out += (i ? '\t' : '') + (Number.isNaN(s[i]!) ? '\\N' : String(s[i]));
  return out;
}

/** telemetry_raw's typed columns, in Signal order. */
export const TELEMETRY_SIGNAL_COLUMNS = [
  'battery_pct', 'temp_c', 'signal_dbm', 'latency_ms', 'loss_pct', 'chip_attempts', 'chip_failures', 'ctls_attempts', 'ctls_failures', 'mag_attempts', 'mag_failures',
] as const;
