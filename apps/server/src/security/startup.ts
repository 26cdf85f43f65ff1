/**
 * At start of an api process: make sure second-factor secrets can be read with this process's key.
 * - Embedded store without POSCARE_SECRET_KEY: the key file in DATA_DIR is made now (mode 0600).
 * - DATABASE_URL without POSCARE_SECRET_KEY: fine while nobody has a second factor (enrolment then says
 *   what to set); refused with a clear message as soon as someone has one.
 * - A key that does not open the stored secrets (another process's key, a lost key file): refused.
 */
import { isNotNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { users } from '../db/schema.js';
import { decryptSecret, installationKey, SecretKeyError } from './secretKey.js';

export async function checkSecretKey(db: Database, config: Config, log: Pick<Logger, 'warn'>): Promise<void> {
  const key = installationKey(config);
  const [sample] = await db.orm.select({ id: users.id, secret: users.totpSecret }).from(users).where(isNotNull(users.totpEnabledAt)).limit(1);
  if (!key) {
    if (sample) {
      throw new SecretKeyError(
        'POSCARE_SECRET_KEY is not set, but users have a second factor whose secrets were encrypted with it. Set POSCARE_SECRET_KEY to the same value on every PosCare process (see README.md, Configuration).',
      );
    }
    log.warn('POSCARE_SECRET_KEY is not set: users cannot set up a second factor until it is (the same value on every process; openssl rand -base64 32)');
    return;
  }
  if (sample?.secret) {
    try {
      decryptSecret(key, sample.secret, sample.id);
    } catch {
      throw new SecretKeyError(
        'POSCARE_SECRET_KEY (or DATA_DIR/secret.key) is not the key the second-factor secrets were encrypted with. Use the key the other PosCare processes use, or restore the key file from a backup.',
      );
    }
  }
}
