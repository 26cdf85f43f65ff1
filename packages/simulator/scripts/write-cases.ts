/**
 * Writes the simulator's labelled diagnosis cases to a folder, one JSON file per case with the label
 * under `expected` (like shared/examples/diagnosis) and how it was made under `simulation`, for people
 * to read. The evaluation generates the same set in memory; do not commit the output.
 *
 *   npx tsx packages/simulator/scripts/write-cases.ts OUT_DIR [--seed N] [--per-fault N] [--fault CODE]...
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, FAULT_IDS, isFaultId, labelledCases, type FaultId } from '../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seed: { type: 'string' }, 'per-fault': { type: 'string' }, fault: { type: 'string', multiple: true } },
});
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: write-cases.ts OUT_DIR [--seed N] [--per-fault N] [--fault CODE|healthy]...\n');
  process.exit(2);
}
const faults = values.fault?.map((f): FaultId | null => {
  if (f === 'healthy') return null;
  if (!isFaultId(f)) {
    process.stderr.write(`unknown fault ${f}; one of: ${FAULT_IDS.join(', ')}, healthy\n`);
    process.exit(2);
  }
  return f;
});
const started = performance.now();
const cases = labelledCases({
  seed: values.seed === undefined ? DEFAULT_SEED : Number(values.seed),
  perFault: values['per-fault'] === undefined ? 10 : Number(values['per-fault']),
  ...(faults ? { faults } : {}),
});
mkdirSync(out, { recursive: true });
for (const c of cases) writeFileSync(join(out, `${c.case.id}.json`), `${JSON.stringify({ ...c.case, expected: c.label, simulation: c.meta }, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ cases: cases.length, folder: out, ms: Math.round(performance.now() - started) })}\n`);
