// What every process of the server shares: where it reports, how it stops at startup, and
// its stop signals. Small on purpose: the cluster primary loads it.
import cluster from 'node:cluster';

/** Where the process reports what it does; one line per call. */
export const log = {
  info: (message: string) => console.log(message),
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** A cluster worker's startup failure, sent to the primary, which prints the first one only. */
export interface StartupFailure {
  startupFailure: string;
}
export const isStartupFailure = (message: unknown): message is StartupFailure =>
  typeof (message as Partial<StartupFailure> | null)?.startupFailure === 'string';

/**
 * Stops the process with one line saying why. A cluster worker leaves the saying to its
 * primary (so N workers failing alike print one line) and waits for the message to leave.
 */
export function fail(message: string): Promise<never> {
  if (cluster.isWorker && process.connected) {
    return new Promise(() => process.send!({ startupFailure: message } satisfies StartupFailure, () => process.exit(1)));
  }
  log.error(message);
  process.exit(1);
}

/** Runs `stop` once, on the first SIGTERM or SIGINT. */
export function onStopSignal(stop: (signal: string) => void): void {
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
}
