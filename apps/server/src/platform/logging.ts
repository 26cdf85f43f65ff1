/**
 * What PosCare's logs may hold. Requests are logged by route, never with their query string (a
 * search or a caption can carry what a person typed); errors never carry SQL parameters (drizzle
 * and pg put the values of a failed query into the error and its message); secrets are redacted.
 */
import pino, { type LoggerOptions } from 'pino';

/** The path of a URL without its query string. */
export const withoutQuery = (url: string | undefined) => (url ?? '').split('?')[0]!;

interface LoggedRequest {
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  ip?: string;
  socket?: { remoteAddress?: string };
}

const PARAM_KEYS = new Set(['params', 'parameters', 'values', 'query', 'sql', 'cause']);
/** drizzle's "Failed query: …\nparams: 1,2,3" and pg's "… parameters: …" tails (values may hold newlines: cut to the end). */
const PARAM_TEXT = /\n?\s*param(?:eter)?s?:[\s\S]*$/i;

function safeError(err: unknown, depth = 0): unknown {
  if (!err || typeof err !== 'object' || depth > 4) return err;
  const e = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!PARAM_KEYS.has(k)) out[k] = v;
  if (typeof e.message === 'string') out.message = e.message.replace(PARAM_TEXT, '');
  // The stack repeats the message: keep its first line as cleaned above and the frames only.
  if (typeof e.stack === 'string') out.stack = [`${String(e.type ?? 'Error')}: ${String(out.message ?? '')}`, ...e.stack.split('\n').filter((l) => /^\s+at /.test(l))].join('\n');
  const cause = (err as { cause?: unknown }).cause;
  if (cause) out.cause = safeError(cause, depth + 1);
  return out;
}

export const LOG_SERIALIZERS: NonNullable<LoggerOptions['serializers']> = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    // The route's pattern (/api/v1/tickets/:id) when known, else the path; never the query string.
    url: req.routeOptions?.url ?? withoutQuery(req.url),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  }),
  err: safeError,
  error: safeError,
};

/** Secrets never reach the log: cookies, tokens and passwords are redacted wherever they appear. */
export const LOG_REDACT: NonNullable<LoggerOptions['redact']> = {
  paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.passwordHash', '*.token', '*.secret', '*.totpSecret'],
  censor: '[redacted]',
};
