// What every thread of the server shares: where it reports, how it stops at startup, and
// its stop signals. Small on purpose: the supervising main thread loads it.
import { isMainThread, parentPort } from 'node:worker_threads';

/** Where the server reports what it does; one line per call. */
export const log = {
  info: (message: string) => console.log(message),
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** What the main thread gives a worker thread: its number (1, 2…; a replacement takes the next). */
export interface WorkerData {
  number: number;
}
/** What a worker thread tells the main thread: its startup failed, or it listens on `port`. */
export type WorkerReport = { startupFailure: string } | { listening: number };
/** What the main thread tells a worker thread: the process got a stop signal. */
export interface StopRequest {
  stop: string;
}

/** One line saying why the server cannot listen on `port`. */
export function listenFailure(port: number, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'EADDRINUSE' ? 'it is already in use' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  return `Cannot listen on port ${port}: ${reason}.`;
}

/**
 * Stops with one line saying why. A worker thread leaves the saying to the main thread
 * (so N workers failing alike print one line) and ends itself; the main thread ends the process.
 */
export function fail(message: string): Promise<never> {
  if (!isMainThread) {
    parentPort!.postMessage({ startupFailure: message } satisfies WorkerReport);
    process.exit(1);
  }
  log.error(message);
  process.exit(1);
}

/**
 * Runs `stop` once, on the first SIGTERM or SIGINT. Signals reach only the main thread, which
 * passes them on to each worker thread as a StopRequest.
 */
export function onStopSignal(stop: (signal: string) => void): void {
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  if (!isMainThread) {
    parentPort!.on('message', (message: Partial<StopRequest>) => {
      if (typeof message.stop === 'string') once(message.stop);
    });
    return;
  }
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
}
