// openapi.yaml: the OpenAPI document of the URL table (src/app.ts), as `npm run openapi`
// writes it and the drift test compares it. No configuration value changes the document.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiInfo, urlPatterns } from './app.js';
import { loadConfig, projectRoot, type AppConfig } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { openApiDocument, openApiYaml } from './rest/openapi/index.js';

export const openApiFile = join(projectRoot, 'openapi.yaml');

/**
 * Runs `work` with a default configuration and a database object that is never opened:
 * building the URL table needs one, describing it queries nothing.
 */
export async function withUnusedDatabase<T>(work: (config: AppConfig, db: Database) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  const db = openDatabase(`file:${join(dir, 'unused.sqlite3')}`);
  try {
    return await work({ ...loadConfig({}), secretKey: 'unused: describing the API signs no token' }, db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text openapi.yaml must hold. */
export function generateOpenApiYaml(): Promise<string> {
  return withUnusedDatabase(async (config, db) => openApiYaml(await openApiDocument(urlPatterns(config, db), apiInfo)));
}
