/**
 * Field-service demo data for `poscare start --demo`: three depots with spare parts and consumables
 * (some under their reorder level), and spare terminals in stock at the depots with their custody.
 */
import type { Fleet } from '@poscare/simulator';
import type { Database } from '../db/client.js';

const DEPOTS = [
  { code: 'SH-PD', name: '上海浦东备件库', address: '上海市浦东新区张江路 88 号', region: '上海' },
  { code: 'SH-XH', name: '上海徐汇备件库', address: '上海市徐汇区漕溪北路 210 号', region: '上海' },
  { code: 'BJ-CY', name: '北京朝阳备件库', address: '北京市朝阳区建国路 66 号', region: '北京' },
];

const PARTS = [
  { sku: 'RDR-IC-01', kind: 'reader', zh: 'IC 卡读卡模块', en: 'Chip card reader module', unit: 'pcs', reorder: 3, stock: [6, 4, 4] },
  { sku: 'RDR-NFC-01', kind: 'reader', zh: '非接感应模块', en: 'Contactless reader module', unit: 'pcs', reorder: 2, stock: [3, 1, 3] },
  { sku: 'BAT-A920', kind: 'battery', zh: 'A920 电池', en: 'A920 battery', unit: 'pcs', reorder: 5, stock: [12, 6, 8] },
  { sku: 'PRN-58', kind: 'printer', zh: '58mm 打印模块', en: '58 mm printer module', unit: 'pcs', reorder: 2, stock: [4, 3, 1] },
  { sku: 'PAPER-57', kind: 'paper_roll', zh: '57mm 热敏打印纸', en: '57 mm thermal paper roll', unit: 'roll', reorder: 50, stock: [240, 30, 120] },
  { sku: 'PINPAD-S300', kind: 'pin_pad', zh: 'S300 密码键盘', en: 'S300 PIN pad', unit: 'pcs', reorder: 1, stock: [2, 0, 2] },
  { sku: 'CBL-USB-C', kind: 'cable', zh: 'USB-C 充电线', en: 'USB-C charging cable', unit: 'pcs', reorder: 10, stock: [25, 12, 15] },
  { sku: 'CRADLE-A920', kind: 'terminal_other', zh: 'A920 充电底座', en: 'A920 charging cradle', unit: 'pcs', reorder: 2, stock: [5, 3, 3] },
];

/** Seeds once per organization (nothing happens when it already has depots). */
export async function seedFieldworkDemo(db: Database, orgId: string, fleet: Fleet, now: Date): Promise<void> {
  await db.rawTransaction(async (tx) => {
    const [has] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM depots WHERE org_id = $1', [orgId]);
    if (Number(has?.n ?? 0) > 0) return;
    const depotIds: string[] = [];
    for (const d of DEPOTS) {
      const [r] = await tx.query<{ id: string }>('INSERT INTO depots (org_id, code, name, address, region, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [orgId, d.code, d.name, d.address, d.region, now]);
      depotIds.push(r!.id);
    }
    for (const p of PARTS) {
      const [r] = await tx.query<{ id: string }>('INSERT INTO parts (org_id, sku, kind, name, unit, reorder_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id', [
        orgId, p.sku, p.kind, JSON.stringify({ 'zh-CN': p.zh, 'en-US': p.en }), p.unit, p.reorder, now,
      ]);
      for (const [i, qty] of p.stock.entries()) {
        await tx.query('INSERT INTO part_stock (org_id, depot_id, part_id, quantity) VALUES ($1, $2, $3, $4)', [orgId, depotIds[i], r!.id, qty]);
        if (qty > 0) {
          await tx.query("INSERT INTO stock_movements (org_id, depot_id, part_id, delta, reason, actor, note, at) VALUES ($1, $2, $3, $4, 'receive', 'demo', 'opening stock', $5)", [orgId, depotIds[i], r!.id, qty, now]);
        }
      }
    }
    // Two spare terminals of each of the fleet's three most common models, spread over the depots.
    const models = new Map<string, { vendor: string; model: string; n: number }>();
    for (const t of fleet.terminals) {
      const k = `${t.vendor}|${t.model}`;
      const m = models.get(k) ?? { vendor: t.vendor, model: t.model, n: 0 };
      m.n += 1;
      models.set(k, m);
    }
    const common = [...models.values()].sort((a, b) => b.n - a.n).slice(0, 3);
    let seq = 1;
    for (const m of common) {
      for (let k = 0; k < 2; k++) {
        const depotIndex = (seq - 1) % DEPOTS.length;
        const serial = `SPARE-${String(seq).padStart(4, '0')}`;
        seq += 1;
        const [t] = await tx.query<{ id: string }>(
          `INSERT INTO terminals (org_id, serial_number, vendor, model, lifecycle_state, created_at, updated_at) VALUES ($1, $2, $3, $4, 'in_stock', $5, $5)
           ON CONFLICT (org_id, serial_number) DO NOTHING RETURNING id`,
          [orgId, serial, m.vendor, m.model, now],
        );
        if (!t) continue;
        await tx.query("INSERT INTO terminal_state_history (org_id, terminal_id, from_state, to_state, reason, actor_name, at) VALUES ($1, $2, NULL, 'in_stock', 'demo spare', 'demo', $3)", [orgId, t.id, now]);
        await tx.query(
          "INSERT INTO terminal_custody (org_id, terminal_id, at, holder_kind, holder_id, holder_label, lifecycle_to, actor, note) VALUES ($1, $2, $3, 'depot', $4, $5, 'in_stock', 'demo', 'spare terminal')",
          [orgId, t.id, now, depotIds[depotIndex], `${DEPOTS[depotIndex]!.code} ${DEPOTS[depotIndex]!.name}`],
        );
      }
    }
  });
}
