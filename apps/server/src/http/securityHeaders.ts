/**
 * Security headers of every answer (set by @fastify/helmet): a Content-Security-Policy the console
 * and the API browser live within, no sniffing, no framing, no referrer beyond the origin; HSTS only
 * on answers that went out over HTTPS (directly or behind a trusted proxy), where it means something.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Ant Design and ECharts write style attributes and <style> elements at run time.
  styleSrc: ["'self'", "'unsafe-inline'"],
  // Photos, signatures and pictures are shown from blob: and data: URLs made in the page.
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

export const HSTS = 'max-age=31536000; includeSubDomains';

/** How app.ts configures @fastify/helmet for every route. */
export const HELMET_OPTIONS = { contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY }, hsts: false, crossOriginEmbedderPolicy: false } as const;

let precomputed: Readonly<Record<string, string>> | undefined;

/**
 * The headers helmet sets with HELMET_OPTIONS, worked out once, for a route that lives outside the
 * helmet plugin (the lean risk/decide route, decision 016): helmet builds them again on every request.
 * The Content-Security-Policy comes from helmet's own function with our directives; the others are
 * helmet's defaults, and a test holds them equal to what an ordinary route sends.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  if (precomputed) return precomputed;
  const out: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => void (out[name.toLowerCase()] = value) };
  helmet.contentSecurityPolicy(HELMET_OPTIONS.contentSecurityPolicy)({} as never, res as never, () => {});
  precomputed = Object.freeze({
    ...out,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  });
  return precomputed;
}

export function installHsts(app: FastifyInstance): void {
  // A callback, not an async function: no promise per answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done(null, payload);
  });
}
