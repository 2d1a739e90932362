-- Deleting a friend or belonging deletes the borrowings that refer to it (Django's CASCADE, as
-- the reference model's Borrowing.what and Borrowing.to_who). Written by `prisma migrate diff`:
-- SQLite cannot change a foreign key's action in place, so lending_borrowing is rebuilt (no
-- trigger or hand-written object is on it; its three indexes are recreated below). Hand-added:
-- the two sqlite_sequence lines carry AUTOINCREMENT's high-water mark over to the new table, so
-- the id of a borrowing deleted before this migration is not handed out again (the copy alone
-- would restart the sequence at the largest id left).
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_lending_borrowing" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "what_id" INTEGER NOT NULL,
    "to_who_id" INTEGER NOT NULL,
    "when" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "returned" DATETIME,
    "owner_id" INTEGER NOT NULL,
    CONSTRAINT "lending_borrowing_what_id_fkey" FOREIGN KEY ("what_id") REFERENCES "lending_belonging" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "lending_borrowing_to_who_id_fkey" FOREIGN KEY ("to_who_id") REFERENCES "lending_friend" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "lending_borrowing_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_lending_borrowing" ("id", "owner_id", "returned", "to_who_id", "what_id", "when") SELECT "id", "owner_id", "returned", "to_who_id", "what_id", "when" FROM "lending_borrowing";
DELETE FROM "sqlite_sequence" WHERE "name" = 'new_lending_borrowing';
INSERT INTO "sqlite_sequence" ("name", "seq") SELECT 'new_lending_borrowing', "seq" FROM "sqlite_sequence" WHERE "name" = 'lending_borrowing';
DROP TABLE "lending_borrowing";
ALTER TABLE "new_lending_borrowing" RENAME TO "lending_borrowing";
CREATE INDEX "lending_borrowing_owner_id_when_id_idx" ON "lending_borrowing"("owner_id", "when", "id");
CREATE INDEX "lending_borrowing_what_id_idx" ON "lending_borrowing"("what_id");
CREATE INDEX "lending_borrowing_to_who_id_idx" ON "lending_borrowing"("to_who_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
