import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AlertAck,
  AlertDetail,
  AlertPage,
  AlertQuery,
  AlertRow,
  AlertRulePreview,
  AlertRulePreviewResult,
  AlertRuleRow,
  AlertRuleSave,
  IdParams,
  MaintenanceCreate,
  MaintenanceRow,
  RULE_CODE,
  SilenceCreate,
  SilenceRow,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { AlertService } from './service.js';

const tags = ['alerts'];
const CodeParams = z.object({ code: z.string().regex(RULE_CODE) });

export const alertRoutes =
  (svc: AlertService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/alerts', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'Alerts: open ones first, most severe first; suppressed ones on request', querystring: AlertQuery, response: { 200: AlertPage } },
      handler: (req) => svc.list(requireActor(req), req.query, req.lang),
    });
    app.get('/alerts/:id', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'An alert with its members, timeline and rule', params: IdParams, response: { 200: AlertDetail } },
      handler: (req) => svc.get(requireActor(req), req.params.id, req.lang),
    });
    app.post('/alerts/:id/ack', {
      config: { permission: 'alerts:manage' },
      schema: { tags, summary: 'Acknowledge an alert: stops its escalation; it still resolves by itself', params: IdParams, body: AlertAck, response: { 200: AlertRow } },
      handler: (req) => svc.acknowledge(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/alerts/:id/diagnose', {
      config: { permission: 'diagnosis:run' },
      schema: { tags, summary: "Diagnose the alert's terminal (a group alert: its first active member) now", params: IdParams, response: { 200: AlertRow } },
      handler: (req) => svc.diagnose(requireActor(req), req.params.id, req.lang),
    });

    app.get('/alert-rules', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "The organization's rules in force: shipped defaults and its own versions", response: { 200: z.array(AlertRuleRow) } },
      handler: (req) => svc.rules(requireActor(req)),
    });
    app.get('/alert-rules/:code/versions', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "A rule's versions, newest first", params: CodeParams, response: { 200: z.array(AlertRuleRow) } },
      handler: (req) => svc.versions(requireActor(req), req.params.code),
    });
    app.put('/alert-rules/:code', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Save a new version of a rule (or a new rule)', params: CodeParams, body: AlertRuleSave, response: { 200: AlertRuleRow } },
      handler: (req) => svc.saveRule(requireActor(req), req.params.code, req.body.definition, req.body.comment),
    });
    app.post('/alert-rules/preview', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'What a rule would have raised on the stored data of the last hours', body: AlertRulePreview, response: { 200: AlertRulePreviewResult } },
      handler: (req) => svc.preview(requireActor(req), req.body.definition, req.body.hours),
    });

    app.get('/silences', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'Silences, active and recently ended', response: { 200: z.array(SilenceRow) } },
      handler: (req) => svc.silences(requireActor(req)),
    });
    app.post('/silences', {
      config: { permission: 'alerts:manage' },
      schema: { tags, summary: 'Silence matching alerts until a time (they are still recorded, nobody is notified)', body: SilenceCreate, response: { 201: SilenceRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.createSilence(requireActor(req), req.body)),
    });
    app.delete('/silences/:id', {
      config: { permission: 'alerts:manage' },
      schema: { tags, summary: 'End a silence now', params: IdParams, response: { 200: SilenceRow } },
      handler: (req) => svc.expireSilence(requireActor(req), req.params.id),
    });
    app.get('/maintenance-windows', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'Maintenance windows, current, planned and recently ended', response: { 200: z.array(MaintenanceRow) } },
      handler: (req) => svc.maintenance(requireActor(req)),
    });
    app.post('/maintenance-windows', {
      config: { permission: 'alerts:manage' },
      schema: { tags, summary: "Plan maintenance for a site or a terminal: its alerts are suppressed while it lasts", body: MaintenanceCreate, response: { 201: MaintenanceRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.createMaintenance(requireActor(req), req.body)),
    });
    app.delete('/maintenance-windows/:id', {
      config: { permission: 'alerts:manage' },
      schema: { tags, summary: 'End a maintenance window now', params: IdParams, response: { 200: MaintenanceRow } },
      handler: (req) => svc.endMaintenance(requireActor(req), req.params.id),
    });
  };
