// The drivers' constraint errors, in one place: better-sqlite3's SQLITE_CONSTRAINT_* codes
// and PostgreSQL's SQLSTATEs (23505 unique_violation, 23503 foreign_key_violation).

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** A unique constraint (or primary key) refused the write. */
export const isUniqueViolation = (error: unknown) => {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
};

/** A foreign key refused the write (a referenced row is missing, or a referring one remains). */
export const isForeignKeyViolation = (error: unknown) => {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
};

/** Inserts a row guarded by a unique constraint: false when it was already there. */
export async function insertOnce(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
