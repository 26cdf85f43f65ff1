import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AssigneeList,
  ChecklistTick,
  CustodyChain,
  CustodyReturn,
  Depot,
  DepotInput,
  DepotList,
  DepotUpdate,
  IdParams,
  MovementPage,
  MovementQuery,
  Part,
  PartInput,
  PartList,
  PartUpdate,
  PartUse,
  PHOTO_MAX_BYTES,
  StockAdjust,
  StockChange,
  StockPage,
  StockQuery,
  StockReceive,
  StockTransfer,
  SwapCandidateList,
  SwapCreate,
  TerminalSwap,
  WorkOrderAssign,
  WorkOrderCreate,
  WorkOrderDetail,
  WorkOrderMove,
  WorkOrderPage,
  WorkOrderQuery,
  WorkOrderSignoffInput,
  WorkOrderUpdate,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { AppError } from '../errors/errors.js';
import type { CustodyService } from './custody.js';
import type { PartsService } from './parts.js';
import type { SwapService } from './swaps.js';
import type { WorkOrderService } from './workOrders.js';

export interface FieldworkServices {
  workOrders: WorkOrderService;
  parts: PartsService;
  swaps: SwapService;
  custody: CustodyService;
}

const wo = ['work orders'];
const stock = ['spare parts'];

export const fieldworkRoutes =
  ({ workOrders, parts, swaps, custody }: FieldworkServices): FastifyPluginAsyncZod =>
  async (app) => {
    // ---- work orders
    app.get('/work-orders', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: 'Work orders: open ones by the next visit first; assigneeId=me for "my work orders"', querystring: WorkOrderQuery, response: { 200: WorkOrderPage } },
      handler: (req) => workOrders.list(requireActor(req), req.query, req.lang),
    });
    app.get('/work-orders/assignees', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: 'Staff a work order can be assigned to (engineers first), with their open work orders', response: { 200: AssigneeList } },
      handler: (req) => workOrders.assignees(requireActor(req)),
    });
    app.post('/work-orders', {
      config: { permission: 'workorders:assign' },
      schema: {
        tags: wo,
        summary: 'Create a work order for an on-site visit, from a ticket or for a terminal; the checklist comes from the template of its kind and the ticket cause',
        body: WorkOrderCreate,
        response: { 201: WorkOrderDetail },
      },
      handler: async (req, reply) => reply.status(201).send(await workOrders.create(requireActor(req), req.body, req.lang)),
    });
    app.get('/work-orders/:id', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: 'A work order with the terminal, its recent history, the ticket diagnosis and plan, checklist, parts, photos and sign-off', params: IdParams, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.get(requireActor(req), req.params.id, req.lang),
    });
    app.patch('/work-orders/:id', {
      config: { permission: 'workorders:work' },
      schema: { tags: wo, summary: 'Notes (the engineer); instructions, address, time and depot (dispatchers)', params: IdParams, body: WorkOrderUpdate, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.update(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/work-orders/:id/status', {
      config: { permission: 'workorders:work' },
      schema: {
        tags: wo,
        summary: 'Move a work order: en route, on site, completed (needs sign-off, the required checklist items and an outcome), cancelled (needs a reason)',
        params: IdParams,
        body: WorkOrderMove,
        response: { 200: WorkOrderDetail },
      },
      handler: (req) => workOrders.move(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/work-orders/:id/assign', {
      config: { permission: 'workorders:assign' },
      schema: { tags: wo, summary: 'Assign the work order to another engineer (and reschedule)', params: IdParams, body: WorkOrderAssign, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.assign(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/work-orders/:id/checklist', {
      config: { permission: 'workorders:work' },
      schema: { tags: wo, summary: 'Tick (or untick) a checklist item; the time and who are recorded', params: IdParams, body: ChecklistTick, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.tick(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/work-orders/:id/parts', {
      config: { permission: 'workorders:work' },
      schema: { tags: wo, summary: 'Record parts used: taken from the depot stock in the same transaction; refused when not enough is in stock', params: IdParams, body: PartUse, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.useParts(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/work-orders/:id/photos', {
      config: { permission: 'workorders:work' },
      schema: {
        tags: wo,
        summary: `Upload a photo (multipart field "file"; JPEG, PNG or WebP, at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB)`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        querystring: z.object({ caption: z.string().trim().max(200).optional() }),
        response: { 201: WorkOrderDetail },
      },
      handler: async (req, reply) => {
        const actor = requireActor(req);
        await workOrders.assertPhotoTarget(actor, req.params.id, req.lang);
        const file = await receiveFile(req, { maxBytes: PHOTO_MAX_BYTES, tooLarge: () => new AppError('workorder.photo_too_large', 413, { limit: PHOTO_MAX_BYTES / 1024 / 1024 }) });
        if (!file) throw new AppError('workorder.photo_required', 400);
        const detail = await workOrders.addPhoto(actor, req.params.id, { bytes: file.bytes, caption: req.query.caption || null }, req.lang);
        return reply.status(201).send(detail);
      },
    });
    app.get('/work-order-photos/:id', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: 'A work order photo (the image itself), for signed-in staff of the organization', params: IdParams },
      handler: async (req, reply) => {
        const p = await workOrders.photo(requireActor(req), req.params.id);
        return reply.header('content-type', p.contentType).header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff').send(p.data);
      },
    });
    app.post('/work-orders/:id/signoff', {
      config: { permission: 'workorders:work' },
      schema: { tags: wo, summary: "The customer's sign-off on site: name and a signature drawn on the phone (PNG data URL)", params: IdParams, body: WorkOrderSignoffInput, response: { 200: WorkOrderDetail } },
      handler: (req) => workOrders.signoff(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.get('/work-orders/:id/swap-candidates', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: 'Spare terminals in stock for a replacement, those in the work order depot first', params: IdParams, response: { 200: SwapCandidateList } },
      handler: (req) => swaps.candidates(requireActor(req), req.params.id),
    });
    app.post('/work-orders/:id/swap', {
      config: { permission: 'workorders:work' },
      schema: {
        tags: wo,
        summary: 'Swap the terminal on site: old active → swapped_out (with the engineer), new in_stock → installed → active at the same site; the ticket follows the new terminal',
        params: IdParams,
        body: SwapCreate,
        response: { 201: TerminalSwap },
      },
      handler: async (req, reply) => reply.status(201).send(await swaps.swap(requireActor(req), req.params.id, req.body, req.lang)),
    });

    // ---- chain of custody
    app.get('/terminals/:id/custody', {
      config: { permission: 'workorders:read' },
      schema: { tags: wo, summary: "A terminal's chain of custody (depot, engineer, site) with lifecycle moves and swaps, oldest first", params: IdParams, response: { 200: CustodyChain } },
      handler: (req) => custody.chain(requireActor(req), req.params.id),
    });
    app.post('/terminals/:id/custody/return', {
      config: { permission: 'workorders:work' },
      schema: { tags: wo, summary: 'Hand a swapped-out terminal in at a depot for repair (swapped_out → in_repair)', params: IdParams, body: CustodyReturn, response: { 200: CustodyChain } },
      handler: (req) => custody.returnToDepot(requireActor(req), req.params.id, req.body, req.lang),
    });

    // ---- depots, parts, stock
    app.get('/depots', {
      config: { permission: 'parts:read' },
      schema: { tags: stock, summary: 'Depots with their low-stock count and spare terminals', response: { 200: DepotList } },
      handler: (req) => parts.depots(requireActor(req)),
    });
    app.post('/depots', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Create a depot', body: DepotInput, response: { 201: Depot } },
      handler: async (req, reply) => reply.status(201).send(await parts.createDepot(requireActor(req), req.body)),
    });
    app.patch('/depots/:id', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Change a depot', params: IdParams, body: DepotUpdate, response: { 200: Depot } },
      handler: (req) => parts.updateDepot(requireActor(req), req.params.id, req.body),
    });
    app.get('/parts', {
      config: { permission: 'parts:read' },
      schema: { tags: stock, summary: 'The parts catalogue with the quantity on hand over all depots', response: { 200: PartList } },
      handler: (req) => parts.parts(requireActor(req)),
    });
    app.post('/parts', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Add a part to the catalogue', body: PartInput, response: { 201: Part } },
      handler: async (req, reply) => reply.status(201).send(await parts.createPart(requireActor(req), req.body)),
    });
    app.patch('/parts/:id', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Change a part (name, unit, reorder level)', params: IdParams, body: PartUpdate, response: { 200: Part } },
      handler: (req) => parts.updatePart(requireActor(req), req.params.id, req.body),
    });
    app.get('/stock', {
      config: { permission: 'parts:read' },
      schema: { tags: stock, summary: 'Stock per depot and part; low stock (at or under the reorder level) first', querystring: StockQuery, response: { 200: StockPage } },
      handler: (req) => parts.stock(requireActor(req), req.query, req.lang),
    });
    app.post('/stock/receive', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Receive parts into a depot', body: StockReceive, response: { 200: StockChange } },
      handler: (req) => parts.receive(requireActor(req), req.body, req.lang),
    });
    app.post('/stock/transfer', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Move parts between depots (two movements in one transaction)', body: StockTransfer, response: { 200: StockChange } },
      handler: (req) => parts.transfer(requireActor(req), req.body, req.lang),
    });
    app.post('/stock/adjust', {
      config: { permission: 'parts:manage' },
      schema: { tags: stock, summary: 'Correct stock after a count, with a reason; never under zero', body: StockAdjust, response: { 200: StockChange } },
      handler: (req) => parts.adjust(requireActor(req), req.body, req.lang),
    });
    app.get('/stock/movements', {
      config: { permission: 'parts:read' },
      schema: { tags: stock, summary: 'Every stock change with who, when and why, newest first', querystring: MovementQuery, response: { 200: MovementPage } },
      handler: (req) => parts.movements(requireActor(req), req.query, req.lang),
    });
  };
