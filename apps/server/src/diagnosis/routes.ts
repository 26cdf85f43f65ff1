import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DiagnosisCase, DiagnosisResult, IdParams, Symptom, TerminalDiagnosis, TerminalDiagnosisRequest, TroubleshootAnswer, TroubleshootRequest } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { DiagnosisService } from './service.js';

const tags = ['diagnosis'];

export const diagnosisRoutes =
  (svc: DiagnosisService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/diagnoses', {
      config: { permission: 'diagnosis:run' },
      schema: {
        tags,
        summary: 'Diagnose a case given in full (poscare.diagnosis-case/v1): ranked root causes with evidence and actions',
        body: DiagnosisCase,
        response: { 200: DiagnosisResult },
      },
      handler: (req) => svc.run(requireActor(req), req.body),
    });
    app.post('/terminals/:id/diagnosis', {
      config: { permission: 'diagnosis:run' },
      schema: {
        tags,
        summary: "Diagnose a terminal from what PosCare stores (telemetry, events, transactions, site, fleet, card), plus what a person reports",
        params: IdParams,
        body: TerminalDiagnosisRequest,
        response: { 200: TerminalDiagnosis },
      },
      handler: (req) => svc.terminal(requireActor(req), req.params.id, req.body ?? {}, req.lang),
    });
    app.get('/troubleshooter/symptoms', {
      config: { permission: 'diagnosis:run' },
      schema: { tags, summary: 'Where the guided troubleshooter starts: the symptoms a merchant can pick', response: { 200: z.array(Symptom) } },
      handler: (req) => svc.symptoms(requireActor(req), req.lang),
    });
    app.post('/terminals/:id/troubleshoot', {
      config: { permission: 'diagnosis:run' },
      schema: {
        tags,
        summary: 'Next step of the guided troubleshooter: a question, a safe self-fix, resolved, or escalate to support',
        params: IdParams,
        body: TroubleshootRequest,
        response: { 200: TroubleshootAnswer },
      },
      handler: (req) => svc.troubleshoot(requireActor(req), req.params.id, req.body, req.lang),
    });
  };
