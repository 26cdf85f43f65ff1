import { createFleet } from './index.js';
import { initialState } from './terminal/state.js';
import { Minute } from './terminal/minute.js';
import { healthyConditions } from './conditions.js';
import { localTime } from './curves.js';
import { telemetrySample } from './terminal/telemetry.js';
import { buildMessage } from '@poscare/terminal-sdk';
const fleet = createFleet({ seed: 7, terminals: 50, merchants: 12, sitesPerMerchant: [1, 3], startAt: new Date('2026-03-02T16:00:00Z') });
const t = fleet.terminals[0]!;
const s = initialState(t, fleet.sites.find(x => x.id === t.siteId)!, fleet.merchants.find(x => x.id === t.merchantId)!, 7, Date.now());
const N = 100_000;
let t0 = performance.now();
for (let i = 0; i < N; i++) { const m = new Minute(s, healthyConditions(), 1e12 + i * 60000, localTime(1e12, 480)); }
console.log('minute+cond', ((performance.now() - t0) * 1000 / N).toFixed(2), 'us');
const m = new Minute(s, healthyConditions(), 1e12, localTime(1e12, 480));
t0 = performance.now();
for (let i = 0; i < N; i++) telemetrySample(m, 1e12);
console.log('telemetry', ((performance.now() - t0) * 1000 / N).toFixed(2), 'us');
const data = telemetrySample(m, 1e12);
t0 = performance.now();
for (let i = 0; i < N; i++) { const at = new Date(1e12 + i); buildMessage('telemetry', data, at, s.ids.next(at)); }
console.log('build', ((performance.now() - t0) * 1000 / N).toFixed(2), 'us');
t0 = performance.now();
for (let i = 0; i < N; i++) s.rng.normal(0, 1);
console.log('normal', ((performance.now() - t0) * 1000 / N).toFixed(3), 'us');
