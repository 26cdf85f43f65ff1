/**
 * The running server's last resort: an error no handler caught is logged and the process stays up
 * (platform/lastResort.ts). Run in a process of its own, as an uncaught error in the test runner would
 * be the runner's to judge.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LAST_RESORT = path.resolve(import.meta.dirname, '../src/platform/lastResort.ts');

function run(install: boolean) {
  const script = `
    import { keepRunningOnStrayErrors } from ${JSON.stringify(LAST_RESORT)};
    const logged = [];
    if (${install}) keepRunningOnStrayErrors({ error: (o, msg) => logged.push(msg + ': ' + o.err.message) });
    setTimeout(() => { throw new Error('a handler failed'); }, 0);
    setTimeout(() => { void Promise.reject(new Error('a promise failed')); }, 5);
    setTimeout(() => { console.log(JSON.stringify({ alive: true, logged })); }, 50);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '..'), timeout: 30_000 });
}

describe('the last resort of a running server', () => {
  it('logs an uncaught error and an unhandled rejection, and keeps the process running', () => {
    const r = run(true);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      alive: true,
      logged: ['unexpected error outside any handler; PosCare keeps running: a handler failed', 'unhandled promise rejection; PosCare keeps running: a promise failed'],
    });
  });

  it('is what keeps it running: without it, the same error ends the process', () => {
    const r = run(false);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('alive');
    expect(r.stderr).toContain('a handler failed');
  });
});
