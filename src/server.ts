// Process entry: load and validate the configuration, migrate, open the database,
// build the app, listen, and shut down cleanly on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig, resolveSecretKey } from './config.js';
import { openDatabase } from './db/index.js';
import { MigrationError, migrate } from './db/migrate.js';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
    throw error;
  }
  const appConfig = resolveSecretKey(config, (message) => console.warn(`Warning: ${message}`));

  if (config.migrateOnStart) {
    try {
      await migrate(config.databaseUrl, { log: (line) => console.log(line) });
    } catch (error) {
      if (error instanceof MigrationError) fail(`Database migration failed, not starting: ${error.message}`);
      fail(`Cannot reach the database, not starting: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const db = openDatabase(config.databaseUrl);
  const app = createApp(appConfig, db);
  const server: Server = app.listen(config.port, () => {
    console.log(`Listening on http://localhost:${config.port}/api/ (${db.provider}, ${config.env})`);
  });
  server.on('error', (error) => fail(`Cannot listen on port ${config.port}: ${error.message}`));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing open requests, then exiting.`);
    server.close(() => void db.close().then(() => process.exit(0)));
    server.closeIdleConnections();
    // Keep-alive clients that never go idle must not hold the process forever.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => fail(`Fatal: ${error instanceof Error ? error.message : String(error)}`));
