/**
 * Spare parts and consumables: depots, the parts catalogue, stock per depot and part. Every change of
 * stock is a stock_movements row (who, when, why) written in the same transaction as the change, and
 * stock never goes under zero: a decrement only applies when enough is there.
 */
import type { z } from 'zod';
import type {
  Depot,
  DepotInput,
  DepotUpdate,
  Language,
  MovementQuery,
  Part,
  PartInput,
  PartUpdate,
  StockAdjust,
  StockMovement,
  StockQuery,
  StockReceive,
  StockRow,
  StockTransfer,
} from '@poscare/contracts';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import { audit, iso, notFound, num, refuseCardData, type Row, str } from './shared.js';

type Reason = StockMovement['reason'];

export interface Movement {
  depotId: string;
  partId: string;
  delta: number;
  reason: Reason;
  workOrderId?: string | null;
  ticketId?: string | null;
  note?: string | null;
}

const partName = (name: unknown, lang: Language) => {
  const n = (name ?? {}) as Record<string, string>;
  return n[lang] || n['zh-CN'] || n['en-US'] || '';
};

/**
 * Applies one stock change and records it. A negative change only applies when the depot holds enough;
 * otherwise nothing changes and the caller gets a 409 saying how many are there.
 */
export async function moveStock(tx: RawTx, actor: Actor, m: Movement, at: Date, lang: Language): Promise<number> {
  let quantity: number | undefined;
  if (m.delta >= 0) {
    const [r] = await tx.query<{ quantity: number }>(
      `INSERT INTO part_stock (org_id, depot_id, part_id, quantity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (depot_id, part_id) DO UPDATE SET quantity = part_stock.quantity + EXCLUDED.quantity RETURNING quantity`,
      [actor.orgId, m.depotId, m.partId, m.delta],
    );
    quantity = r?.quantity;
  } else {
    const [r] = await tx.query<{ quantity: number }>(
      'UPDATE part_stock SET quantity = quantity + $3 WHERE depot_id = $1 AND part_id = $2 AND quantity >= $4 RETURNING quantity',
      [m.depotId, m.partId, m.delta, -m.delta],
    );
    if (!r) {
      const [have] = await tx.query<Row>(
        `SELECT coalesce(s.quantity, 0) AS quantity, p.name, p.unit, p.sku, d.code AS depot FROM parts p JOIN depots d ON d.id = $1
           LEFT JOIN part_stock s ON s.depot_id = d.id AND s.part_id = p.id WHERE p.id = $2`,
        [m.depotId, m.partId],
      );
      throw new AppError('parts.insufficient_stock', 409, {
        part: have ? `${partName(have.name, lang)} (${str(have.sku)})` : m.partId,
        depot: str(have?.depot) ?? '',
        available: num(have?.quantity),
        requested: -m.delta,
        unit: str(have?.unit) ?? '',
      });
    }
    quantity = r.quantity;
  }
  await tx.query(
    `INSERT INTO stock_movements (org_id, depot_id, part_id, delta, reason, work_order_id, ticket_id, actor, actor_id, note, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [actor.orgId, m.depotId, m.partId, m.delta, m.reason, m.workOrderId ?? null, m.ticketId ?? null, actor.name, authorId(actor), m.note ?? null, at],
  );
  return Number(quantity ?? 0);
}

export async function depotRow(tx: RawTx, orgId: string, id: string): Promise<Row> {
  const [d] = await tx.query<Row>('SELECT * FROM depots WHERE id = $1 AND org_id = $2', [id, orgId]);
  if (!d) throw notFound('parts.depot_not_found');
  return d;
}

export async function partRow(tx: RawTx, orgId: string, id: string): Promise<Row> {
  const [p] = await tx.query<Row>('SELECT * FROM parts WHERE id = $1 AND org_id = $2', [id, orgId]);
  if (!p) throw notFound('parts.part_not_found');
  return p;
}

const STOCK_SELECT = `SELECT d.id AS depot_id, d.code AS depot_code, d.name AS depot_name, p.id AS part_id, p.sku, p.kind, p.name, p.unit, p.reorder_level,
  coalesce(s.quantity, 0) AS quantity
  FROM depots d CROSS JOIN parts p LEFT JOIN part_stock s ON s.depot_id = d.id AND s.part_id = p.id`;

function presentStock(r: Row, lang: Language): StockRow {
  const quantity = num(r.quantity);
  const reorderLevel = num(r.reorder_level);
  return {
    depotId: r.depot_id as string,
    depotCode: r.depot_code as string,
    depotName: r.depot_name as string,
    partId: r.part_id as string,
    sku: r.sku as string,
    kind: r.kind as StockRow['kind'],
    name: partName(r.name, lang),
    unit: r.unit as string,
    quantity,
    reorderLevel,
    low: quantity <= reorderLevel,
  };
}

export class PartsService {
  constructor(private readonly ctx: AppContext) {}

  // ---- depots

  async depots(actor: Actor): Promise<{ items: Depot[] }> {
    assertCan(actor, 'parts:read');
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>(
        `SELECT d.*,
            (SELECT count(*)::int FROM parts p LEFT JOIN part_stock s ON s.part_id = p.id AND s.depot_id = d.id
              WHERE p.org_id = d.org_id AND coalesce(s.quantity, 0) <= p.reorder_level) AS low_stock,
            (SELECT count(*)::int FROM terminals t WHERE t.org_id = d.org_id AND t.lifecycle_state = 'in_stock'
              AND (SELECT c.holder_kind || ':' || coalesce(c.holder_id, '') FROM terminal_custody c WHERE c.terminal_id = t.id ORDER BY c.at DESC, c.id DESC LIMIT 1) = 'depot:' || d.id::text) AS spare_terminals
           FROM depots d WHERE d.org_id = $1 ORDER BY d.code`,
        [actor.orgId],
      ),
    );
    return { items: rows.map(presentDepot) };
  }

  async createDepot(actor: Actor, body: z.infer<typeof DepotInput>): Promise<Depot> {
    assertCan(actor, 'parts:manage');
    const now = this.ctx.clock.now();
    const id = await this.ctx.db
      .rawTransaction(async (tx) => {
        const [r] = await tx.query<{ id: string }>('INSERT INTO depots (org_id, code, name, address, region, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [
          actor.orgId,
          body.code,
          body.name,
          body.address ?? null,
          body.region ?? null,
          now,
        ]);
        await audit(tx, actor, actor.orgId, { action: 'create', entity: 'depot', entityId: r!.id, after: body }, now);
        return r!.id;
      })
      .catch(dupe('parts.depot_code_taken', { code: body.code }));
    return (await this.depots(actor)).items.find((d) => d.id === id)!;
  }

  async updateDepot(actor: Actor, id: string, body: z.infer<typeof DepotUpdate>): Promise<Depot> {
    assertCan(actor, 'parts:manage');
    const now = this.ctx.clock.now();
    await this.ctx.db
      .rawTransaction(async (tx) => {
        const before = await depotRow(tx, actor.orgId, id);
        await tx.query('UPDATE depots SET code = $2, name = $3, address = $4, region = $5 WHERE id = $1', [
          id,
          body.code ?? before.code,
          body.name ?? before.name,
          body.address === undefined ? before.address : body.address,
          body.region === undefined ? before.region : body.region,
        ]);
        await audit(tx, actor, actor.orgId, { action: 'update', entity: 'depot', entityId: id, before: { code: before.code, name: before.name, address: before.address, region: before.region }, after: body }, now);
      })
      .catch(dupe('parts.depot_code_taken', { code: body.code }));
    return (await this.depots(actor)).items.find((d) => d.id === id)!;
  }

  // ---- catalogue

  async parts(actor: Actor): Promise<{ items: Part[] }> {
    assertCan(actor, 'parts:read');
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<Row>('SELECT p.*, (SELECT coalesce(sum(quantity), 0)::int FROM part_stock s WHERE s.part_id = p.id) AS on_hand FROM parts p WHERE p.org_id = $1 ORDER BY p.kind, p.sku', [actor.orgId]),
    );
    return { items: rows.map(presentPart) };
  }

  async createPart(actor: Actor, body: z.infer<typeof PartInput>): Promise<Part> {
    assertCan(actor, 'parts:manage');
    const now = this.ctx.clock.now();
    const id = await this.ctx.db
      .rawTransaction(async (tx) => {
        const [r] = await tx.query<{ id: string }>('INSERT INTO parts (org_id, sku, kind, name, unit, reorder_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id', [
          actor.orgId,
          body.sku,
          body.kind,
          JSON.stringify(body.name),
          body.unit,
          body.reorderLevel,
          now,
        ]);
        await audit(tx, actor, actor.orgId, { action: 'create', entity: 'part', entityId: r!.id, after: body }, now);
        return r!.id;
      })
      .catch(dupe('parts.sku_taken', { sku: body.sku }));
    return (await this.parts(actor)).items.find((p) => p.id === id)!;
  }

  async updatePart(actor: Actor, id: string, body: z.infer<typeof PartUpdate>): Promise<Part> {
    assertCan(actor, 'parts:manage');
    const now = this.ctx.clock.now();
    await this.ctx.db.rawTransaction(async (tx) => {
      const before = await partRow(tx, actor.orgId, id);
      const name = { ...(before.name as Record<string, string>), ...Object.fromEntries(Object.entries(body.name ?? {}).filter(([, v]) => v && v.trim())) };
      await tx.query('UPDATE parts SET kind = $2, name = $3, unit = $4, reorder_level = $5 WHERE id = $1', [
        id,
        body.kind ?? before.kind,
        JSON.stringify(name),
        body.unit ?? before.unit,
        body.reorderLevel ?? before.reorder_level,
      ]);
      await audit(tx, actor, actor.orgId, { action: 'update', entity: 'part', entityId: id, before: { kind: before.kind, name: before.name, unit: before.unit, reorderLevel: before.reorder_level }, after: body }, now);
    });
    return (await this.parts(actor)).items.find((p) => p.id === id)!;
  }

  // ---- stock

  async stock(actor: Actor, q: z.infer<typeof StockQuery>, lang: Language): Promise<{ items: StockRow[]; total: number }> {
    assertCan(actor, 'parts:read');
    const where = ['d.org_id = $1', 'p.org_id = $1'];
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (q.depotId) where.push(`d.id = ${p(q.depotId)}`);
    if (q.kind) where.push(`p.kind = ${p(q.kind)}`);
    if (q.low === 'true') where.push('coalesce(s.quantity, 0) <= p.reorder_level');
    if (q.q) {
      const like = p(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
      where.push(`(p.sku ILIKE ${like} OR p.name->>'zh-CN' ILIKE ${like} OR p.name->>'en-US' ILIKE ${like})`);
    }
    return this.ctx.db.rawTransaction(async (tx) => {
      // Low stock first, so what needs reordering is on the first page.
      const rows = await tx.query<Row>(
        `${STOCK_SELECT} WHERE ${where.join(' AND ')} ORDER BY (coalesce(s.quantity, 0) <= p.reorder_level) DESC, d.code, p.kind, p.sku LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      );
      const [n] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM depots d CROSS JOIN parts p LEFT JOIN part_stock s ON s.depot_id = d.id AND s.part_id = p.id WHERE ${where.join(' AND ')}`,
        params,
      );
      return { items: rows.map((r) => presentStock(r, lang)), total: num(n?.n) };
    });
  }

  async receive(actor: Actor, body: z.infer<typeof StockReceive>, lang: Language) {
    assertCan(actor, 'parts:manage');
    refuseCardData({ note: body.note });
    return this.change(actor, lang, async (tx, now) => {
      await depotRow(tx, actor.orgId, body.depotId);
      await partRow(tx, actor.orgId, body.partId);
      await moveStock(tx, actor, { depotId: body.depotId, partId: body.partId, delta: body.quantity, reason: 'receive', note: body.note ?? null }, now, lang);
      await audit(tx, actor, actor.orgId, { action: 'stock_receive', entity: 'part', entityId: body.partId, after: body }, now);
      return [[body.depotId, body.partId]];
    });
  }

  /** Both movements in one transaction: the stock is never in two places, nor in none. */
  async transfer(actor: Actor, body: z.infer<typeof StockTransfer>, lang: Language) {
    assertCan(actor, 'parts:manage');
    refuseCardData({ note: body.note });
    if (body.fromDepotId === body.toDepotId) throw errors.validation([{ path: 'body.toDepotId', id: 'parts.same_depot' }]);
    return this.change(actor, lang, async (tx, now) => {
      const from = await depotRow(tx, actor.orgId, body.fromDepotId);
      const to = await depotRow(tx, actor.orgId, body.toDepotId);
      await partRow(tx, actor.orgId, body.partId);
      const note = body.note ? `${from.code} → ${to.code}: ${body.note}` : `${from.code} → ${to.code}`;
      await moveStock(tx, actor, { depotId: body.fromDepotId, partId: body.partId, delta: -body.quantity, reason: 'transfer_out', note }, now, lang);
      await moveStock(tx, actor, { depotId: body.toDepotId, partId: body.partId, delta: body.quantity, reason: 'transfer_in', note }, now, lang);
      await audit(tx, actor, actor.orgId, { action: 'stock_transfer', entity: 'part', entityId: body.partId, after: body }, now);
      return [
        [body.fromDepotId, body.partId],
        [body.toDepotId, body.partId],
      ];
    });
  }

  async adjust(actor: Actor, body: z.infer<typeof StockAdjust>, lang: Language) {
    assertCan(actor, 'parts:manage');
    refuseCardData({ note: body.note });
    return this.change(actor, lang, async (tx, now) => {
      await depotRow(tx, actor.orgId, body.depotId);
      await partRow(tx, actor.orgId, body.partId);
      await moveStock(tx, actor, { depotId: body.depotId, partId: body.partId, delta: body.delta, reason: 'adjust', note: body.note }, now, lang);
      await audit(tx, actor, actor.orgId, { action: 'stock_adjust', entity: 'part', entityId: body.partId, after: body }, now);
      return [[body.depotId, body.partId]];
    });
  }

  async movements(actor: Actor, q: z.infer<typeof MovementQuery>, lang: Language): Promise<{ items: StockMovement[]; total: number }> {
    assertCan(actor, 'parts:read');
    const where = ['m.org_id = $1'];
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (q.depotId) where.push(`m.depot_id = ${p(q.depotId)}`);
    if (q.partId) where.push(`m.part_id = ${p(q.partId)}`);
    if (q.workOrderId) where.push(`m.work_order_id = ${p(q.workOrderId)}`);
    if (q.reason) where.push(`m.reason = ${p(q.reason)}`);
    return this.ctx.db.rawTransaction(async (tx) => {
      const rows = await tx.query<Row>(
        `SELECT m.*, d.code AS depot_code, p.sku, p.name, w.number AS work_order_number FROM stock_movements m
           JOIN depots d ON d.id = m.depot_id JOIN parts p ON p.id = m.part_id LEFT JOIN work_orders w ON w.id = m.work_order_id
          WHERE ${where.join(' AND ')} ORDER BY m.at DESC, m.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      );
      const [n] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_movements m WHERE ${where.join(' AND ')}`, params);
      return { items: rows.map((r) => presentMovement(r, lang)), total: num(n?.n) };
    });
  }

  /** Runs a stock change and answers with the stock of the depot(s) and part it touched. */
  private async change(actor: Actor, lang: Language, fn: (tx: RawTx, now: Date) => Promise<string[][]>): Promise<{ items: StockRow[] }> {
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const touched = await fn(tx, now);
      const items: StockRow[] = [];
      for (const [depotId, partId] of touched) {
        const [r] = await tx.query<Row>(`${STOCK_SELECT} WHERE d.id = $1 AND p.id = $2`, [depotId, partId]);
        if (r) items.push(presentStock(r, lang));
      }
      return { items };
    });
  }
}

function dupe(id: 'parts.sku_taken' | 'parts.depot_code_taken', params: Record<string, unknown>) {
  return (err: unknown): never => {
    const e = (err as { cause?: unknown }).cause ?? err;
    if ((e as { code?: string }).code === '23505') {
      const field = id === 'parts.sku_taken' ? 'body.sku' : 'body.code';
      throw new AppError(id, 409, params, [{ path: field, id, params }]);
    }
    throw err;
  };
}

function presentDepot(r: Row): Depot {
  return {
    id: r.id as string,
    code: r.code as string,
    name: r.name as string,
    address: str(r.address),
    region: str(r.region),
    lowStock: num(r.low_stock),
    spareTerminals: num(r.spare_terminals),
    createdAt: iso(r.created_at)!,
  };
}

function presentPart(r: Row): Part {
  const name = (r.name ?? {}) as Record<string, string>;
  return {
    id: r.id as string,
    sku: r.sku as string,
    kind: r.kind as Part['kind'],
    name: { 'zh-CN': name['zh-CN'] ?? '', 'en-US': name['en-US'] ?? '' },
    unit: r.unit as string,
    reorderLevel: num(r.reorder_level),
    onHand: num(r.on_hand),
    createdAt: iso(r.created_at)!,
  };
}

function presentMovement(r: Row, lang: Language): StockMovement {
  return {
    id: num(r.id),
    depotId: r.depot_id as string,
    depotCode: r.depot_code as string,
    partId: r.part_id as string,
    sku: r.sku as string,
    name: partName(r.name, lang),
    delta: num(r.delta),
    reason: r.reason as Reason,
    workOrderId: str(r.work_order_id),
    workOrderNumber: str(r.work_order_number),
    ticketId: str(r.ticket_id),
    actor: str(r.actor),
    note: str(r.note),
    at: iso(r.at)!,
  };
}

export { partName };
