import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeviceEventRow, DeviceTxnRow, FleetOverview, IdParams, TelemetryPoint, TerminalLive } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { FleetService } from './service.js';

const tags = ['fleet'];

export const fleetRoutes =
  (svc: FleetService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/overview', {
      config: { permission: 'fleet:read' },
      schema: { tags, summary: 'Terminals in service by status, with the worst merchants, sites, models and versions', response: { 200: FleetOverview } },
      handler: (req) => svc.overview(requireActor(req)) as Promise<FleetOverview>,
    });
    app.get('/terminals/:id/live', {
      config: { permission: 'fleet:read' },
      schema: { tags, params: IdParams, response: { 200: TerminalLive } },
      handler: async (req) => (await svc.live(requireActor(req), req.params.id)) as TerminalLive,
    });
    app.get('/terminals/:id/telemetry', {
      config: { permission: 'fleet:read' },
      schema: {
        tags,
        summary: 'Chart series per minute (from the raw samples) or per hour (from the hour roll-ups)',
        params: IdParams,
        querystring: z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional(), resolution: z.enum(['minute', 'hour']).default('minute') }),
        response: { 200: z.array(TelemetryPoint) },
      },
      handler: (req) => {
        const to = req.query.to ?? new Date();
        const from = req.query.from ?? new Date(to.getTime() - (req.query.resolution === 'hour' ? 7 * 24 : 24) * 3_600_000);
        return svc.series(requireActor(req), req.params.id, { from, to, resolution: req.query.resolution });
      },
    });
    const Limit = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
    app.get('/terminals/:id/events', {
      config: { permission: 'fleet:read' },
      schema: { tags, params: IdParams, querystring: Limit, response: { 200: z.array(DeviceEventRow) } },
      handler: (req) => svc.events(requireActor(req), req.params.id, req.query.limit),
    });
    app.get('/terminals/:id/transactions', {
      config: { permission: 'fleet:read' },
      schema: { tags, params: IdParams, querystring: Limit, response: { 200: z.array(DeviceTxnRow) } },
      handler: (req) => svc.transactions(requireActor(req), req.params.id, req.query.limit),
    });
  };
