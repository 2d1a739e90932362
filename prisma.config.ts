// Prisma CLI configuration. The JS schema engine ("js") runs offline, unlike the
// Rust one that Prisma would otherwise download. The project applies migrations with
// its own runner (src/db/migrate.ts); the CLI is used only for `generate` and `migrate diff`.
// The SQLite adapter is kept for the CLI alone (it opens its database through it); the
// server never loads it.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

// The schema has no Prisma Client generator (nothing runs Prisma Client): without this, the
// CLI would fetch the Rust query engine, which it needs for no command this project runs.
process.env.PRISMA_CLIENT_ENGINE_TYPE ??= 'client';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaBetterSQLite3({ url: 'file:./data/prisma-cli.sqlite3' }),
});
