#!/usr/bin/env node
// Generates the two Prisma clients (SQLite and PostgreSQL) from prisma/schema.prisma.
// A Prisma schema names one provider, so the PostgreSQL schema is derived from the
// SQLite one by swapping the provider, the CLI-only url and the output folder.
// Runs offline: Prisma's query compiler (engineType "client") needs no engine download.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sqliteSchemaPath = join(root, 'prisma', 'schema.prisma');
export const postgresSchemaPath = join(root, 'prisma', '.generated', 'schema.postgresql.prisma');

export function derivePostgresSchema(source) {
  const swapped = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/unused"')
    .replace(/output(\s*)=\s*"\.\.\/src\/generated\/sqlite"/, 'output$1= "../../src/generated/postgresql"');
  if (swapped === source || !swapped.includes('"postgresql"') || !swapped.includes('generated/postgresql')) {
    throw new Error('prisma/schema.prisma no longer has the provider/url/output lines this script rewrites');
  }
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: do not edit.\n${swapped}`;
}

export function writePostgresSchema() {
  mkdirSync(dirname(postgresSchemaPath), { recursive: true });
  writeFileSync(postgresSchemaPath, derivePostgresSchema(readFileSync(sqliteSchemaPath, 'utf8')));
  return postgresSchemaPath;
}

function prisma(...args) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // The prisma-kysely generator is found on PATH, as npm scripts would have it.
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}

/**
 * The columns whose values the query layer converts (src/db/values.ts), by column name:
 * DateTime, Boolean and BigInt. A name must mean one kind in every table, so rows can be
 * converted by their column names alone; the script refuses a schema where it does not.
 */
export async function writeColumnKinds() {
  const require = createRequire(import.meta.url);
  const { getDMMF } = require('@prisma/internals');
  const { datamodel } = await getDMMF({ datamodel: readFileSync(sqliteSchemaPath, 'utf8') });
  const kinds = new Map();
  const all = new Map();
  for (const model of datamodel.models) {
    for (const field of model.fields.filter((f) => f.kind === 'scalar')) {
      const column = field.dbName ?? field.name;
      const kind = { DateTime: 'datetime', Boolean: 'boolean', BigInt: 'bigint' }[field.type] ?? 'plain';
      if (all.has(column) && all.get(column) !== kind) {
        throw new Error(`Column ${column} is ${kind} in ${model.name} but ${all.get(column)} elsewhere: rename one (@map)`);
      }
      all.set(column, kind);
      if (kind !== 'plain') kinds.set(column, kind);
    }
  }
  const entries = [...kinds].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, k]) => `  ${c}: '${k}',`);
  const text = `// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: do not edit.\n` +
    `export const columnKinds: Readonly<Record<string, 'datetime' | 'boolean' | 'bigint'>> = {\n${entries.join('\n')}\n};\n`;
  writeFileSync(join(root, 'src', 'generated', 'kysely', 'columns.ts'), text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  prisma('generate', '--schema', sqliteSchemaPath);
  await writeColumnKinds();
  // The Kysely types come from the SQLite schema alone; the PostgreSQL run makes its client only.
  prisma('generate', '--schema', writePostgresSchema(), '--generator', 'client');
  console.log('Generated: Prisma clients (src/generated/sqlite, src/generated/postgresql), Kysely types (src/generated/kysely)');
}
