/**
 * The audit log as a hash chain per organization. Each entry holds its position (`seq`, 1, 2, … in
 * its organization), the previous entry's hash (`prev_hash`, '' for the first) and its own `hash`:
 * sha256 over a canonical serialization of the organization, seq, prev_hash, actor, action, entity,
 * entity id, before, after and time. Changing, removing or inserting an entry without rewriting every
 * later one breaks the chain, and `verifyChains` names the first entry where it breaks.
 *
 * What is hashed is what can be read back from the row: before/after as jsonb returns them (keys
 * sorted here, because jsonb reorders them), the time as an ISO string with milliseconds.
 */
import { createHash } from 'node:crypto';
import type { AuditChainReport, AuditVerifyResult } from '@poscare/contracts';
import type { Database } from '../db/client.js';

/** Positional-parameter SQL inside one transaction. */
export type Exec = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

/** The chain key of entries that belong to no organization (the same zero uuid the unique index uses). */
export const NO_ORG = '00000000-0000-0000-0000-000000000000';
/** First key of the two-key advisory lock, so audit locks cannot meet other users of advisory locks. */
const LOCK_CLASS = 0x4155_4454; // 'AUDT'
const HASH_VERSION = 'poscare-audit/1';
const CHAIN = `coalesce(org_id, '${NO_ORG}'::uuid)`;

export interface ChainEntry {
  orgId: string | null;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  at: Date;
}

/** JSON with keys sorted at every depth; `undefined` is left out of objects and is null elsewhere. */
export function canonicalJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function entryHash(e: ChainEntry & { seq: number; prevHash: string }): string {
  const material = canonicalJson([
    HASH_VERSION,
    e.orgId ?? '',
    e.seq,
    e.prevHash,
    e.actorId ?? null,
    e.actorName ?? null,
    e.action,
    e.entity,
    e.entityId ?? null,
    e.before ?? null,
    e.after ?? null,
    new Date(e.at).toISOString(),
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** What jsonb gives back for a value we store: plain JSON, no undefined, no Date objects. */
const asStored = (v: unknown): unknown => (v === undefined || v === null ? null : JSON.parse(JSON.stringify(v)));
const toJsonb = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));

/**
 * Serializes writers of one chain until the caller's transaction ends (PGlite and PostgreSQL alike).
 * The head is read after the lock by a new statement, so under READ COMMITTED (what every writer uses)
 * it sees the previous writer's committed entry; a snapshot taken earlier (REPEATABLE READ) would make
 * the insert fail on the unique index `audit_chain_seq` rather than fork the chain.
 */
async function lockChain(exec: Exec, chain: string): Promise<void> {
  await exec('SELECT pg_advisory_xact_lock($1::int, hashtext($2::text)) AS locked', [LOCK_CLASS, chain]);
}

interface Head {
  seq: number;
  hash: string;
}

async function chainHead(exec: Exec, chain: string): Promise<Head | null> {
  const [h] = await exec<{ seq: string | number; hash: string | null }>(
    `SELECT seq, hash FROM audit_log WHERE ${CHAIN} = $1::uuid AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    [chain],
  );
  return h ? { seq: Number(h.seq), hash: h.hash ?? '' } : null;
}

/**
 * Entries written before the chain existed (a database upgraded from schema 0008) are chained once,
 * in the order they were written, when their organization's chain is still empty. Once a chain has
 * started, an entry without a place in it is an insertion and verification reports it.
 */
async function chainLegacy(exec: Exec, chain: string): Promise<Head | null> {
  const rows = await exec<StoredRow>(`SELECT ${COLUMNS} FROM audit_log WHERE ${CHAIN} = $1::uuid AND seq IS NULL ORDER BY id`, [chain]);
  let head: Head | null = null;
  for (const r of rows) {
    const seq: number = (head?.seq ?? 0) + 1;
    const prevHash: string = head?.hash ?? '';
    const hash = entryHash({ ...fromRow(r), seq, prevHash });
    await exec('UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4', [seq, prevHash, hash, r.id]);
    head = { seq, hash };
  }
  return head;
}

/** Appends one entry to its organization's chain; call inside the transaction of the change. */
export async function appendEntry(exec: Exec, e: ChainEntry): Promise<void> {
  const chain = e.orgId ?? NO_ORG;
  await lockChain(exec, chain);
  const head = (await chainHead(exec, chain)) ?? (await chainLegacy(exec, chain));
  const before = asStored(e.before);
  const after = asStored(e.after);
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? '';
  const hash = entryHash({ ...e, before, after, seq, prevHash });
  await exec(
    'INSERT INTO audit_log (org_id, actor_id, actor_name, action, entity, entity_id, before, after, at, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12)',
    [e.orgId, e.actorId, e.actorName, e.action, e.entity, e.entityId, toJsonb(before), toJsonb(after), e.at, seq, prevHash, hash],
  );
}

const COLUMNS = 'id, org_id, actor_id, actor_name, action, entity, entity_id, before, after, at, seq, prev_hash, hash';
interface StoredRow {
  id: string | number;
  org_id: string | null;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  at: Date | string;
  seq: string | number | null;
  prev_hash: string | null;
  hash: string | null;
}

const fromRow = (r: StoredRow): ChainEntry => ({
  orgId: r.org_id,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  entity: r.entity,
  entityId: r.entity_id,
  before: r.before,
  after: r.after,
  at: r.at instanceof Date ? r.at : new Date(r.at),
});

/** Chains the entries of every organization whose chain has not started yet (see `chainLegacy`). */
export async function backfillChains(db: Database, only?: string): Promise<number> {
  const chains = await db.rawTransaction((tx) =>
    tx.query<{ chain: string }>(
      `SELECT DISTINCT ${CHAIN} AS chain FROM audit_log a WHERE seq IS NULL ${only ? `AND ${CHAIN} = $1::uuid` : ''}
          AND NOT EXISTS (SELECT 1 FROM audit_log b WHERE coalesce(b.org_id, '${NO_ORG}'::uuid) = coalesce(a.org_id, '${NO_ORG}'::uuid) AND b.seq IS NOT NULL)`,
      only ? [only] : [],
    ),
  );
  let n = 0;
  for (const { chain } of chains) {
    await db.rawTransaction(async (tx) => {
      const exec: Exec = (text, params) => tx.query(text, params);
      await lockChain(exec, chain);
      if (!(await chainHead(exec, chain))) n += (await chainLegacy(exec, chain))?.seq ?? 0;
    });
  }
  return n;
}

const PAGE = 5000;

/** Walks one chain in seq order and names the first entry that was changed, removed or inserted. */
async function verifyChain(db: Database, chain: string): Promise<AuditChainReport> {
  const orgId = chain === NO_ORG ? null : chain;
  let expected = 1;
  let prevHash = '';
  let problem: AuditChainReport['problem'] = null;
  let head: AuditChainReport['head'] = null;
  for (let after = 0; !problem; ) {
    const rows = await db.rawTransaction((tx) =>
      tx.query<StoredRow>(`SELECT ${COLUMNS} FROM audit_log WHERE ${CHAIN} = $1::uuid AND seq > $2 ORDER BY seq LIMIT ${PAGE}`, [chain, after]),
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      const id = Number(r.id);
      if (seq > expected) problem = { kind: 'removed', seq: expected, id, detail: `entries ${expected}–${seq - 1} are missing before entry ${seq}` };
      else if ((r.prev_hash ?? '') !== prevHash) problem = { kind: 'removed', seq, id, detail: `entry ${seq} does not follow entry ${seq - 1}: an entry before it was removed or replaced` };
      else if (r.hash !== entryHash({ ...fromRow(r), seq, prevHash: r.prev_hash ?? '' })) problem = { kind: 'changed', seq, id, detail: `entry ${seq} does not match its hash` };
      if (problem) break;
      expected = seq + 1;
      prevHash = r.hash ?? '';
      head = { seq, hash: prevHash };
    }
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  // Entries with no place in the chain were added around it (the unique index refuses duplicate seqs).
  const [c] = await db.rawTransaction((tx) =>
    tx.query<{ n: string | number; strays: string | number; first: string | number | null }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE seq IS NULL) AS strays, min(id) FILTER (WHERE seq IS NULL) AS first FROM audit_log WHERE ${CHAIN} = $1::uuid`,
      [chain],
    ),
  );
  const entries = Number(c?.n ?? 0);
  if (Number(c?.strays ?? 0) > 0) {
    const id = Number(c!.first);
    if (!problem || id < problem.id) problem = { kind: 'inserted', seq: null, id, detail: `entry id ${id} has no place in the chain` };
  }
  return { orgId, ok: !problem, entries, head, problem };
}

/** Verifies one organization's chain, or every chain in the database (after chaining legacy entries). */
export async function verifyChains(db: Database, opts: { orgId?: string | null | undefined } = {}): Promise<AuditVerifyResult> {
  await backfillChains(db, opts.orgId !== undefined ? (opts.orgId ?? NO_ORG) : undefined);
  const chains =
    opts.orgId !== undefined
      ? [opts.orgId ?? NO_ORG]
      : (
          await db.rawTransaction((tx) =>
            tx.query<{ chain: string }>(
              `SELECT ${CHAIN} AS chain FROM audit_log GROUP BY 1 UNION SELECT id FROM organizations ORDER BY 1`,
            ),
          )
        ).map((c) => c.chain);
  const reports: AuditChainReport[] = [];
  for (const chain of chains) reports.push(await verifyChain(db, chain));
  return { ok: reports.every((r) => r.ok), chains: reports };
}
