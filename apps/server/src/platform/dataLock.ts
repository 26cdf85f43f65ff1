/**
 * The embedded store can be opened by one process at a time. A pid file in DATA_DIR makes a second
 * process (a second `start`, or `backup` while the server runs) stop with a clear message instead of
 * corrupting the data.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DataDirBusyError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'poscare.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && alive(holder)) {
    throw new DataDirBusyError(
      `Another PosCare process (pid ${holder}) is using ${path.resolve(dataDir)}. Stop it first, or use DATABASE_URL to share a PostgreSQL server between processes.`,
    );
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}
