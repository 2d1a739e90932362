-- AlterTable
ALTER TABLE "auth_user" ADD COLUMN "credentials_changed_at" DATETIME;

-- CreateTable
CREATE TABLE "authtoken_token" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "user_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "authtoken_token_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "django_session" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "user_id" INTEGER NOT NULL,
    "expires_at" DATETIME NOT NULL,
    CONSTRAINT "django_session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "authtoken_token_user_id_idx" ON "authtoken_token"("user_id");

-- CreateIndex
CREATE INDEX "django_session_user_id_idx" ON "django_session"("user_id");

-- CreateIndex
CREATE INDEX "django_session_expires_at_idx" ON "django_session"("expires_at");

