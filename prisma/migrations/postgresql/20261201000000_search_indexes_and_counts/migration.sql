-- Hand-written (Prisma cannot express these; the drift test in tests/db/migrations.test.ts
-- leaves them out on purpose).

-- Trigram GIN indexes: ILIKE '%term%' (icontains) on posts uses them for terms of 3+ characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "posts_post_title_trgm_idx" ON "posts_post" USING GIN ("title" gin_trgm_ops);
CREATE INDEX "posts_post_body_trgm_idx" ON "posts_post" USING GIN ("body" gin_trgm_ops);
CREATE INDEX "transactions_transaction_description_trgm_idx" ON "transactions_transaction" USING GIN ("description" gin_trgm_ops);

-- Exact row counts kept by triggers in the writing transaction: an unfiltered list's count
-- is one primary-key lookup instead of a scan (src/db/tables.ts, countAll).
CREATE TABLE "row_counts" ("table_name" TEXT NOT NULL PRIMARY KEY, "n" BIGINT NOT NULL);
INSERT INTO "row_counts" SELECT 'posts_post', COUNT(*) FROM "posts_post";

CREATE FUNCTION row_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE row_counts SET n = n + (SELECT COUNT(*) FROM new_rows) WHERE table_name = TG_TABLE_NAME;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE row_counts SET n = n - (SELECT COUNT(*) FROM old_rows) WHERE table_name = TG_TABLE_NAME;
  ELSE
    UPDATE row_counts SET n = 0 WHERE table_name = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "posts_post_count_insert" AFTER INSERT ON "posts_post"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track();
CREATE TRIGGER "posts_post_count_delete" AFTER DELETE ON "posts_post"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track();
CREATE TRIGGER "posts_post_count_truncate" AFTER TRUNCATE ON "posts_post"
  FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track();
