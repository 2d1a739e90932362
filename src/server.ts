// Process entry: load and validate the configuration, migrate, open the database and
// the throttle counters, build the app, listen, and shut down cleanly on SIGTERM/SIGINT.
// With WEB_CONCURRENCY > 1 this process is a node:cluster primary: it migrates once (in a
// child process), then forks that many workers sharing the port, replaces any that die, and
// stops them all on SIGTERM/SIGINT. Each worker serves as a single process would. The
// primary loads only the configuration and the supervision: the app, the database drivers
// and the migrations are imported by the processes that use them (./worker.ts, ./migrate-on-start.ts).
import { fork as forkProcess } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { ConfigError, loadConfig, resolveSecretKey, type AppConfig, type Config } from './config.js';
import { fail, isStartupFailure, log, onStopSignal } from './process.js';

/**
 * V8 flags for the workers, unless the operator set them (node's own flags or NODE_OPTIONS): a
 * young generation of 2 MB semi-spaces instead of V8's up to 16 MB, which a worker fills while it
 * loads the app and then keeps. Measured with compare.sh (S1, S3, S5, S6): peak RSS of the three
 * processes 256–275 MB instead of 260–311 MB, throughput within the run-to-run noise.
 */
const workerV8Flags = ['--max-semi-space-size=2'];

function workerExecArgv(): string[] {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const unset = workerV8Flags.filter((flag) => !given.some((arg) => arg.startsWith(flag.slice(0, flag.indexOf('=')))));
  return [...process.execArgv, ...unset];
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

  cluster.setupPrimary({ execArgv: workerExecArgv() });
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

  if (cluster.isWorker) return (await import('./worker.js')).serve(config, appConfig);
  if (config.workers > 1) {
    if (config.migrateOnStart) await migrateInChild();
    return runPrimary(config, appConfig);
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
