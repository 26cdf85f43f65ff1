/**
 * Security headers of every answer (set by @fastify/helmet): a Content-Security-Policy the console
 * and the API browser live within, no sniffing, no framing, no referrer beyond the origin; HSTS only
 * on answers that went out over HTTPS (directly or behind a trusted proxy), where it means something.
 */
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

export function installHsts(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}
