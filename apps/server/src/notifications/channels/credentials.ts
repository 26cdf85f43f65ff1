/**
 * Channel credentials at rest: AES-256-GCM under the installation key (security/secretKey.ts, the
 * one that guards second-factor secrets), bound to the channel's id so a stored value cannot be
 * moved to another channel. Decrypted only by the worker that sends, never returned, never logged.
 */
import { AppError } from '../../errors/errors.js';
import type { Config } from '../../config.js';
import { decryptSecret, encryptSecret, installationKey } from '../../security/secretKey.js';

const bound = (channelId: string) => `notify-channel:${channelId}`;

function key(config: Pick<Config, 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>): Buffer {
  const k = installationKey(config);
  if (!k) throw new AppError('notify.channel.key_missing', 503);
  return k;
}

export function sealCredentials(config: Pick<Config, 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>, channelId: string, creds: Record<string, string>): string {
  return encryptSecret(key(config), JSON.stringify(creds), bound(channelId));
}

export function openCredentials<T>(config: Pick<Config, 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>, channelId: string, stored: string): T {
  return JSON.parse(decryptSecret(key(config), stored, bound(channelId))) as T;
}

/** '••••' and the last four characters of the most secret value: enough to tell two apart. */
export const credentialHint = (secret: string) => `••••${secret.slice(-4)}`;
