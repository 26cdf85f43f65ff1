/** Builds the console with Vite when its sources are newer than the last build, so `start` serves a current console. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console');
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function consoleIsStale(): boolean {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const src = path.join(CONSOLE_DIR, 'src');
  return existsSync(src) && newest(src) > statSync(index).mtimeMs;
}

export function buildConsole(log: (msg: string) => void): boolean {
  if (!existsSync(path.join(CONSOLE_DIR, 'package.json'))) return false;
  if (!consoleIsStale()) return true;
  log('Building the console (first start only; takes about a minute)…');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: CONSOLE_DIR, stdio: 'inherit' });
  return r.status === 0;
}
