/**
 * Configuration comes from environment variables only, validated once at start into a typed object.
 * A bad value stops the process with a message that names the variable and what is expected.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isStrongPassword } from './auth/passwordPolicy.js';

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY next to addresses and CIDRs. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
function proxyEntryOk(e: string): boolean {
  if (PROXY_RANGES.includes(e)) return true;
  const [addr = '', bits, ...rest] = e.split('/');
  const family = isIP(addr);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * Which reverse proxies may tell the client's address in X-Forwarded-For. Unset: none (the socket's
 * address counts, so a forged header gains nothing). A number: that many proxy hops in front. Otherwise
 * a comma-separated list of addresses, CIDRs or loopback / linklocal / uniquelocal.
 */
const TrustProxy = z
  .string()
  .transform((s, ctx): number | string[] => {
    const v = s.trim();
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      if (n < 1 || n > 10) ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY as a hop count must be between 1 and 10' });
      return n;
    }
    const list = v.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = list.filter((e) => !proxyEntryOk(e));
    if (!list.length || bad.length) {
      ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be a hop count (1-10) or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1); not valid: ${bad.join(', ') || v}` });
    }
    return list;
  });

/** The installation key that encrypts second-factor secrets: 32 random bytes, base64 (`openssl rand -base64 32`). */
const SecretKey = z.string().refine((s) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(s.trim()) && Buffer.from(s.trim(), 'base64').length === 32, {
  message: 'POSCARE_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)',
});

const Roles = z
  .string()
  .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
  .pipe(z.array(z.enum(['api', 'ingest', 'worker'])).min(1));

const port = (name: string, dflt: number) =>
  z.coerce
    .number({ message: `${name} must be a port number` })
    .int()
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`)
    .default(dflt);

export const ConfigSchema = z.object({
  PORT: port('PORT', 8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'MQTT_URL must start with mqtt://, mqtts://, ws://, wss:// or tcp://')
    .optional(),
  MQTT_PORT: port('MQTT_PORT', 1883),
  POSCARE_ROLES: Roles.default(['api', 'ingest', 'worker']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(12),
  COOKIE_SECURE: z
    .enum(['true', 'false', 'auto'])
    .default('auto')
    .describe('Send the session cookie only over HTTPS; auto = when the request came over HTTPS'),
  /** Stable across restarts, so the external broker re-delivers what this ingest process had not acknowledged. */
  INGEST_CLIENT_ID: z.string().min(1).max(128).optional(),
  INGEST_CONNECTIONS: z.coerce.number().int().min(1).max(256).default(8),
  MQTT_SHARED_GROUP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('poscare-ingest'),
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(512).default(50),
  /** Data rows one terminal import may hold; refused (413) as soon as the reader passes it. */
  MAX_IMPORT_ROWS: z.coerce.number({ message: 'MAX_IMPORT_ROWS must be a number of rows' }).int().min(1, 'MAX_IMPORT_ROWS must be at least 1').max(1_000_000, 'MAX_IMPORT_ROWS must be at most 1000000').default(200_000),
  /** What an XLSX import may unpack to (the zip's entries together), in MiB; refused (413) as soon as inflating passes it. */
  MAX_IMPORT_UNPACKED_MB: z.coerce.number({ message: 'MAX_IMPORT_UNPACKED_MB must be a number of MiB' }).positive().max(2048, 'MAX_IMPORT_UNPACKED_MB must be at most 2048').default(256),
  POSCARE_ADMIN_EMAIL: z.string().email().optional(),
  POSCARE_ADMIN_PASSWORD: z.string().min(10, 'POSCARE_ADMIN_PASSWORD must be at least 10 characters').optional(),
  TRUST_PROXY: TrustProxy.optional(),
  POSCARE_SECRET_KEY: SecretKey.optional(),
  /** Bearer token Prometheus sends to read /metrics; unset, /metrics answers only on this machine (docs/operations.md). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters (make one with: openssl rand -hex 24)').optional(),
  /**
   * Whether platform administrators must sign in with a second factor. Unset: required, except for
   * `start --demo` (whose passwords are printed anyway). Tests and the browser tests set it explicitly.
   */
  MFA_PLATFORM_ADMINS: z.enum(['required', 'optional']).optional(),
  CONSOLE_DIST: z.string().optional(),
  /** Outgoing mail for alert notifications, e.g. smtp://user:pass@host:587 (smtps:// for TLS from the start). Unset: no e-mail. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]/, 'SMTP_URL must look like smtp://user:pass@host:587 or smtps://…').optional(),
  /** The From of notification e-mails, e.g. "PosCare <alerts@example.com>". */
  SMTP_FROM: z.string().min(3).max(200).default('PosCare <poscare@localhost>'),
  /** The console's address as people reach it: group robot messages and SMS link back to it. */
  PUBLIC_URL: z.string().url('PUBLIC_URL must be a URL such as https://poscare.example.com').optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/** The first administrator's password must be hard to guess, like every other (auth/passwordPolicy.ts). */
const CheckedConfig = ConfigSchema.superRefine((c, ctx) => {
  if (c.POSCARE_ADMIN_PASSWORD && c.POSCARE_ADMIN_PASSWORD.length >= 10 && !isStrongPassword(c.POSCARE_ADMIN_PASSWORD, { email: c.POSCARE_ADMIN_EMAIL ?? 'admin@poscare.local', name: 'Administrator' })) {
    ctx.addIssue({
      code: 'custom',
      path: ['POSCARE_ADMIN_PASSWORD'],
      message: 'POSCARE_ADMIN_PASSWORD is too easy to guess (a common password, repeats or sequences, or the e-mail); use a few unrelated words with digits or symbols, or leave it unset to have one generated',
    });
  }
});

export class ConfigError extends Error {}

/** A rejected value as it may be printed: passwords in URLs and *_PASSWORD variables never reach the console or a log. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (name.endsWith('PASSWORD') || name.endsWith('SECRET_KEY')) return '[redacted]';
  return value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1[redacted]@');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings are treated as unset, as shells and .env files often produce them.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = CheckedConfig.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got "${shown(String(i.path[0]), env[String(i.path[0])])}")`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee README.md, section Configuration.`);
  }
  return parsed.data;
}
