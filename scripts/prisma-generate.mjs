#!/usr/bin/env node
// Generates the two Prisma clients (SQLite and PostgreSQL) from prisma/schema.prisma.
// A Prisma schema names one provider, so the PostgreSQL schema is derived from the
// SQLite one by swapping the provider, the CLI-only url and the output folder.
// Runs offline: Prisma's query compiler (engineType "client") needs no engine download.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  prisma('generate', '--schema', sqliteSchemaPath);
  prisma('generate', '--schema', writePostgresSchema());
  console.log('Prisma clients generated: src/generated/sqlite, src/generated/postgresql');
}
