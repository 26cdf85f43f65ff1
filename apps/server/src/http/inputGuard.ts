/**
 * The one guard every API request passes before its schema is checked: no string may hold a card
 * number or track data (in any disguise, see @poscare/contracts cardData.ts), a NUL byte, or nest
 * deeper than any PosCare document does. It looks at the JSON body, the query string and the path
 * parameters, and at multipart text fields through `assertCleanInput` where a route reads them.
 * A refusal names the field, in the caller's language, and never repeats the value.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findInStrings, MAX_INPUT_DEPTH, stringHasCardData } from '@poscare/contracts';
import { AppError, type FieldProblem } from '../errors/errors.js';

type Problem = 'card_data' | 'nul_byte' | 'too_deep';

const ID: Record<Problem, FieldProblem['id']> = {
  card_data: 'input.card_data',
  nul_byte: 'input.nul_byte',
  too_deep: 'input.too_deep',
};

/** The first problem in a value of any shape, with the path of the field (the walk is `findInStrings` of contracts: no recursion, keys named by their place). */
export function inputProblem(value: unknown, prefix: string): { path: string; problem: Problem } | null {
  return findInStrings<Problem>(value, stringProblem, { prefix, maxDepth: MAX_INPUT_DEPTH, tooDeep: 'too_deep' });
}

function stringProblem(s: string): Problem | null {
  if (s.includes('\u0000')) return 'nul_byte';
  if (stringHasCardData(s)) return 'card_data';
  return null;
}

export function inputError(path: string, problem: Problem): AppError {
  return new AppError(problem === 'card_data' ? 'validation.card_data' : 'validation.failed', 400, {}, [{ path, id: ID[problem], params: { field: path.split('.').pop() } }]);
}

/** Throws the field's problem, if any: for values a route reads itself (multipart text fields, stored headers). */
export function assertCleanInput(value: unknown, path: string): void {
  const hit = inputProblem(value, path);
  if (hit) throw inputError(hit.path, hit.problem);
}

/**
 * A request header PosCare keeps (the browser's name for a remembered device): kept only when it holds
 * no card data and no NUL, and cut to `max` characters. A header is not the person's input to correct,
 * so it is dropped rather than refused.
 */
export function storableHeader(value: string | string[] | undefined, max = 200): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || inputProblem(v, 'header')) return null;
  return v.slice(0, max);
}

function checkRequest(req: FastifyRequest): void {
  for (const [where, value] of [['params', req.params], ['query', req.query], ['body', req.body]] as const) {
    if (value === undefined || value === null) continue;
    const hit = inputProblem(value, where);
    if (hit) throw inputError(hit.path, hit.problem);
  }
}

export function installInputGuard(app: FastifyInstance): void {
  // preValidation: the body is parsed, nothing has looked at it yet. The device channel has its own
  // checks, which record the refusal in the rejected-message log.
  // A callback, not an async function: no promise per request for a check that never waits.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.url.startsWith('/device/')) return done();
    try {
      checkRequest(req);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
}
