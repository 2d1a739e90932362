// openapi.yaml: the OpenAPI document of the URL table (src/app.ts), as `npm run openapi`
// writes it and the drift test compares it. No configuration value changes the document.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiInfo, urlPatterns } from './app.js';
import { loadConfig, projectRoot } from './config.js';
import { openDatabase } from './db/index.js';
import { openApiDocument, openApiYaml } from './rest/openapi.js';

export const openApiFile = join(projectRoot, 'openapi.yaml');

/** The text openapi.yaml must hold. The views need a database object; nothing queries it. */
export async function generateOpenApiYaml(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  const db = openDatabase(`file:${join(dir, 'unused.sqlite3')}`);
  try {
    const config = { ...loadConfig({}), secretKey: 'unused: describing the API signs no token' };
    return openApiYaml(await openApiDocument(urlPatterns(config, db), apiInfo));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
