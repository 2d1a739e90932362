// Process entry: load and validate the configuration, migrate, open the database and
// the throttle counters, build the app, listen, and shut down cleanly on SIGTERM/SIGINT.
// With WEB_CONCURRENCY > 1 the main thread migrates once (in a child process), then starts
// that many worker threads, each serving on its own socket bound to the port (SO_REUSEPORT:
// the kernel spreads connections among them), replaces any that die, and stops them all on
// SIGTERM/SIGINT. Threads rather than processes: one process maps Node's binary once (40–48 MB
// of RSS per process) and N workers fit where N processes plus a primary would not. The main
// thread loads only the configuration and the supervision: the app, the database drivers and
// the migrations are imported where they are used (./worker.ts, ./migrate-on-start.ts).
import { fork as forkProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { extname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, Worker, type ResourceLimits } from 'node:worker_threads';
import { ConfigError, loadConfig, resolveSecretKey, type AppConfig, type Config } from './config.js';
import { fail, listenFailure, log, onStopSignal, type StopRequest, type WorkerData, type WorkerReport } from './process.js';

/** What each worker thread runs: this module, from source by way of ./tsx-worker.mjs (which registers tsx). */
const workerEntry = new URL(import.meta.url.endsWith('.ts') ? './tsx-worker.mjs' : import.meta.url, import.meta.url);

/** The node and V8 flags the operator gave (node's own command line and NODE_OPTIONS). */
const givenFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const given = (flag: string) => givenFlags.some((arg) => arg.startsWith(flag));

/**
 * Heap settings for the workers, unless the operator set them: a young generation of 12 MB (V8's
 * 4 MB semi-spaces) instead of up to 48 MB, which a worker fills while it loads the app and then
 * keeps; and an old generation that grows by 25 % of what survived a collection rather than V8's
 * up to 4×. Not smaller: at 64 connections a request outlived two scavenges of a 2 MB
 * semi-space (its PostgreSQL round trips most of all), so ~10–12 KB of it was promoted and left
 * to mark-compacts. Against 6 MB, on S6 with two workers: half the scavenges per request; on
 * PostgreSQL ~9 % more throughput (median of 13 alternated pairs, 12 faster) and peak RSS
 * 168–177 MB instead of 161–167; on SQLite 184–188 MB instead of 174–177 (README, Benchmarks).
 */
function workerHeapSettings(): ResourceLimits {
  // A V8 flag is process-wide; set before a worker starts, its heap is sized by it.
  if (!given('--heap-growing-percent')) setFlagsFromString('--heap-growing-percent=25');
  return given('--max-semi-space-size') ? {} : { maxYoungGenerationSizeMb: 12 };
}

/** Rejects with the listen error if `port` is taken: SO_REUSEPORT sockets would share it with another server of ours. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/**
 * The supervising main thread. A worker that dies after it started listening is replaced; one
 * that dies before is a startup failure (bad port, unreachable database), so everything stops
 * rather than restarting it in a loop. On SIGTERM/SIGINT each worker drains; the process
 * exits once they all have (0 if every one drained cleanly).
 */
async function runWorkers(config: Config, appConfig: AppConfig): Promise<void> {
  if (!config.redisUrl) {
    log.warn(
      `Warning: ${config.workers} workers without REDIS_URL: each worker counts throttled requests on its own, ` +
        `so a client may get up to ${config.workers} times each rate. Set REDIS_URL to share the counts.`,
    );
  }
  if (config.port !== 0) await checkPortFree(config.port).catch((error: unknown) => fail(listenFailure(config.port, error)));
  const workers = new Set<Worker>();
  const listening = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;
  let startupFailure: string | undefined;
  let started = 0;
  // With PORT=0 the first worker chooses the port the others then share.
  let port = config.port;
  const resourceLimits = workerHeapSettings();

  /** Starts a worker on `port`; resolves once it listens. */
  const start = () =>
    new Promise<void>((resolve) => {
      const number = (started += 1);
      const worker = new Worker(workerEntry, {
        workerData: { number } satisfies WorkerData,
        // Workers share the secret the main thread resolved, not one generated each.
        env: { ...process.env, SECRET_KEY: appConfig.secretKey, PORT: String(port) },
        resourceLimits,
      });
      workers.add(worker);
      worker.on('message', (report: WorkerReport) => {
        if ('startupFailure' in report) startupFailure ??= report.startupFailure;
        else {
          listening.add(worker);
          port = report.listening;
          resolve();
        }
      });
      // A worker's uncaught exception: it exits next (and is replaced, unless starting up).
      worker.on('error', (error) => log.error(`Worker ${number} failed: ${error.stack ?? String(error)}`));
      worker.on('exit', (code) => {
        workers.delete(worker);
        if (stopping) {
          if (code !== 0) exitCode = 1;
          if (workers.size === 0) process.exit(exitCode);
        } else if (!listening.has(worker)) {
          void fail(startupFailure ?? `Worker ${number} failed to start (exit code ${code}): stopping.`);
        } else {
          log.error(`Worker ${number} died (exit code ${code}): starting a new one.`);
          void start();
        }
      });
    });

  onStopSignal((signal) => {
    log.info(`${signal} received: stopping ${workers.size} workers.`);
    stopping = true;
    for (const worker of workers) worker.postMessage({ stop: signal } satisfies StopRequest);
    // Each worker bounds its own drain; this only catches one that is stuck.
    setTimeout(() => process.exit(1), (config.timeouts.graceful + 5) * 1000).unref();
  });

  log.info(`Process ${process.pid}: starting ${config.workers} worker threads.`);
  if (port === 0) await start();
  while (started < config.workers) void start();
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

  if (!isMainThread) return (await import('./worker.js')).serve(config, appConfig);
  if (config.workers > 1) {
    if (config.migrateOnStart) await migrateInChild();
    return runWorkers(config, appConfig);
  }
  if (config.migrateOnStart) await (await import('./migrate-on-start.js')).migrateOrFail(config);
  return (await import('./worker.js')).serve(config, appConfig);
}

/** Migrates in a child process (it prints what it applied, or the one line saying why not). */
async function migrateInChild(): Promise<void> {
  // The same extension as this module's: .js when built, .ts when run from source.
  const child = forkProcess(new URL(`./migrate-on-start${extname(import.meta.url)}`, import.meta.url));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) process.exit(1);
}

main().catch((error: unknown) => fail(`Fatal: ${error instanceof Error ? error.message : String(error)}`));
