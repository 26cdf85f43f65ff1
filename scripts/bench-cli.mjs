#!/usr/bin/env node
/**
 * `npm run bench:cli`: how long `poscare` commands take from process start to exit, compiled (the
 * installed command: JavaScript in dist/, decision 010) and, as the baseline in the same run, the same
 * commands through tsx from the TypeScript sources (POSCARE_FROM_SOURCES=1, how every command ran
 * before the compiled build). Runs alternate between the two so both see the same machine load.
 * Goals (issue 16): `--help` ≤ 0.5 s, `diagnose FILE` ≤ 1 s. Wall time counts waiting for a CPU on a
 * busy machine, so CPU time (user + sys, from /usr/bin/time when present) and the load average are
 * printed too. Options: --runs N (default 5). Builds first when the build is not current.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBecause } from '../apps/server/bin/build-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
const bin = path.join(root, 'apps/server/bin/poscare.mjs');
const caseFile = path.join(root, 'scripts/bench/diagnose-case.json');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const stale = staleBecause();
if (stale) {
  process.stderr.write(`bench:cli: the build is not current (${stale}); building first\n`);
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--strict', '--quiet'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

const commands = [
  { name: 'poscare --help', args: ['--help'], goalS: 0.5 },
  { name: 'poscare --version', args: ['--version'] },
  { name: 'poscare diagnose FILE (v01-tap-fails.json, Chinese text)', args: ['diagnose', caseFile], goalS: 1 },
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'poscare-bench-cli-'));
const timeFile = path.join(tmp, 'time');
function once(args, fromSources) {
  const env = { ...process.env, POSCARE_FROM_SOURCES: fromSources ? '1' : '' };
  const argv = TIME ? [TIME, ['-o', timeFile, '-f', '%U %S %M', process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
  const t = performance.now();
  const r = spawnSync(argv[0], argv[1], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (!TIME) return { wall };
  const [u, s, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: u + s, mb: kb / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const r2 = (x) => (x === undefined ? null : Math.round(x * 100) / 100);
const summary = (xs) => ({
  wallS: { median: r2(median(xs.map((x) => x.wall))), min: r2(Math.min(...xs.map((x) => x.wall))), max: r2(Math.max(...xs.map((x) => x.wall))) },
  cpuS: TIME ? { median: r2(median(xs.map((x) => x.cpu))), min: r2(Math.min(...xs.map((x) => x.cpu))) } : null,
  maxRssMb: TIME ? Math.round(median(xs.map((x) => x.mb))) : null,
});

const loadBefore = os.loadavg();
const results = [];
for (const c of commands) {
  once(c.args, false); // warm the file cache (and tsx's transpile cache) once each, not counted
  once(c.args, true);
  const compiled = [];
  const sources = [];
  for (let n = 0; n < runs; n++) {
    compiled.push(once(c.args, false));
    sources.push(once(c.args, true));
  }
  const comp = summary(compiled);
  results.push({
    command: c.name,
    goalS: c.goalS ?? null,
    compiled: comp,
    baselineTsxFromSources: summary(sources),
    // On a busy machine wall time includes waiting for a CPU: the CPU time says what the command costs.
    meetsGoal: c.goalS ? { byMedianWall: comp.wallS.median <= c.goalS, byMedianCpu: comp.cpuS ? comp.cpuS.median <= c.goalS : null } : null,
  });
}
rmSync(tmp, { recursive: true, force: true });
const la = (l) => l.map((x) => Math.round(x * 10) / 10);
console.log(JSON.stringify({ bench: 'cli', runsEach: runs, node: process.version, cpus: os.cpus().length, loadAverageBefore: la(loadBefore), loadAverageAfter: la(os.loadavg()), results }, null, 2));
