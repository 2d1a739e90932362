-- Hand-written (Prisma cannot express these; the drift test in tests/db/migrations.test.ts
-- leaves them out on purpose). A trigram full-text index over the posts' title and body, for
-- ?search= (src/db/tables.ts finds candidates with it, then rechecks with LIKE). External
-- content: the text is stored once, in posts_post; the triggers keep the index in step.
-- A future Prisma migration that rebuilds posts_post (create, copy, drop, rename) drops these
-- triggers with the old table: recreate them in that migration.
CREATE VIRTUAL TABLE "posts_post_fts" USING fts5(title, body, content='posts_post', content_rowid='id', tokenize='trigram');
INSERT INTO "posts_post_fts"("posts_post_fts") VALUES ('rebuild');

CREATE TRIGGER "posts_post_fts_insert" AFTER INSERT ON "posts_post" BEGIN
  INSERT INTO "posts_post_fts"(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER "posts_post_fts_delete" AFTER DELETE ON "posts_post" BEGIN
  INSERT INTO "posts_post_fts"("posts_post_fts", rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER "posts_post_fts_update" AFTER UPDATE OF title, body ON "posts_post" BEGIN
  INSERT INTO "posts_post_fts"("posts_post_fts", rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO "posts_post_fts"(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
