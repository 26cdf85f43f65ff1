/**
 * The installation key and the encryption of second-factor secrets at rest (AES-256-GCM, the user's id
 * as associated data so a stored secret cannot be moved to another account).
 *
 * Where the key comes from (docs/decisions/006-second-factor.md):
 *  - POSCARE_SECRET_KEY, the same on every process (required to enrol with DATABASE_URL);
 *  - otherwise, on the embedded store, DATA_DIR/secret.key, made on first start (mode 0600): one process
 *    owns DATA_DIR, and a backup of the folder keeps the key with the data;
 *  - DATA_DIR=memory:// (tests): a key for the life of the process.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

export class SecretKeyError extends Error {}

const memoryKeys = new Map<string, Buffer>();

export function keyFile(dataDir: string): string {
  return path.resolve(dataDir, 'secret.key');
}

/** The installation key, or null when there is none (a PostgreSQL deployment without POSCARE_SECRET_KEY). */
export function installationKey(config: Pick<Config, 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>, opts: { create?: boolean } = {}): Buffer | null {
  if (config.POSCARE_SECRET_KEY) return Buffer.from(config.POSCARE_SECRET_KEY.trim(), 'base64');
  if (config.DATABASE_URL) return null;
  if (config.DATA_DIR === 'memory://') {
    let k = memoryKeys.get('memory');
    if (!k) memoryKeys.set('memory', (k = randomBytes(32)));
    return k;
  }
  const file = keyFile(config.DATA_DIR);
  const cached = memoryKeys.get(file);
  if (cached) return cached;
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new SecretKeyError(`${file} does not hold a 32-byte base64 key; restore it from a backup of DATA_DIR`);
    memoryKeys.set(file, key);
    return key;
  }
  if (opts.create === false) return null;
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  memoryKeys.set(file, key);
  return key;
}

const VERSION = 'v1';

export function encryptSecret(key: Buffer, plain: string, boundTo: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(boundTo));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}

/** Throws SecretKeyError when the key is not the one the secret was encrypted with (or the value was altered). */
export function decryptSecret(key: Buffer, stored: string, boundTo: string): string {
  const [v, iv, tag, ct] = stored.split(':');
  if (v !== VERSION || !iv || !tag || !ct) throw new SecretKeyError('unknown format of a stored secret');
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(boundTo));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('a stored second-factor secret cannot be decrypted with this installation key');
  }
}
