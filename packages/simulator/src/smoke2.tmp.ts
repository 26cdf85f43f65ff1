import { DeviceMessage, containsCardData } from '@poscare/contracts';
import { createFleet, Simulator } from './index.js';
import { injectEveryFault } from './scenarios.js';
const fleet = createFleet({ seed: 11, terminals: 50, merchants: 14, sitesPerMerchant: [1, 3], startAt: new Date('2026-03-02T16:00:00Z') });
const sim = new Simulator(fleet);
const ids = injectEveryFault(sim, { startAt: new Date('2026-03-03T00:00:00Z') });
const out = sim.step(new Date('2026-03-03T16:00:00Z'));
let bad = 0, card = 0;
for (const d of out) { const r = DeviceMessage.safeParse(d.message); if (!r.success && bad++ < 3) console.log(JSON.stringify(r.error.issues).slice(0, 300)); if (containsCardData(d.message)) card++; }
console.log('deliveries', out.length, 'bad', bad, 'card', card);
const gt = sim.groundTruth();
for (const [f, id] of ids) {
  const entries = gt.filter(g => g.injectionId === id);
  const tids = new Set(entries.map(e => e.terminalId));
  const msgs = out.filter(d => tids.has(d.terminalId) && entries.some(e => e.terminalId === d.terminalId && Date.parse(d.message.at) >= e.from.getTime() && (!e.to || Date.parse(d.message.at) < e.to.getTime())));
  const ev: Record<string, number> = {};
  for (const d of msgs) if (d.message.kind === 'event') ev[(d.message.data as any).code] = (ev[(d.message.data as any).code] ?? 0) + 1;
  const oc: Record<string, number> = {};
  for (const d of msgs) if (d.message.kind === 'txn') { const k = (d.message.data as any).outcome + ':' + ((d.message.data as any).responseCode ?? ''); oc[k] = (oc[k] ?? 0) + 1; }
  console.log(f, entries.length, 'terminals', msgs.length, 'msgs', JSON.stringify(ev), JSON.stringify(oc));
}
