/**
 * Preloaded into the server by `npm run bench:start` (node --import): measures how long the main
 * thread's event loop stalls, and writes the figures to POSCARE_BENCH_STALL_FILE every 250 ms and at exit.
 * A timer due every 20 ms that fires late by X ms means the loop was blocked for about X ms.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.POSCARE_BENCH_STALL_FILE;
if (file && isMainThread) {
  const t0 = performance.now();
  const TICK = 20;
  let last = t0;
  let max = 0;
  let maxAt = 0;
  let over100 = 0;
  let over1000 = 0;
  // CPU the process used during the longest stall: about what the stall would be on an idle machine
  // (on a busy one a late timer may only mean the process waited for a CPU).
  let maxCpuStall = 0;
  let maxCpuStallAt = 0;
  let lastCpu = 0;
  /** The five longest stalls: [at second, ms]. */
  const top = [];
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const write = () =>
    writeFileSync(
      file,
      JSON.stringify({
        maxStallMs: Math.round(max),
        maxStallAtS: Math.round(maxAt / 100) / 10,
        maxStallCpuMs: Math.round(maxCpuStall),
        maxStallCpuAtS: Math.round(maxCpuStallAt / 100) / 10,
        stallsOver100ms: over100,
        stallsOver1s: over1000,
        longest: top.map(([at, ms]) => ({ atS: Math.round(at / 100) / 10, ms: Math.round(ms) })),
        sinceS: Math.round((performance.now() - t0) / 100) / 10,
        uptimeS: Math.round(process.uptime() * 10) / 10,
        cpuS: Math.round(cpu() * 10) / 10,
      }),
    );
  let n = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK;
    const cpuNow = cpu() * 1000;
    const busy = Math.min(late, cpuNow - lastCpu - 0);
    lastCpu = cpuNow;
    if (late > 50 && busy > maxCpuStall) {
      maxCpuStall = busy;
      maxCpuStallAt = now - t0;
    }
    if (late > max) {
      max = late;
      maxAt = now - t0;
    }
    if (late > 100) {
      over100++;
      top.push([now - t0, late]);
      top.sort((a, b) => b[1] - a[1]);
      top.length = Math.min(top.length, 5);
    }
    if (late > 1000) over1000++;
    last = now;
    if (++n % 12 === 0) write();
  }, TICK);
  timer.unref();
  process.on('exit', write);
}
