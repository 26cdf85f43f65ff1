/**
 * Short links for SMS (issue 19): `/s/<token>` stands for a console page (a ticket, dispute, finding or
 * alert) without a table. The token is the kind (one byte), the id (16 bytes of the UUID) and the first
 * 10 bytes of an HMAC-SHA256 over both, keyed by a key derived from the installation key, in base64url:
 * 36 characters. Nobody without the key can make one, or change the id of one, that verifies.
 * A short link grants nothing: the redirect still asks for sign-in and shows only what the person may see.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { installationKey } from '../security/secretKey.js';

export const SHORT_LINK_KINDS = { t: 'tickets', d: 'disputes', f: 'findings', a: 'alerts' } as const;
export type ShortLinkKind = (typeof SHORT_LINK_KINDS)[keyof typeof SHORT_LINK_KINDS];

const CODES = Object.fromEntries(Object.entries(SHORT_LINK_KINDS).map(([code, kind]) => [kind, code.charCodeAt(0)])) as Record<ShortLinkKind, number>;
const MAC_BYTES = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type LinkConfig = Pick<Config, 'PUBLIC_URL' | 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>;

/** A key of its own for links, so a link MAC can never stand in for anything else the installation key protects. */
export function shortLinkKey(config: Pick<Config, 'POSCARE_SECRET_KEY' | 'DATABASE_URL' | 'DATA_DIR'>): Buffer | null {
  const key = installationKey(config);
  return key ? createHmac('sha256', key).update('poscare short link v1').digest() : null;
}

const mac = (key: Buffer, body: Buffer) => createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);

export function signShortLink(key: Buffer, kind: ShortLinkKind, id: string): string {
  if (!UUID.test(id)) throw new Error(`short links name UUIDs, not ${id}`);
  const body = Buffer.concat([Buffer.from([CODES[kind]]), Buffer.from(id.replace(/-/g, ''), 'hex')]);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** The page a token stands for, or null when it was not made with this key (tampered, truncated, made up). */
export function verifyShortLink(key: Buffer, token: string): { kind: ShortLinkKind; id: string } | null {
  if (!/^[A-Za-z0-9_-]{36}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 17 + MAC_BYTES) return null;
  const body = raw.subarray(0, 17);
  if (!timingSafeEqual(raw.subarray(17), mac(key, body))) return null;
  const kind = SHORT_LINK_KINDS[String.fromCharCode(body[0]!) as keyof typeof SHORT_LINK_KINDS];
  if (!kind) return null;
  const h = body.subarray(1).toString('hex');
  return { kind, id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
}

/**
 * The link an SMS carries for a console path: `PUBLIC_URL/s/<token>` for a ticket, dispute, finding or
 * alert page, the path itself otherwise (or when the installation has no key: PostgreSQL without
 * POSCARE_SECRET_KEY).
 */
export function smsLink(config: LinkConfig | string | undefined, path: string): string {
  const base = (typeof config === 'string' || config === undefined ? config : config.PUBLIC_URL) ?? 'http://localhost:8080';
  const url = (p: string) => `${base.replace(/\/$/, '')}${p}`;
  if (typeof config !== 'object') return url(path);
  const m = /^\/(tickets|disputes|findings|alerts)\/([0-9a-f-]{36})$/i.exec(path);
  const key = m ? shortLinkKey(config) : null;
  return m && key ? url(`/s/${signShortLink(key, m[1] as ShortLinkKind, m[2]!.toLowerCase())}`) : url(path);
}
