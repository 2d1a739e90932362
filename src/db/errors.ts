// The drivers' errors, in one place: constraint errors (better-sqlite3's SQLITE_CONSTRAINT_*
// codes, PostgreSQL's SQLSTATEs 23505 unique_violation and 23503 foreign_key_violation), and
// the errors that mean the database cannot answer now.
import { DatabaseUnavailable } from '../rest/data/index.js';
import { OutageLog } from '../rest/outage.js';

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** A unique constraint (or primary key) refused the write. */
export const isUniqueViolation = (error: unknown) => {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
};

/** A foreign key refused an insert or update: the row it names is missing (every ON DELETE cascades or sets null). */
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

// What means the database cannot answer now (a 503 to retry), by kind: better-sqlite3's
// codes (extended ones start with the primary: SQLITE_BUSY_SNAPSHOT), PostgreSQL's
// SQLSTATEs and the connection errors of pg and the network.
type Unavailability = 'unreachable' | 'timeout' | 'busy' | 'full';

const details: Record<Unavailability, string> = {
  unreachable: 'Database unavailable, try again later.',
  timeout: 'Database query took too long, try again later.',
  busy: 'Database busy, try again later.',
  full: 'Database out of space, try again later.',
};

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

function unavailability(error: unknown): Unavailability | undefined {
  const code = codeOf(error);
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '55P03') return 'busy';
    if (code === 'SQLITE_FULL' || code === '53100') return 'full';
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'unreachable';
    // query_canceled: statement_timeout (or a cancel request).
    if (code === '57014') return 'timeout';
    // Connection exceptions, insufficient resources (too many connections…), the server
    // shutting down, restarting or terminating the backend.
    if (/^(08|53)...$/.test(code) || /^57P0[1-4]$/.test(code) || networkCodes.has(code)) return 'unreachable';
  }
  // pg's own words for a connection lost or never made in time (errors without a code).
  const message = error instanceof Error ? error.message : '';
  if (/^Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/.test(message)) return 'unreachable';
  return undefined;
}

/**
 * Turns the drivers' errors that mean "not now" into the toolkit's DatabaseUnavailable (a
 * 503), and logs each outage (unreachable; out of space) once, with its end.
 */
export class DatabaseHealth {
  private readonly unreachable: OutageLog;
  private readonly full: OutageLog;

  constructor(log: (message: string) => void = () => {}) {
    this.unreachable = new OutageLog(log);
    this.full = new OutageLog(log);
  }

  /** What a failed statement (or connection attempt) throws: DatabaseUnavailable, or the error itself. */
  failed(error: unknown): unknown {
    const kind = unavailability(error);
    if (!kind) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (kind === 'unreachable') this.unreachable.lost(() => `Database unreachable (${message}): requests that need it are answered 503 until it is back.`);
    if (kind === 'full') this.full.lost(() => `Database out of space (${message}): writes are answered 503 until space is freed.`);
    return new DatabaseUnavailable(details[kind], { cause: error });
  }

  /** A statement succeeded: the database is reachable, and has space if it wrote. */
  succeeded(wrote: boolean): void {
    this.unreachable.regained('Database reachable again.');
    if (wrote) this.full.regained('Database writes succeed again.');
  }
}
