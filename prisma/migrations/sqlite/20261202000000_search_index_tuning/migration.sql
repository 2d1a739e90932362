-- Hand-written (Prisma cannot express a partial index; the drift test in
-- tests/db/migrations.test.ts leaves it out on purpose). The posts whose title or body holds a
-- character that the FTS5 trigram index folds to an ASCII letter where LIKE does not: U+017F
-- (long s, char(383)) and U+212A (Kelvin sign, char(8490)). For every other post the index's
-- MATCH of a printable-ASCII term is exactly LIKE's answer, so a search's count takes it from
-- the index and rechecks only these rows (src/db/tables.ts, foldedRows). Kept by SQLite itself.
CREATE INDEX "posts_post_fts_folded_idx" ON "posts_post"("id")
  WHERE instr("title", char(383)) > 0 OR instr("title", char(8490)) > 0 OR instr("body", char(383)) > 0 OR instr("body", char(8490)) > 0;
