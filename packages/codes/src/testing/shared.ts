/**
 * Test support: the conformance data in ../shared (a sibling of the repository root, present in CI,
 * absent from a user's fresh clone). Resolved from this file, so tests run from any working directory.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// packages/codes/src/testing → packages/codes/src → packages/codes → packages → repo root → its parent.
const SHARED_ROOT = new URL('../../../../../shared/', import.meta.url);

/** Absolute path of a file under ../shared, or undefined when it is not there. */
export function sharedFile(relative: string): string | undefined {
  const path = fileURLToPath(new URL(relative, SHARED_ROOT));
  return existsSync(path) ? path : undefined;
}

/** The repository's own packages folder, for tests that read a sibling package's source. */
export const PACKAGES_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
