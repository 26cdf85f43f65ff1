/**
 * Applies the SQL migrations that drizzle-kit generated from schema.ts, in journal order, each once.
 * An advisory lock makes concurrent starts of several processes against one PostgreSQL safe.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.js';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const LOCK_KEY = 4_815_162_342;

interface Journal {
  entries: { idx: number; tag: string }[];
}

export function listMigrations(): string[] {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as Journal;
  return journal.entries.sort((a, b) => a.idx - b.idx).map((e) => e.tag);
}

/** Returns the tags it applied (empty when the schema was already current). */
export async function migrate(db: Database): Promise<string[]> {
  return db.rawTransaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS poscare_migrations (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ tag: string }>('SELECT tag FROM poscare_migrations')).map((r) => r.tag));
    const applied: string[] = [];
    for (const tag of listMigrations()) {
      if (done.has(tag)) continue;
      const text = readFileSync(path.join(MIGRATIONS_DIR, `${tag}.sql`), 'utf8');
      for (const stmt of text.split('--> statement-breakpoint')) {
        if (stmt.trim()) await tx.query(stmt);
      }
      await tx.query('INSERT INTO poscare_migrations (tag) VALUES ($1)', [tag]);
      applied.push(tag);
    }
    return applied;
  });
}

export async function schemaVersion(db: Database): Promise<string | null> {
  const rows = await db.rawTransaction((tx) =>
    tx.query<{ tag: string }>('SELECT tag FROM poscare_migrations ORDER BY tag DESC LIMIT 1'),
  );
  return rows[0]?.tag ?? null;
}
