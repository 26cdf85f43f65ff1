#!/usr/bin/env node
/**
 * Builds the console once, at install (root `postinstall`) and before the browser tests, when its
 * sources are newer than the last build: `npm run demo` then serves it at once instead of building it
 * on first start. Never fails an install: without Vite (a production install) or on a build error it
 * says so and `poscare start` builds the console itself.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'apps/console');
const index = path.join(consoleDir, 'dist/index.html');
const strict = process.argv.includes('--strict');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = [path.join(consoleDir, 'src'), path.join(root, 'packages/contracts/src')].filter(existsSync);
const stale = !existsSync(index) || sources.some((d) => newest(d) > statSync(index).mtimeMs) || statSync(path.join(consoleDir, 'index.html')).mtimeMs > statSync(index).mtimeMs;
if (!stale) {
  console.log('console: up to date');
  process.exit(0);
}
if (!existsSync(path.join(root, 'node_modules/vite'))) {
  console.log('console: Vite is not installed; `poscare start` will build the console when it can');
  process.exit(strict ? 1 : 0);
}
console.log('console: building (once; about a minute)…');
// Built beside the current one, then swapped in: a running server never finds the console half-built
// (Vite empties its output folder first), and the old build's assets stay, so a page loaded before the
// swap can still fetch its lazily loaded parts.
const dist = path.join(consoleDir, 'dist');
const next = path.join(consoleDir, `dist.tmp-${process.pid}`);
rmSync(next, { recursive: true, force: true });
const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', next, '--emptyOutDir'], { cwd: consoleDir, stdio: 'inherit' });
if (r.status === 0) {
  const oldAssets = path.join(dist, 'assets');
  if (existsSync(oldAssets)) {
    // Only recent ones (their times kept), so old builds do not pile up over weeks of development.
    const since = Date.now() - 6 * 3600_000;
    for (const f of readdirSync(oldAssets)) {
      const from = path.join(oldAssets, f);
      const to = path.join(next, 'assets', f);
      if (!existsSync(to) && statSync(from).mtimeMs > since) cpSync(from, to, { preserveTimestamps: true });
    }
  }
  const old = path.join(consoleDir, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
} else {
  rmSync(next, { recursive: true, force: true });
  console.log('console: the build failed; `poscare start` will try again');
}
process.exit(r.status === 0 || !strict ? 0 : 1);
