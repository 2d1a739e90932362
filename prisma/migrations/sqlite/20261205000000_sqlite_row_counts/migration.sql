-- Hand-written (Prisma cannot express triggers; the drift test in tests/db/migrations.test.ts
-- leaves row_counts out on purpose). Exact row counts kept by triggers in the writing
-- transaction, as PostgreSQL keeps them (…_search_indexes_and_counts): an unfiltered list's count
-- is one row read, whoever wrote last. Before, each process cached the last COUNT(*) and counted
-- again after any commit to the database (PRAGMA data_version is not per table): at 1,000,000
-- posts, 14–27 ms for the first list after any write, a login's outstanding token included.
-- SQLite's triggers fire per row. Nothing writes posts_post with REPLACE (which would delete
-- without firing the delete trigger, recursive_triggers being off); loaddata's upsert
-- (ON CONFLICT DO UPDATE) updates in place. A future Prisma migration that rebuilds posts_post
-- (create, copy, drop, rename) drops these triggers with the old table: recreate them in it.
CREATE TABLE "row_counts" ("table_name" TEXT NOT NULL PRIMARY KEY, "n" INTEGER NOT NULL);
INSERT INTO "row_counts" SELECT 'posts_post', COUNT(*) FROM "posts_post";

CREATE TRIGGER "posts_post_count_insert" AFTER INSERT ON "posts_post" BEGIN
  UPDATE "row_counts" SET "n" = "n" + 1 WHERE "table_name" = 'posts_post';
END;

CREATE TRIGGER "posts_post_count_delete" AFTER DELETE ON "posts_post" BEGIN
  UPDATE "row_counts" SET "n" = "n" - 1 WHERE "table_name" = 'posts_post';
END;
