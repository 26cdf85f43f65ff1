/**
 * The last resort of a running server: an error that escaped every handler (a defect in how one
 * message or request was handled) is logged, and the process goes on serving every other tenant.
 * Each device message and request is guarded where it is handled; this is for what those guards miss.
 *
 * Installed only once `poscare start` has started everything, so a failure while starting still ends
 * the process with its message, as it must.
 */
import type { Logger } from 'pino';

export function keepRunningOnStrayErrors(log: Pick<Logger, 'error'>, proc: Pick<NodeJS.Process, 'on' | 'off'> = process): () => void {
  const onException = (err: unknown) => log.error({ err }, 'unexpected error outside any handler; PosCare keeps running');
  const onRejection = (err: unknown) => log.error({ err }, 'unhandled promise rejection; PosCare keeps running');
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
