#!/usr/bin/env node
/**
 * Builds the console once, at install (root `postinstall`) and before the browser tests, when its
 * sources are newer than the last build: `npm run demo` then serves it at once instead of building it
 * on first start. Never fails an install: without Vite (a production install) or on a build error it
 * says so and `poscare start` builds the console itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: consoleDir, stdio: 'inherit' });
if (r.status !== 0) console.log('console: the build failed; `poscare start` will try again');
process.exit(r.status === 0 || !strict ? 0 : 1);
