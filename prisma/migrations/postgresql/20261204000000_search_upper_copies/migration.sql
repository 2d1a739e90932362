-- Hand-written (Prisma cannot express generated columns; the drift test in
-- tests/db/migrations.test.ts leaves them out on purpose).

-- Search compares UPPER(column) LIKE UPPER(pattern) (Django's icontains). Folding every
-- candidate row again on each search costs more than the rest of the recheck (measured at
-- 10,000 posts: ?search=django's count 0.75 ms with UPPER(column), 0.45 ms with a stored copy
-- and the pattern folded once). The copies are generated columns: PostgreSQL keeps them equal
-- to UPPER(column) on every write, with the same collation the expression used, so a search
-- finds exactly what it found before. The trigram indexes move to the copies.
-- Adding a stored column rewrites the table under an exclusive lock: 1,000,000 posts took ~90 s
-- here (indexes included), and the table grew from 222 to 401 MB.
ALTER TABLE "posts_post"
  ADD COLUMN "title_upper" TEXT GENERATED ALWAYS AS (UPPER("title")) STORED,
  ADD COLUMN "body_upper" TEXT GENERATED ALWAYS AS (UPPER("body")) STORED;
ALTER TABLE "transactions_transaction"
  ADD COLUMN "description_upper" TEXT GENERATED ALWAYS AS (UPPER("description")) STORED;

DROP INDEX "posts_post_title_upper_trgm_idx";
DROP INDEX "posts_post_body_upper_trgm_idx";
DROP INDEX "transactions_transaction_description_upper_trgm_idx";
-- Small pending lists, as before (20261202000000_search_index_tuning says why).
CREATE INDEX "posts_post_title_upper_trgm_idx" ON "posts_post" USING GIN ("title_upper" gin_trgm_ops) WITH (gin_pending_list_limit = 64);
CREATE INDEX "posts_post_body_upper_trgm_idx" ON "posts_post" USING GIN ("body_upper" gin_trgm_ops) WITH (gin_pending_list_limit = 64);
CREATE INDEX "transactions_transaction_description_upper_trgm_idx" ON "transactions_transaction" USING GIN ("description_upper" gin_trgm_ops) WITH (gin_pending_list_limit = 64);
