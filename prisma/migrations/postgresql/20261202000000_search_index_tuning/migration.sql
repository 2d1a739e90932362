-- Hand-written (Prisma cannot express these; the drift test in tests/db/migrations.test.ts
-- leaves them out on purpose).

-- Search is Django's icontains on PostgreSQL: UPPER(column) LIKE UPPER(pattern), not ILIKE
-- (which folds by lower(): 'ς' ILIKE 'σ' is false where Django finds it). The trigram indexes
-- move to the expressions that predicate compares, so they still serve it.
DROP INDEX "posts_post_title_trgm_idx";
DROP INDEX "posts_post_body_trgm_idx";
DROP INDEX "transactions_transaction_description_trgm_idx";

-- Small pending lists (64 kB). With fastupdate (the default) new rows wait in a pending list that
-- every search reads in full, merged into the index only by VACUUM or when it reaches
-- gin_pending_list_limit (4 MB by default). Without autovacuum, or before it has run, a list that
-- large makes each search read it, and makes the planner, which costs it, prefer a sequential
-- scan testing every row (measured: ?search=django's count at 10,000 freshly loaded posts, 38 ms
-- by sequential scan, 2 ms by the index). Single-row inserts measured no slower at 64 kB.
CREATE INDEX "posts_post_title_upper_trgm_idx" ON "posts_post" USING GIN (UPPER("title") gin_trgm_ops) WITH (gin_pending_list_limit = 64);
CREATE INDEX "posts_post_body_upper_trgm_idx" ON "posts_post" USING GIN (UPPER("body") gin_trgm_ops) WITH (gin_pending_list_limit = 64);
CREATE INDEX "transactions_transaction_description_upper_trgm_idx" ON "transactions_transaction" USING GIN (UPPER("description") gin_trgm_ops) WITH (gin_pending_list_limit = 64);
