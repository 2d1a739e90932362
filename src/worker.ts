// What serves: the whole server in one process, or one of its worker threads (./server.ts
// imports this only where it serves, so the supervising main thread stays small).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createApp } from './app.js';
import type { AppConfig, Config } from './config.js';
import { openDatabase } from './db/index.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logging.js';
import { fail, listenFailure, log, onStopSignal, type WorkerData, type WorkerReport } from './process.js';
import { memoryCounters, openRedisCounters } from './rest/throttling/stores.js';

/** Serves until stopped: the whole server, or (in a worker thread) one of several sharing the port. */
export async function serve(config: Config, appConfig: AppConfig): Promise<void> {
  const logger = createLogger(config.log);
  const db = openDatabase(config.databaseUrl, { statementTimeout: config.timeouts.statement, log: (message) => logger.warn(message) });
  // PostgreSQL: a connection opened now, not by the first request (~8 ms of a new worker's first
  // response). Not awaited: a database unreachable now answers requests 503, as it would later.
  void db.ping().catch(() => undefined);
  const counters = config.redisUrl
    ? await openRedisCounters(config.redisUrl, { failOpen: config.throttleFailOpen, log: (message) => logger.warn(message) })
    : memoryCounters();
  const http = createHttpServer(createApp(appConfig, db, { counters, logger }), config.timeouts);
  // Before listening: whoever reads the `Listening on` line may stop us at once, and a SIGTERM
  // arriving before its handler would kill the process undrained (exit by signal, not 0 or 1).
  onStopSignal((signal) => {
    const grace = config.timeouts.graceful;
    log.info(`${signal} received: finishing open requests (at most ${grace} s), then exiting.`);
    void http.drain(grace).then(async (cut) => {
      if (cut > 0) log.warn(`Closed ${cut} connections still open after ${grace} s.`);
      await Promise.all([db.close(), counters.close()]);
      process.exit(cut > 0 ? 1 : 0);
    });
  });
  let port: number;
  try {
    ({ port } = await (isMainThread ? http.listen(config.port) : http.listenShared(config.port)));
  } catch (error) {
    return fail(listenFailure(config.port, error));
  }
  const worker = isMainThread ? '' : `, worker ${(workerData as WorkerData).number}`;
  log.info(`Listening on http://localhost:${port}/api/ (${db.provider}, ${config.env}${worker})`);
  parentPort?.postMessage({ listening: port } satisfies WorkerReport);
}
