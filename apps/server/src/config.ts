/**
 * Configuration comes from environment variables only, validated once at start into a typed object.
 * A bad value stops the process with a message that names the variable and what is expected.
 */
import { z } from 'zod';

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
  POSCARE_ADMIN_EMAIL: z.string().email().optional(),
  POSCARE_ADMIN_PASSWORD: z.string().min(10, 'POSCARE_ADMIN_PASSWORD must be at least 10 characters').optional(),
  CONSOLE_DIST: z.string().optional(),
  /** Outgoing mail for alert notifications, e.g. smtp://user:pass@host:587 (smtps:// for TLS from the start). Unset: no e-mail. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]/, 'SMTP_URL must look like smtp://user:pass@host:587 or smtps://…').optional(),
  /** The From of notification e-mails, e.g. "PosCare <alerts@example.com>". */
  SMTP_FROM: z.string().min(3).max(200).default('PosCare <poscare@localhost>'),
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** A rejected value as it may be printed: passwords in URLs and *_PASSWORD variables never reach the console or a log. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (name.endsWith('PASSWORD')) return '[redacted]';
  return value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1[redacted]@');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings are treated as unset, as shells and .env files often produce them.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got "${shown(String(i.path[0]), env[String(i.path[0])])}")`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee README.md, section Configuration.`);
  }
  return parsed.data;
}
