// One serving process: the whole server, or one cluster worker (./server.ts imports this
// only in the processes that serve, so the cluster primary stays small).
import cluster from 'node:cluster';
import { createApp } from './app.js';
import type { AppConfig, Config } from './config.js';
import { openDatabase } from './db/index.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logging.js';
import { fail, log, onStopSignal } from './process.js';
import { memoryCounters, openRedisCounters } from './rest/throttling/stores.js';

function listenFailure(port: number, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'EADDRINUSE' ? 'it is already in use' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  return `Cannot listen on port ${port}: ${reason}.`;
}

/** One serving process: the whole server, or one cluster worker. */
export async function serve(config: Config, appConfig: AppConfig): Promise<void> {
  const logger = createLogger(config.log);
  const db = openDatabase(config.databaseUrl, { statementTimeout: config.timeouts.statement, log: (message) => logger.warn(message) });
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
    ({ port } = await http.listen(config.port));
  } catch (error) {
    return fail(listenFailure(config.port, error));
  }
  const worker = cluster.isWorker ? `, worker ${cluster.worker!.id}` : '';
  log.info(`Listening on http://localhost:${port}/api/ (${db.provider}, ${config.env}${worker})`);
}
