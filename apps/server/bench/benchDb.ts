/**
 * A throw-away database for one benchmark run: PGlite in a temporary folder, or a new database on the
 * PostgreSQL server at `pgUrl`; `drop` removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.js';

export async function freshDatabase(kind: 'pglite' | 'postgres', pgUrl: string, prefix: string): Promise<{ db: Database; drop: () => Promise<void>; databaseUrl?: string }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
    const db = await openDatabase({ dataDir: dir });
    return { db, drop: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const name = `${prefix.replace(/-/g, '_')}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url.toString() });
  return {
    db,
    databaseUrl: url.toString(),
    drop: async () => {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
