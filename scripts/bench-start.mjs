#!/usr/bin/env node
/**
 * `npm run bench:start`: how soon `poscare start --demo` answers, and how long its event loop stalls
 * while the demo history loads behind. Each run starts its own demo (fresh data directory, free port,
 * no MQTT port), polls `GET /api/v1/health` and `GET /` every 100 ms, keeps polling for `--seconds`
 * (default 60; longer, up to 5 minutes, until the first answer) and reads the server's own event-loop figures (scripts/bench/stall-probe.mjs).
 *
 * Modes (`--modes installed,before`, default both): `installed` is the command as `npm install` leaves
 * it (JavaScript in dist/, new data folders copied from the migrated template store); `before` is the
 * baseline, the way every start ran before decision 010: the TypeScript sources through tsx
 * (POSCARE_FROM_SOURCES=1) and PostgreSQL's initdb plus every migration on the new data folder
 * (POSCARE_PGLITE_TEMPLATE=off).
 * Prints one JSON object; the machine's load average is in it, because this machine is shared.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const seconds = Number(arg('seconds', '60'));
const modes = arg('modes', 'installed,before').split(',');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function status(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** The health answer when it is 200, else null. */
async function health(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(10000) });
    return r.status === 200 ? await r.json() : (await r.arrayBuffer(), null);
  } catch {
    return null;
  }
}

async function once(mode) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'poscare-bench-start-'));
  const stallFile = path.join(dataDir, 'stall.json');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const load0 = os.loadavg()[0];
  const t0 = performance.now();
  const server = spawn(process.execPath, [path.join(root, 'apps/server/bin/poscare.mjs'), 'start', '--demo'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      MQTT_PORT: '0',
      LOG_LEVEL: 'warn',
      POSCARE_FROM_SOURCES: mode === 'before' ? '1' : '',
      POSCARE_PGLITE_TEMPLATE: mode === 'before' ? 'off' : '',
      POSCARE_BENCH_STALL_FILE: stallFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(path.join(root, 'scripts/bench/stall-probe.mjs')).href}`.trim(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let printedAt = null;
  const onData = (d) => {
    out += d.toString();
    if (printedAt === null && /https?:\/\//.test(out)) printedAt = performance.now() - t0;
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  let exited = false;
  server.on('exit', () => (exited = true));
  const first = { health: null, console: null, cpu: null };
  const readStall = () => {
    try {
      return JSON.parse(readFileSync(stallFile, 'utf8'));
    } catch {
      return null;
    }
  };
  let slowestHealthMs = 0;
  let ready = null;
  // Watches `seconds`, and longer (up to 5 minutes) while the server has not answered yet.
  while (!exited && (performance.now() - t0 < seconds * 1000 || (first.health === null && performance.now() - t0 < 300_000))) {
    const s = performance.now();
    const h = await health(`${base}/api/v1/health`);
    const took = performance.now() - s;
    if (h) {
      if (first.health === null) {
        first.health = performance.now() - t0;
        first.cpu = readStall()?.cpuS ?? null;
      }
      else slowestHealthMs = Math.max(slowestHealthMs, took);
      if (ready === null && h.demo?.ready === true) ready = performance.now() - t0;
    }
    if (first.console === null && first.health !== null && (await status(`${base}/`)) === 200) first.console = performance.now() - t0;
    await sleep(100);
  }
  server.kill('SIGTERM');
  await new Promise((r) => (exited ? r() : server.once('exit', r)));
  const stall = readStall();
  rmSync(dataDir, { recursive: true, force: true });
  const s = (ms) => (ms === null ? null : Math.round(ms / 100) / 10);
  if (first.health === null || process.env.BENCH_DEBUG) process.stderr.write(`${mode}: the server never answered; its output:\n${out.slice(-3000)}\n`);
  return {
    mode,
    loadAverageAtStart: Math.round(load0 * 10) / 10,
    secondsToAddressPrinted: s(printedAt),
    secondsToFirstHealth200: s(first.health),
    secondsToFirstConsole200: s(first.console),
    serverCpuSecondsAtFirstAnswer: first.cpu,
    secondsToDemoReady: s(ready),
    maxEventLoopStallMs: stall?.maxStallMs ?? null,
    maxStallAtSecond: stall?.maxStallAtS ?? null,
    // CPU the server used during its longest stall: what that stall would be on an idle machine.
    maxStallCpuMs: stall?.maxStallCpuMs ?? null,
    stallsOver100ms: stall?.stallsOver100ms ?? null,
    stallsOver1s: stall?.stallsOver1s ?? null,
    longestStalls: stall?.longest ?? null,
    slowestHealthAnswerMs: Math.round(slowestHealthMs),
  };
}

const runs = [];
for (const mode of modes) runs.push(await once(mode));
console.log(JSON.stringify({ bench: 'start', command: 'poscare start --demo', watchedSeconds: seconds, cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10), runs }, null, 2));
