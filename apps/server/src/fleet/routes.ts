import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Timestamp } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { FleetService } from './service.js';

const tags = ['fleet'];
const Dim = z.array(z.object({ key: z.string().nullable(), label: z.string().nullable(), total: z.number().int(), offline: z.number().int(), degraded: z.number().int(), critical: z.number().int() }));
const Status = z.enum(['ok', 'degraded', 'critical', 'offline', 'never_seen']);

export const fleetRoutes =
  (svc: FleetService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/overview', {
      config: { permission: 'fleet:read' },
      schema: {
        tags,
        summary: 'Terminals in service by status, with the worst merchants, sites, models and versions',
        response: {
          200: z.object({
            at: Timestamp,
            inService: z.number().int(),
            status: z.record(z.string(), z.number().int()),
            reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
            byMerchant: Dim,
            bySite: Dim,
            byModel: Dim,
            byVersion: Dim,
          }),
        },
      },
      handler: (req) => svc.overview(requireActor(req)),
    });
    app.get('/terminals/:id/live', {
      config: { permission: 'fleet:read' },
      schema: {
        tags,
        params: IdParams,
        response: {
          200: z.object({
            terminalId: z.string(),
            status: Status,
            lastSeenAt: Timestamp.nullable(),
            lastTelemetryAt: Timestamp.nullable(),
            telemetry: z.record(z.string(), z.unknown()).nullable(),
            health: z.string().nullable(),
            healthReasons: z.array(z.string()),
            appVersion: z.string().nullable(),
            osVersion: z.string().nullable(),
          }),
        },
      },
      handler: async (req) => (await svc.live(requireActor(req), req.params.id)) as never,
    });
    app.get('/terminals/:id/telemetry', {
      config: { permission: 'fleet:read' },
      schema: {
        tags,
        summary: 'Chart series from the per-minute or per-hour roll-ups',
        params: IdParams,
        querystring: z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional(), resolution: z.enum(['minute', 'hour']).default('minute') }),
        response: {
          200: z.array(
            z.object({
              at: Timestamp, samples: z.number().int(), batteryPct: z.number().nullable(), tempC: z.number().nullable(), tempMaxC: z.number().nullable(),
              signalDbm: z.number().nullable(), latencyMs: z.number().nullable(), lossPct: z.number().nullable(),
              chipSuccess: z.number().nullable(), contactlessSuccess: z.number().nullable(), magstripeSuccess: z.number().nullable(),
            }),
          ),
        },
      },
      handler: (req) => {
        const to = req.query.to ?? new Date();
        const from = req.query.from ?? new Date(to.getTime() - (req.query.resolution === 'hour' ? 7 * 24 : 24) * 3_600_000);
        return svc.series(requireActor(req), req.params.id, { from, to, resolution: req.query.resolution });
      },
    });
    app.get('/terminals/:id/events', {
      config: { permission: 'fleet:read' },
      schema: { tags, params: IdParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), response: { 200: z.array(z.object({ at: Timestamp, type: z.string(), code: z.string().nullable(), message: z.string().nullable() })) } },
      handler: (req) => svc.events(requireActor(req), req.params.id, req.query.limit),
    });
    app.get('/terminals/:id/transactions', {
      config: { permission: 'fleet:read' },
      schema: {
        tags,
        params: IdParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: {
          200: z.array(
            z.object({
              at: Timestamp, id: z.string().nullable(), amountMinor: z.number().nullable(), currency: z.string().nullable(), entryMode: z.string(), outcome: z.string(),
              responseCode: z.string().nullable(), tvr: z.string().nullable(), tsi: z.string().nullable(), cardToken: z.string().nullable(), durationMs: z.number().nullable(),
            }),
          ),
        },
      },
      handler: (req) => svc.transactions(requireActor(req), req.params.id, req.query.limit),
    });
  };
