/** The field-service services, built once per process (app.ts) and handed to the routes. */
import type { AppContext } from '../platform/context.js';
import { CustodyService } from './custody.js';
import { PartsService } from './parts.js';
import type { FieldworkServices } from './routes.js';
import { SwapService } from './swaps.js';
import { WorkOrderService } from './workOrders.js';

export { fieldworkRoutes, type FieldworkServices } from './routes.js';

export function createFieldworkServices(ctx: AppContext): FieldworkServices {
  return { workOrders: new WorkOrderService(ctx), parts: new PartsService(ctx), swaps: new SwapService(ctx), custody: new CustodyService(ctx) };
}
