#!/usr/bin/env node
// `prisma generate` on prisma/schema.prisma: its one generator, prisma-kysely, writes the
// Kysely table types (src/generated/kysely). Runs offline (no engine download).
// There is no Prisma Client: nothing at run time loads Prisma.
// derivePostgresSchema: a Prisma schema names one provider, so makemigrations derives the
// PostgreSQL schema from the SQLite one by swapping the provider and the CLI-only url.
import { execFileSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sqliteSchemaPath = join(root, 'prisma', 'schema.prisma');

export function derivePostgresSchema(source) {
  const swapped = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/unused"');
  if (swapped === source || !swapped.includes('"postgresql"')) {
    throw new Error('prisma/schema.prisma no longer has the provider/url lines this script rewrites');
  }
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: do not edit.\n${swapped}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', sqliteSchemaPath], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // The prisma-kysely generator is found on PATH, as npm scripts would have it.
    // (prisma.config.ts keeps the CLI from fetching a query engine.)
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  console.log('Generated: Kysely types (src/generated/kysely)');
}
