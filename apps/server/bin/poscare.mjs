#!/usr/bin/env node
// Entry point of the `poscare` command. It runs the compiled JavaScript in apps/server/dist (built by
// `npm install` / `npm ci` and `npm test`; decision 010) while that build matches the sources, and the
// TypeScript sources through tsx otherwise (or with POSCARE_FROM_SOURCES=1): a stale build is never run.
import { staleBecause } from './build-state.mjs';

const why = process.env.POSCARE_FROM_SOURCES === '1' ? 'POSCARE_FROM_SOURCES=1' : staleBecause();
if (!why) {
  await import('../dist/cli.js');
} else {
  if (why !== 'POSCARE_FROM_SOURCES=1' && process.stderr.isTTY) {
    process.stderr.write(`poscare: compiled build not used (${why}); running the TypeScript sources, which starts slower — \`npm run build\` compiles them\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
