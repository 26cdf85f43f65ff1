#!/usr/bin/env node
/**
 * Compiles the server and the packages from TypeScript to JavaScript (decision 010): each
 * `<package>/src/**.ts` (tests left out) becomes `<package>/dist/**.js`, file by file, with esbuild
 * (no type check: `tsc --noEmit` does that). The layout mirrors `src/`, so paths the code finds
 * relative to itself (migrations, package.json, JSON data) stay the same; other files in `src/` (JSON)
 * are copied. Imports of the workspace packages (`@poscare/contracts`, …) point at their `dist/` in
 * the output, so the compiled server never loads TypeScript.
 *
 * Run by `npm install` / `npm ci` (root postinstall) and by `npm test`; `apps/server/bin/poscare.mjs`
 * uses the build only while it is current (see `apps/server/bin/build-state.mjs`) and otherwise runs the
 * sources through tsx. Each package is written to a fresh directory and then swapped in, so a process
 * starting meanwhile never sees half a build. Never fails an install (`--strict` makes it fail).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_DIRS, ROOT, STAMP, sourceState } from '../apps/server/bin/build-state.mjs';

const strict = process.argv.includes('--strict');
const quiet = process.argv.includes('--quiet');
const say = (s) => quiet || console.log(s);

function giveUp(why) {
  console.log(`build: ${why}; \`poscare\` runs from the TypeScript sources (slower start) until \`npm run build\` succeeds`);
  process.exit(strict ? 1 : 0);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  giveUp('esbuild is not installed');
}

const t0 = performance.now();
// Taken before compiling: a source saved during the build makes the build stale, never the other way round.
const state = sourceState();

/** Workspace package name → its compiled entry, e.g. @poscare/contracts → packages/contracts/dist/index.js. */
const entries = new Map();
for (const dir of PACKAGE_DIRS) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
  const main = typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports?.['.'] ?? pkg.main ?? 'src/index.ts');
  const target = typeof main === 'string' ? main : (main.default ?? main.import);
  entries.set(pkg.name, path.join(ROOT, dir, target.replace(/^\.?\/?src\//, 'dist/').replace(/\.ts$/, '.js')));
}

function tsFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (/\.ts$/.test(e.name) && !/\.(test|spec)\.ts$|\.d\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** `from "@poscare/x"`, `import("@poscare/x")`, `import "@poscare/x"` in esbuild's output (always double quotes). */
const WORKSPACE_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(@poscare\/[\w-]+)"/g;

const built = [];
let problem = null;
for (const dir of PACKAGE_DIRS) {
  const src = path.join(ROOT, dir, 'src');
  const dist = path.join(ROOT, dir, 'dist');
  const tmp = path.join(ROOT, dir, `dist.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      entryPoints: tsFiles(src),
      outdir: tmp,
      outbase: src,
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      write: false,
      logLevel: 'silent',
    });
    for (const f of result.outputFiles) {
      const text = f.text.replace(WORKSPACE_IMPORT, (_m, head, name) => {
        const to = entries.get(name);
        if (!to) throw new Error(`${path.relative(ROOT, f.path)} imports ${name}, which is not a workspace package`);
        let rel = path.relative(path.dirname(f.path.replace(tmp, dist)), to).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `${head}"${rel}"`;
      });
      mkdirSync(path.dirname(f.path), { recursive: true });
      writeFileSync(f.path, text);
    }
    // Other files the code imports from next to itself (JSON data).
    cpSync(src, tmp, { recursive: true, filter: (p) => !p.endsWith('.ts') });
    built.push({ dir, dist, tmp });
  } catch (err) {
    problem = `${dir}: ${err.message ?? err}`;
    rmSync(tmp, { recursive: true, force: true });
    break;
  }
}
if (problem) {
  for (const b of built) rmSync(b.tmp, { recursive: true, force: true });
  giveUp(`compiling failed (${problem.split('\n').slice(0, 6).join(' ')})`);
}

// The stamp goes last, into the server's new dist: the packages are in place before the server's
// build says it is current.
const server = built.find((b) => b.dir === 'apps/server');
writeFileSync(path.join(server.tmp, path.basename(STAMP)), JSON.stringify({ ...state, builtAt: new Date().toISOString() }));
for (const b of [...built.filter((x) => x !== server), server]) {
  const old = `${b.dist}.old-${process.pid}`;
  if (existsSync(b.dist)) renameSync(b.dist, old);
  renameSync(b.tmp, b.dist);
  rmSync(old, { recursive: true, force: true });
}
say(`build: ${state.files} TypeScript files of ${built.length} packages compiled to dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// The empty, migrated embedded store that new data folders start from (apps/server/src/db/template.ts):
// made once per set of migrations, in a process of its own; without it a start runs initdb itself.
if (!process.argv.includes('--no-template')) {
  const t1 = performance.now();
  const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'apps/server/dist/db/template.js')).href)}); const r = await m.makeTemplate(); console.log(JSON.stringify(r));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, POSCARE_PGLITE_TEMPLATE: 'off' } });
  if (r.status !== 0) console.log(`build: no embedded database template (${(r.stderr || '').trim().split('\n').pop()}); a new data folder runs initdb (slower first start)`);
  else if (JSON.parse(r.stdout.trim().split('\n').pop()).made) say(`build: embedded database template for new data folders made in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
}
