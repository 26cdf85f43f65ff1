/**
 * A ready embedded store to start from (decision 010). Creating a PGlite store runs PostgreSQL's
 * initdb inside WebAssembly and then every migration: about 10 s of CPU, the largest part of a fresh
 * `poscare start --demo` and of each browser suite's start. `npm install` / `npm run build`
 * (scripts/build.mjs) make one such store once, empty and migrated, in node_modules/.cache/poscare;
 * a new data folder starts as a copy of it (a second of CPU), then migrates as usual.
 *
 * The template's name holds a hash of the PGlite version and of every migration file, so a template
 * made before a migration was added or changed is never used: that start simply runs initdb itself.
 * POSCARE_PGLITE_TEMPLATE=off turns the copy off.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The same depth in src/ and dist/: apps/server/{src,dist}/db → the repository's node_modules.
const CACHE = path.resolve(HERE, '../../../../node_modules/.cache/poscare');
const MIGRATIONS_DIR = path.resolve(HERE, '../../migrations');

/** pglite-<hash of the PGlite version and the migrations>. */
export function templateName(): string {
  const h = createHash('sha256');
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = path.dirname(pglite);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  h.update((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version);
  for (const f of readdirSync(MIGRATIONS_DIR).filter((n) => n.endsWith('.sql')).sort()) h.update(f).update(readFileSync(path.join(MIGRATIONS_DIR, f)));
  h.update(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json')));
  return `pglite-${h.digest('hex').slice(0, 16)}`;
}

/** Fills an empty PGlite folder with a copy of the current template; false when there is none (or it is turned off). */
export function startFromTemplate(pgliteDir: string): boolean {
  if (process.env.POSCARE_PGLITE_TEMPLATE === 'off') return false;
  if (existsSync(path.join(pgliteDir, 'PG_VERSION')) || readdirSync(pgliteDir).length > 0) return false;
  try {
    const template = path.join(CACHE, templateName());
    if (!existsSync(path.join(template, 'pglite', 'PG_VERSION'))) return false;
    cpSync(path.join(template, 'pglite'), pgliteDir, { recursive: true });
    return true;
  } catch {
    // A half-copied folder would look like a store: leave it empty for initdb.
    for (const e of readdirSync(pgliteDir)) rmSync(path.join(pgliteDir, e), { recursive: true, force: true });
    return false;
  }
}

/** Makes the template for the current migrations unless it exists; removes templates of older ones. Returns its folder. */
export async function makeTemplate(): Promise<{ dir: string; made: boolean }> {
  const name = templateName();
  const dir = path.join(CACHE, name);
  if (existsSync(path.join(dir, 'pglite', 'PG_VERSION'))) return { dir, made: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const [{ openDatabase }, { migrate }] = await Promise.all([import('./client.js'), import('./migrate.js')]);
  const db = await openDatabase({ dataDir: tmp });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, dir);
  for (const old of readdirSync(CACHE)) {
    if (old.startsWith('pglite-') && old !== name && old !== `${name}.tar` && !old.includes('.tmp-')) rmSync(path.join(CACHE, old), { recursive: true, force: true });
  }
  return { dir, made: true };
}

/**
 * The same empty, migrated store as a tarball, for stores kept in memory (the tests: one per test file).
 * Loading it costs about a second of CPU where initdb and every migration cost six to eight. Made once per
 * set of migrations by whichever test file needs it first (written to a temporary name, then renamed, so two
 * test workers making it at once both end with a whole file). Undefined when turned off.
 */
export async function memoryImage(): Promise<Blob | undefined> {
  if (process.env.POSCARE_PGLITE_TEMPLATE === 'off') return undefined;
  const file = path.join(CACHE, `${templateName()}.tar`);
  if (!existsSync(file)) {
    const [{ openDatabase }, { migrate }] = await Promise.all([import('./client.js'), import('./migrate.js')]);
    const db = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrate(db);
      const image = await db.dumpImage!();
      mkdirSync(CACHE, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, new Uint8Array(await image.arrayBuffer()));
      renameSync(tmp, file);
    } finally {
      await db.close();
    }
  }
  return new Blob([readFileSync(file)]);
}
