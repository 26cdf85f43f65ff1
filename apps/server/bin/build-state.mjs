/**
 * Whether the compiled build (decision 010) matches the TypeScript sources, for `poscare.mjs` to
 * decide between dist/ and the sources, and for scripts/build.mjs to record what it compiled.
 * A build is current when the number of source files and the newest modification time among them
 * (and the package.json files and the build script) are the ones the build recorded.
 * Walking the ~350 source files takes a few milliseconds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The server and every workspace package with a src/ folder (packages/* compiled, apps/console built by Vite). */
export const PACKAGE_DIRS = [
  'apps/server',
  ...readdirSync(path.join(ROOT, 'packages'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `packages/${e.name}`)
    .filter((d) => {
      try {
        return statSync(path.join(ROOT, d, 'src')).isDirectory();
      } catch {
        return false;
      }
    })
    .sort(),
];
export const STAMP = path.join(ROOT, 'apps/server/dist/build.json');

/** { files, newestMs } over every package's src/ tree, its package.json, and the build script itself. */
export function sourceState() {
  let files = 0;
  let newestMs = 0;
  const see = (p) => {
    files++;
    newestMs = Math.max(newestMs, statSync(p).mtimeMs);
  };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else see(p);
    }
  };
  for (const d of PACKAGE_DIRS) {
    walk(path.join(ROOT, d, 'src'));
    see(path.join(ROOT, d, 'package.json'));
  }
  see(path.join(ROOT, 'scripts/build.mjs'));
  see(fileURLToPath(import.meta.url));
  return { files, newestMs };
}

/** Why the build cannot be used ('' when it is current). */
export function staleBecause() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'not built';
  }
  const now = sourceState();
  if (now.files !== stamp.files) return `${now.files - stamp.files > 0 ? 'files added' : 'files removed'} since the build`;
  if (now.newestMs !== stamp.newestMs) return 'sources changed since the build';
  return '';
}
