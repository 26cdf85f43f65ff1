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
  const write = () => writeFileSync(file, JSON.stringify({ maxStallMs: Math.round(max), maxStallAtS: Math.round(maxAt / 100) / 10, stallsOver100ms: over100, stallsOver1s: over1000, sinceS: Math.round((performance.now() - t0) / 100) / 10 }));
  let n = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK;
    if (late > max) {
      max = late;
      maxAt = now - t0;
    }
    if (late > 100) over100++;
    if (late > 1000) over1000++;
    last = now;
    if (++n % 12 === 0) write();
  }, TICK);
  timer.unref();
  process.on('exit', write);
}
