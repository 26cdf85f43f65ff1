import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CommandRequest, CommandRow, IdParams } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { CommandService } from './service.js';

const tags = ['commands'];

export const commandRoutes =
  (svc: CommandService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/terminals/:id/commands', {
      config: { permission: 'devices:command' },
      schema: {
        tags,
        summary: 'Send a remote command to a terminal (MQTT now, or in the answer to its next HTTPS batch)',
        params: IdParams,
        body: CommandRequest,
        response: { 201: CommandRow },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.send(requireActor(req), req.params.id, req.body)),
    });
    app.get('/terminals/:id/commands', {
      config: { permission: 'fleet:read' },
      schema: { tags, summary: "A terminal's commands, newest first, with the status the terminal acknowledged", params: IdParams, response: { 200: z.array(CommandRow) } },
      handler: (req) => svc.list(requireActor(req), req.params.id),
    });
  };
