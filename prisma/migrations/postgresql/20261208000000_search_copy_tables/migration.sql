-- Hand-written (Prisma cannot express triggers; the drift test in tests/db/migrations.test.ts
-- leaves these tables out on purpose).

-- The posts' UPPER(title) copy that search compares (…_search_upper_copies) moves out of
-- posts_post into a narrow table of its own (id, value), with its trigram index. pg_trgm is
-- lossy, so a search rechecks every candidate row: in the wide table that was a read of nearly
-- every block (1,000,000 posts, ?search=django: 53,000 candidates over 32,501 of the table's
-- 395 MB, 230-280 ms, more than the 128 MB of shared_buffers PostgreSQL installs with). The
-- titles' own table is 62 MB: the same candidates lie in 7,967 blocks that stay cached, and
-- their count takes ~25 ms (src/db/search.ts counts a search from the copies alone). The body,
-- most of a row's bytes, keeps its copy in the row: a table of its own would be nearly as wide,
-- and each insert would write one more row (measured: S6 on PostgreSQL ~10-20 % slower with
-- both copies apart). So do the transactions' descriptions: every search of theirs is within
-- one user's rows, which the (user_id, timestamp, id) index finds and the copy then tests.
CREATE TABLE "posts_post_title_upper" ("id" INTEGER NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
INSERT INTO "posts_post_title_upper" SELECT "id", "title_upper" FROM "posts_post";

-- Dropping the generated column drops its index; the space it held is reused as rows are
-- rewritten (VACUUM FULL returns it at once).
ALTER TABLE "posts_post" DROP COLUMN "title_upper";
-- A small pending list, as before (…_search_index_tuning says why).
CREATE INDEX "posts_post_title_upper_trgm_idx" ON "posts_post_title_upper" USING GIN ("value" gin_trgm_ops) WITH (gin_pending_list_limit = 64);

-- Kept in the writing statement, whoever writes (the server, loaddata, psql): a copy is
-- UPPER(title) with the database's collation, as the generated column was. An insert writes
-- its copy from a row trigger (measured with pgbench, one client, single-row inserts, both
-- copies apart: 112 µs of PostgreSQL's time each with the generated columns, 118 µs with a row
-- trigger, 133 µs with a statement trigger reading the transition table). Updates, deletes and
-- truncates are kept by statement triggers (one event each, as transition tables require): an
-- update writes a copy only when the title changes, and drops the copies of ids it changed
-- away from.
CREATE FUNCTION posts_post_upper_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO posts_post_title_upper (id, value) VALUES (NEW.id, UPPER(NEW.title));
  RETURN NULL;
END $$;

CREATE FUNCTION posts_post_upper_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE posts_post_title_upper;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM posts_post_title_upper c USING old_rows o WHERE c.id = o.id;
  ELSE
    DELETE FROM posts_post_title_upper c USING old_rows o WHERE c.id = o.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = o.id);
    INSERT INTO posts_post_title_upper AS c (id, value) SELECT id, UPPER(title) FROM new_rows
      ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value WHERE c.value IS DISTINCT FROM EXCLUDED.value;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "posts_post_upper_insert" AFTER INSERT ON "posts_post"
  FOR EACH ROW EXECUTE FUNCTION posts_post_upper_insert();
CREATE TRIGGER "posts_post_upper_update" AFTER UPDATE ON "posts_post"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION posts_post_upper_copies();
CREATE TRIGGER "posts_post_upper_delete" AFTER DELETE ON "posts_post"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION posts_post_upper_copies();
CREATE TRIGGER "posts_post_upper_truncate" AFTER TRUNCATE ON "posts_post"
  FOR EACH STATEMENT EXECUTE FUNCTION posts_post_upper_copies();
