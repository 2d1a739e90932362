-- Hand-written (Prisma cannot express index storage parameters). Small pending lists for the
-- trigram GIN indexes. With fastupdate (the default) new rows wait in a pending list that every
-- search reads in full, merged into the index only by VACUUM or when it reaches
-- gin_pending_list_limit (4 MB by default). Without autovacuum, or before it has run, a list that
-- large makes each search read it, and makes the planner, which costs it, prefer a sequential
-- scan with ILIKE on every row (measured: ?search=django's count at 10,000 freshly loaded posts,
-- 38 ms by sequential scan, 1 ms by the index). At 64 kB inserts cost the same (measured).
ALTER INDEX "posts_post_title_trgm_idx" SET (gin_pending_list_limit = 64);
ALTER INDEX "posts_post_body_trgm_idx" SET (gin_pending_list_limit = 64);
ALTER INDEX "transactions_transaction_description_trgm_idx" SET (gin_pending_list_limit = 64);
SELECT gin_clean_pending_list('"posts_post_title_trgm_idx"'::regclass),
       gin_clean_pending_list('"posts_post_body_trgm_idx"'::regclass),
       gin_clean_pending_list('"transactions_transaction_description_trgm_idx"'::regclass);
