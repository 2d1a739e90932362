// Kysely dialects over better-sqlite3 and pg that apply the value conventions of ./values.ts
// and keep each statement prepared once: better-sqlite3 statements cached by SQL text (the
// stock SqliteDialect prepares every query anew). On SQLite, single writes made while a commit
// waits for its fsync are committed together (SqliteConnection.writeNow).
import Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import { DatabaseHealth } from './errors.js';
import { postgresParameter, sqliteParameter, sqliteRowReader, type RowReader } from './values.js';

export type Row = Record<string, unknown>;

/** Sees every statement sent (tests count queries with it). */
export type QueryObserver = (sql: string) => void;

/** Waits its turn for a resource held across awaits (SQLite's one connection in a transaction). */
class Mutex {
  private queue: (() => void)[] = [];
  held = false;
  async lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }
  unlock(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = false;
  }
  async holding<T>(work: () => T): Promise<T> {
    await this.lock();
    try {
      return work();
    } finally {
      this.unlock();
    }
  }
}

interface SqliteStatement {
  statement: Sqlite.Statement;
  /** A reader's rows from its values (the statement returns arrays). */
  readRow: RowReader | undefined;
}

/** A write waiting for its group commit (SqliteConnection.writeNow). */
interface PendingWrite {
  sql: string;
  parameters: readonly unknown[];
  resolve: (result: QueryResult<Row>) => void;
  reject: (error: unknown) => void;
}

type WriteOutcome = { result: QueryResult<Row> } | { error: unknown };

// Waits between tries of a statement refused by another connection's lock (another worker's or process's); the last one repeats.
// (SQLite's own busy handler starts the same way, then sleeps up to 100 ms at a time: a statement
// that has waited long then loses the lock to newcomers, which made a tail of seconds.)
const BUSY_RETRY_MS = [1, 1, 2, 2, 5];
const isBusy = (error: unknown) => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
const neverInTransaction = () => false;
const noQueue = () => undefined;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Statements kept prepared per connection; past this many distinct SQL texts (ad-hoc
// queries of the commands), the cache starts over rather than grow without bound.
const STATEMENT_CACHE_SIZE = 1000;

/** The one better-sqlite3 connection of a process, with its statements prepared once. */
export class SqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SqliteStatement>();
  /** Held by a transaction for its whole duration: other queries wait for it. */
  readonly mutex = new Mutex();
  /** This connection's writes refused by another connection's lock, waiting their turn to try again. */
  private readonly writers = new Mutex();
  /** Writes outside transactions not yet sent, committed together at the next check phase. */
  private pendingWrites: PendingWrite[] = [];

  /**
   * `db` must have no busy timeout (`timeout: 0`): run() waits for other connections' locks
   * itself, up to `lockWaitMs`.
   */
  constructor(
    readonly db: Sqlite.Database,
    private readonly lockWaitMs: number,
    private readonly onQuery?: QueryObserver,
    private readonly health = new DatabaseHealth(),
  ) {}

  prepared(sql: string): SqliteStatement {
    let entry = this.statements.get(sql);
    if (!entry) {
      const statement = this.db.prepare(sql);
      const readRow = statement.reader ? sqliteRowReader(statement.columns()) : undefined;
      if (readRow) statement.raw(true);
      entry = { statement, readRow };
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      this.statements.set(sql, entry);
    }
    return entry;
  }

  /**
   * One statement by the connection's holder (Kysely's own queries and transactions). Outside
   * a transaction it waits for other connections' locks (see waitingForLocks); in one
   * (IMMEDIATE: the lock is already ours) a refusal fails at once, as SQLite asks.
   */
  run(sql: string, parameters: readonly unknown[]): Promise<QueryResult<Row>> {
    // Not in the writers' queue: holding the connection, it would keep the queue's first write,
    // which waits for the connection, from ever finishing.
    return this.waitingForLocks(() => this.runNow(sql, parameters), () => this.db.inTransaction, noQueue);
  }

  /**
   * One statement outside any transaction: waits for this connection's transaction to end, and
   * for other connections' locks. A read runs at once; a write joins the writes that reach the
   * connection before the event loop's next check phase, which are committed together (see writeNow).
   */
  runAlone(sql: string, parameters: readonly unknown[]): Promise<QueryResult<Row>> {
    let write: boolean;
    try {
      write = !this.prepared(sql).statement.readonly;
    } catch {
      write = false; // the statement fails (or waits for a lock) as a read would
    }
    if (!write) return this.waitingForLocks(() => this.alone(() => this.runNow(sql, parameters)), neverInTransaction, noQueue);
    return new Promise((resolve, reject) => {
      if (this.pendingWrites.push({ sql, parameters, resolve, reject }) === 1) setImmediate(() => this.writeNow());
    });
  }

  /** `work` once no transaction of this connection's holder is open. */
  private alone<T>(work: () => T): T | Promise<T> {
    return this.mutex.held ? this.mutex.holding(work) : work();
  }

  /**
   * Group commit. With synchronous=FULL each commit waits for its fsync, during which this
   * thread does nothing else; the writes that arrive meanwhile are then committed by one
   * transaction, and one fsync, instead of one each. Each write still answers only once its
   * commit is on disk, with its own result or error: a write refused by a constraint fails
   * alone (SQLite undoes that statement only, see commitTogether); a failed commit fails every
   * write of the batch, none of which is kept. A lone write runs by itself.
   */
  private writeNow(): void {
    const batch = this.pendingWrites;
    this.pendingWrites = [];
    const [first] = batch as [PendingWrite];
    const attempt = batch.length === 1 ? (): WriteOutcome[] => [{ result: this.runNow(first.sql, first.parameters) }] : () => this.commitTogether(batch);
    this.waitingForLocks(() => this.alone(attempt), neverInTransaction, () => this.writers).then(
      (outcomes) => outcomes.forEach((outcome, i) => ('error' in outcome ? batch[i]!.reject(outcome.error) : batch[i]!.resolve(outcome.result))),
      (error: unknown) => batch.forEach((write) => write.reject(error)),
    );
  }

  /**
   * The writes in one transaction (throws SQLITE_BUSY, having done nothing, if another
   * connection holds the lock). A write whose error makes SQLite roll the whole transaction
   * back fails, and the others run again without it.
   */
  private commitTogether(batch: readonly PendingWrite[]): WriteOutcome[] {
    const outcomes: WriteOutcome[] = [];
    let remaining = batch.map((_, index) => index);
    for (;;) {
      this.execute('BEGIN IMMEDIATE', []);
      let failed: number | undefined;
      try {
        for (const index of remaining) {
          const { sql, parameters } = batch[index]!;
          try {
            outcomes[index] = { result: this.execute(sql, parameters) };
          } catch (error) {
            outcomes[index] = { error: this.health.failed(error) };
            if (!this.db.inTransaction) {
              failed = index;
              break;
            }
          }
        }
        if (failed === undefined) this.execute('COMMIT', []);
      } catch (error) {
        if (this.db.inTransaction) this.execute('ROLLBACK', []);
        throw error;
      }
      if (failed === undefined) break;
      remaining = remaining.filter((index) => index !== failed);
    }
    this.health.succeeded(true);
    return outcomes;
  }

  /**
   * A statement refused because another connection holds the lock (SQLITE_BUSY) did nothing, so
   * outside a transaction it is tried again after a timer, up to lockWaitMs. The connection has
   * no busy timeout: SQLite's busy handler sleeps the whole thread, and with it every other
   * request of this worker. Writes wait in `queue`, in arrival order, only the first of them
   * trying again; a write arriving while others wait queues behind them, where trying at once
   * it could take the lock from under the one that has waited longest. `queueOf` names the
   * statement's queue (none for a read).
   */
  private async waitingForLocks<T>(
    attempt: () => T | Promise<T>,
    inTransaction: () => boolean,
    queueOf: () => Mutex | undefined,
  ): Promise<T> {
    const deadline = Date.now() + this.lockWaitMs;
    const queue = queueOf();
    if (!queue?.held) {
      try {
        return await attempt();
      } catch (error) {
        if (!isBusy(error) || inTransaction()) throw this.health.failed(error);
      }
    }
    await queue?.lock();
    try {
      // Its turn come, a write tries at once: the one before it has just taken the lock or given up.
      for (let tries = 0; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          if (!isBusy(error) || Date.now() >= deadline) throw this.health.failed(error);
        }
        await sleep(BUSY_RETRY_MS[Math.min(tries, BUSY_RETRY_MS.length - 1)]!);
      }
    } finally {
      queue?.unlock();
    }
  }

  private runNow(sql: string, parameters: readonly unknown[]): QueryResult<Row> {
    const result = this.execute(sql, parameters);
    this.health.succeeded(!this.prepared(sql).statement.readonly);
    return result;
  }

  /** One statement, as the observer sees it; the caller tells the database's health. */
  private execute(sql: string, parameters: readonly unknown[]): QueryResult<Row> {
    this.onQuery?.(sql);
    const { statement, readRow } = this.prepared(sql);
    const values = parameters.map(sqliteParameter);
    if (readRow) return { rows: (statement.all(values) as unknown[][]).map(readRow) };
    const { changes, lastInsertRowid } = statement.run(values);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return (await this.run(query.sql, query.parameters)) as QueryResult<R>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported on SQLite here');
  }
}

class SqliteDriver implements Driver {
  constructor(private readonly connection: SqliteConnection) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.connection.mutex.lock();
    return this.connection;
  }
  // IMMEDIATE: the write lock is taken at BEGIN, waiting for it as any statement does. A deferred
  // transaction that reads, then writes, would fail at once with SQLITE_BUSY when another
  // process wrote in between (SQLite cannot wait there without risking a deadlock).
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.connection.db.inTransaction) await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async releaseConnection(): Promise<void> {
    this.connection.mutex.unlock();
  }
  async destroy(): Promise<void> {
    this.connection.db.close();
  }
}

export function sqliteDialect(connection: SqliteConnection): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteDriver(connection),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}

/** One pg client checked out of the pool. */
class PostgresConnection implements DatabaseConnection {
  constructor(
    readonly client: pg.PoolClient,
    private readonly health: DatabaseHealth,
    private readonly onQuery?: QueryObserver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.onQuery?.(query.sql);
    let result: pg.QueryResult;
    try {
      result = await this.client.query(query.sql, query.parameters.map(postgresParameter));
    } catch (error) {
      throw this.health.failed(error);
    }
    const affects = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command);
    this.health.succeeded(affects);
    return { rows: result.rows as R[], ...(affects ? { numAffectedRows: BigInt(result.rowCount ?? 0) } : {}) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported on PostgreSQL here');
  }
}

class PostgresDriver implements Driver {
  constructor(
    private readonly pool: pg.Pool,
    private readonly health: DatabaseHealth,
    private readonly onQuery?: QueryObserver,
  ) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.health.failed(error);
    }
    return new PostgresConnection(client, this.health, this.onQuery);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${isolation}`));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PostgresConnection).client.release();
  }
  async destroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

export function postgresDialect(pool: pg.Pool, health: DatabaseHealth, onQuery?: QueryObserver): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PostgresDriver(pool, health, onQuery),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
}
