-- Nothing on PostgreSQL: the SQLite migration of this name indexes the posts that its FTS5
-- trigram index folds differently from LIKE; pg_trgm's GIN indexes are always rechecked.
SELECT 1;
