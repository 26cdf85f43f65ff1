/**
 * `POST /api/v1/risk/decide` as payment systems call it, before every payment: the lean route of
 * decision 016. It passes the same gate, guard and hooks as every API route (the API token and its
 * permission, the organization from the token, crossing sites refused, the caller's language, the
 * second-factor gate, the input guard's refusal of card numbers, request metrics), and saves what
 * profiling found rebuilt on every request for nothing:
 *   - security headers: helmet assembles them anew for each request; here they are worked out once
 *     (http/securityHeaders.ts) and set on every answer, refusals included (onSend);
 *   - validation: a hand check, written from `RiskDecideRequest`, accepts the usual well-formed body as
 *     it is; anything else goes to the zod validator every route uses, which refuses it with the usual
 *     errors (or accepts it, trimmed), so the outcome is always the schema's;
 *   - serialisation: the typed answer through JSON.stringify (its keys are already in the schema's
 *     order) instead of the zod encoder.
 * The OpenAPI document describes the route from the same schemas.
 */
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { regexes } from 'zod/v4/core';
import { RiskDecideAnswer, RiskDecideRequest, TXN_RECORD_ENTRY_MODES } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { securityHeaders } from '../http/securityHeaders.js';
import type { RiskService } from './service.js';

const JSON_TYPE = 'application/json; charset=utf-8';

// What the schema's fields check (contracts risk.ts): Id is z.string().uuid(), `at` z.iso.datetime({ offset: true }).
const UUID = regexes.uuid();
const DATETIME = regexes.datetime({ offset: true });
const KEYS = new Set(['terminalId', 'tid', 'cardToken', 'amountMinor', 'entryMode', 'at']);
const ENTRY_MODES = new Set<string>(TXN_RECORD_ENTRY_MODES);

/** A string the schema's `.trim().min(1).max(max)` keeps as it is. */
const plainWithin = (v: unknown, max: number): boolean => typeof v === 'string' && v.length >= 1 && v.length <= max && v.trim() === v;

/**
 * The body itself when `RiskDecideRequest` would accept it unchanged (no unknown key, nothing to trim);
 * otherwise null, and the schema decides. It never accepts what the schema refuses (tested against it).
 */
export function quickDecideRequest(body: unknown): RiskDecideRequest | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  for (const k in b) if (!KEYS.has(k)) return null;
  if (b.terminalId !== undefined && !(typeof b.terminalId === 'string' && UUID.test(b.terminalId))) return null;
  if (b.tid !== undefined && !plainWithin(b.tid, 32)) return null;
  if (!b.terminalId && !b.tid) return null;
  if (b.cardToken !== undefined && !plainWithin(b.cardToken, 128)) return null;
  if (!(Number.isSafeInteger(b.amountMinor) && (b.amountMinor as number) >= 0)) return null;
  if (!(typeof b.entryMode === 'string' && ENTRY_MODES.has(b.entryMode))) return null;
  if (!(typeof b.at === 'string' && DATETIME.test(b.at))) return null;
  return b as RiskDecideRequest;
}

type Validation = { value?: unknown; error?: Error };

export function decideRouteOptions(svc: RiskService, summary: string): RouteShorthandOptions & { handler: (req: FastifyRequest, reply: FastifyReply) => Promise<string> } {
  const headers = securityHeaders();
  const names = Object.keys(headers);
  const schemaCheck = validatorCompiler({ schema: RiskDecideRequest } as never) as (data: unknown) => Validation;
  return {
    config: { permission: 'risk:decide' },
    // Its headers are set below, the same ones, worked out once.
    helmet: false,
    schema: { tags: ['risk'], summary, body: RiskDecideRequest, response: { 200: RiskDecideAnswer } },
    validatorCompiler: () => (data: unknown) => {
      const quick = quickDecideRequest(data);
      return quick ? { value: quick } : schemaCheck(data);
    },
    onSend: (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload: unknown) => void) => {
      const raw = reply.raw;
      for (const name of names) raw.setHeader(name, headers[name]!);
      done(null, payload);
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const answer = await svc.decidePayment(requireActor(req), req.body as RiskDecideRequest, req.lang);
      reply.header('content-type', JSON_TYPE);
      return JSON.stringify(answer satisfies RiskDecideAnswer);
    },
  };
}
