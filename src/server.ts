// Process entry: load and validate the configuration, migrate, open the database and
// the throttle counters, build the app, listen, and shut down cleanly on SIGTERM/SIGINT.
// With WEB_CONCURRENCY > 1 this process is a node:cluster primary: it migrates once,
// then forks that many workers sharing the port, replaces any that die, and stops them
// all on SIGTERM/SIGINT. Each worker serves as a single process would.
import cluster, { type Worker } from 'node:cluster';
import { createApp } from './app.js';
import { ConfigError, loadConfig, resolveSecretKey, type AppConfig, type Config } from './config.js';
import { openDatabase } from './db/index.js';
import { createLogger } from './logging.js';
import { MigrationError, migrate } from './db/migrate.js';
import { createHttpServer } from './http-server.js';
import { memoryCounters, openRedisCounters } from './rest/throttling/stores.js';

/** Where the process reports what it does; one line per call. */
const log = {
  info: (message: string) => console.log(message),
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** A cluster worker's startup failure, sent to the primary, which prints the first one only. */
interface StartupFailure {
  startupFailure: string;
}
const isStartupFailure = (message: unknown): message is StartupFailure =>
  typeof (message as Partial<StartupFailure> | null)?.startupFailure === 'string';

/**
 * Stops the process with one line saying why. A cluster worker leaves the saying to its
 * primary (so N workers failing alike print one line) and waits for the message to leave.
 */
function fail(message: string): Promise<never> {
  if (cluster.isWorker && process.connected) {
    return new Promise(() => process.send!({ startupFailure: message } satisfies StartupFailure, () => process.exit(1)));
  }
  log.error(message);
  process.exit(1);
}

/** Runs `stop` once, on the first SIGTERM or SIGINT. */
function onStopSignal(stop: (signal: string) => void): void {
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
}

async function migrateOrFail(config: Config): Promise<void> {
  try {
    await migrate(config.databaseUrl, { log: (line) => log.info(line) });
  } catch (error) {
    if (error instanceof MigrationError) return fail(`Database migration failed, not starting: ${error.message}`);
    return fail(`Cannot reach the database, not starting: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function listenFailure(port: number, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'EADDRINUSE' ? 'it is already in use' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  return `Cannot listen on port ${port}: ${reason}.`;
}

/** One serving process: the whole server, or one cluster worker. */
async function serve(config: Config, appConfig: AppConfig): Promise<void> {
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

/**
 * The cluster primary. A worker that dies after it started listening is replaced; one
 * that dies before is a startup failure (bad port, unreachable database), so everything
 * stops rather than restarting it in a loop. On SIGTERM/SIGINT each worker drains; the
 * primary exits once they all have (0 if every one drained cleanly).
 */
function runPrimary(config: Config, appConfig: AppConfig): void {
  if (!config.redisUrl) {
    log.warn(
      `Warning: ${config.workers} workers without REDIS_URL: each worker counts throttled requests on its own, ` +
        `so a client may get up to ${config.workers} times each rate. Set REDIS_URL to share the counts.`,
    );
  }
  const listening = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;
  let startupFailure: string | undefined;
  // Workers share the secret the primary resolved, not one generated each.
  const fork = () => cluster.fork({ SECRET_KEY: appConfig.secretKey });
  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);

  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('message', (_worker, message: unknown) => {
    if (isStartupFailure(message)) startupFailure ??= message.startupFailure;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (liveWorkers().length === 0) process.exit(exitCode);
      return;
    }
    if (!listening.has(worker)) {
      // Its message, if it sent one, is read before its channel closes.
      const stop = () => {
        stopAll();
        void fail(startupFailure ?? `Worker ${worker.id} failed to start (exit code ${code}): stopping.`);
      };
      if (worker.isConnected()) worker.once('disconnect', stop);
      else stop();
      return;
    }
    log.error(`Worker ${worker.id} died (${signal ?? `exit code ${code}`}): starting a new one.`);
    fork();
  });
  const stopAll = () => {
    stopping = true;
    for (const worker of liveWorkers()) worker.process.kill('SIGTERM');
  };
  onStopSignal((signal) => {
    log.info(`${signal} received: stopping ${config.workers} workers.`);
    stopAll();
    // Each worker bounds its own drain; this only catches one that is stuck.
    setTimeout(() => {
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, (config.timeouts.graceful + 5) * 1000).unref();
  });

  log.info(`Primary ${process.pid}: starting ${config.workers} workers.`);
  for (let i = 0; i < config.workers; i += 1) fork();
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.problems.map((problem) => `Configuration error: ${problem}`).join('\n'));
    throw error;
  }
  const appConfig = resolveSecretKey(config, (message) => log.warn(`Warning: ${message}`));

  if (cluster.isWorker) return serve(config, appConfig);
  if (config.migrateOnStart) await migrateOrFail(config);
  if (config.workers > 1) return runPrimary(config, appConfig);
  return serve(config, appConfig);
}

main().catch((error: unknown) => fail(`Fatal: ${error instanceof Error ? error.message : String(error)}`));
