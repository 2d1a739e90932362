-- Deleting a friend or belonging deletes the borrowings that refer to it (Django's CASCADE, as
-- the reference model's Borrowing.what and Borrowing.to_who). Written by `prisma migrate diff`.

-- DropForeignKey
ALTER TABLE "lending_borrowing" DROP CONSTRAINT "lending_borrowing_what_id_fkey";

-- DropForeignKey
ALTER TABLE "lending_borrowing" DROP CONSTRAINT "lending_borrowing_to_who_id_fkey";

-- AddForeignKey
ALTER TABLE "lending_borrowing" ADD CONSTRAINT "lending_borrowing_what_id_fkey" FOREIGN KEY ("what_id") REFERENCES "lending_belonging"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lending_borrowing" ADD CONSTRAINT "lending_borrowing_to_who_id_fkey" FOREIGN KEY ("to_who_id") REFERENCES "lending_friend"("id") ON DELETE CASCADE ON UPDATE CASCADE;
