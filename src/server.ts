// Process entry: load and validate the configuration, migrate, open the database and
// the throttle counters, build the app, listen, and shut down cleanly on SIGTERM/SIGINT.
// With WEB_CONCURRENCY > 1 this process is a node:cluster primary: it migrates once,
// then forks that many workers sharing the port, replaces any that die, and stops them
// all on SIGTERM/SIGINT. Each worker serves as a single process would.
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, loadConfig, resolveSecretKey, type AppConfig, type Config } from './config.js';
import { openDatabase } from './db/index.js';
import { createLogger } from './logging.js';
import { MigrationError, migrate } from './db/migrate.js';
import { memoryCounters, openRedisCounters } from './rest/throttle-stores.js';

function fail(message: string): never {
  console.error(message);
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
    await migrate(config.databaseUrl, { log: (line) => console.log(line) });
  } catch (error) {
    if (error instanceof MigrationError) fail(`Database migration failed, not starting: ${error.message}`);
    fail(`Cannot reach the database, not starting: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** One serving process: the whole server, or one cluster worker. */
async function serve(config: Config, appConfig: AppConfig): Promise<void> {
  const db = openDatabase(config.databaseUrl);
  const logger = createLogger(config.log);
  const counters = config.redisUrl
    ? await openRedisCounters(config.redisUrl, { failOpen: config.throttleFailOpen, log: (message) => logger.warn(message) })
    : memoryCounters();
  const app = createApp(appConfig, db, { counters, logger });
  const server = app.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    const worker = cluster.isWorker ? `, worker ${cluster.worker!.id}` : '';
    console.log(`Listening on http://localhost:${port}/api/ (${db.provider}, ${config.env}${worker})`);
  });
  server.on('error', (error) => fail(`Cannot listen on port ${config.port}: ${error.message}`));

  onStopSignal((signal) => {
    console.log(`${signal} received: finishing open requests, then exiting.`);
    server.close(() => void Promise.all([db.close(), counters.close()]).then(() => process.exit(0)));
    server.closeIdleConnections();
    // Keep-alive clients that never go idle must not hold the process forever.
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}

/**
 * The cluster primary. A worker that dies after it started listening is replaced; one
 * that dies before is a startup failure (bad port, unreachable database), so everything
 * stops rather than restarting it in a loop.
 */
function runPrimary(config: Config, appConfig: AppConfig): void {
  if (!config.redisUrl) {
    console.warn(
      `Warning: ${config.workers} workers without REDIS_URL: each worker counts throttled requests on its own, ` +
        `so a client may get up to ${config.workers} times each rate. Set REDIS_URL to share the counts.`,
    );
  }
  const listening = new WeakSet<Worker>();
  let stopping = false;
  // Workers share the secret the primary resolved, not one generated each.
  const fork = () => cluster.fork({ SECRET_KEY: appConfig.secretKey });

  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (!listening.has(worker)) {
      stopAll();
      fail(`Worker ${worker.id} failed to start (exit code ${code}): stopping.`);
    }
    console.error(`Worker ${worker.id} died (${signal ?? `exit code ${code}`}): starting a new one.`);
    fork();
  });
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  onStopSignal((signal) => {
    console.log(`${signal} received: stopping ${config.workers} workers.`);
    stopAll();
    setTimeout(() => process.exit(1), 15_000).unref();
  });

  console.log(`Primary ${process.pid}: starting ${config.workers} workers.`);
  for (let i = 0; i < config.workers; i += 1) fork();
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.problems.map((problem) => `Configuration error: ${problem}`).join('\n'));
    throw error;
  }
  const appConfig = resolveSecretKey(config, (message) => console.warn(`Warning: ${message}`));

  if (cluster.isWorker) return serve(config, appConfig);
  if (config.migrateOnStart) await migrateOrFail(config);
  if (config.workers > 1) return runPrimary(config, appConfig);
  return serve(config, appConfig);
}

main().catch((error: unknown) => fail(`Fatal: ${error instanceof Error ? error.message : String(error)}`));
