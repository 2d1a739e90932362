// Prisma CLI configuration. The JS schema engine ("js") runs offline, unlike the
// Rust one that Prisma would otherwise download. The project applies migrations with
// its own runner (src/db/migrate.ts); the CLI is used only for `generate` and `migrate diff`.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaBetterSQLite3({ url: 'file:./data/prisma-cli.sqlite3' }),
});
