// Prisma's request error codes, in one place. Free of imports, so the toolkit (src/rest)
// can use it without loading the generated clients.

/** The code of a Prisma request error (P2002…), or undefined for any other error. */
export const prismaCode = (error: unknown): unknown => (error as { code?: unknown }).code;

/** P2002: a unique constraint refused the write. */
export const isUniqueViolation = (error: unknown) => prismaCode(error) === 'P2002';

/** P2003: a foreign key refused the write (a referenced row is missing, or a referring one remains). */
export const isForeignKeyViolation = (error: unknown) => prismaCode(error) === 'P2003';

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
