// Statements compiled once per shape. A query's shape (its SQL, without the values) is built
// with Kysely the first time it is seen, with a marker object standing for each value; the
// compiled SQL and where each marker landed among the parameters are kept, so later requests
// of that shape only bind values: no query building or compiling per request. SQLite runs
// them as better-sqlite3 statements prepared once; PostgreSQL as named prepared statements
// (parsed and planned once per connection).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { QueryObserver, Row, SqliteConnection } from './drivers.js';
import type { DatabaseHealth } from './errors.js';
import { postgresParameter } from './values.js';

/** Stands for the value at `index` while a shape is compiled. */
export class Slot {
  constructor(readonly index: number) {}
}

/** Hands out slots in order, the same order the shape's values are collected in. */
export class Slots {
  private next = 0;
  take(): RawBuilder<unknown> {
    return sql`${new Slot(this.next++)}`;
  }
}

interface Compiled {
  sql: string;
  /** For each SQL parameter, the index of the value it takes. */
  order: number[];
  /** The PostgreSQL prepared statement's name. */
  name: string;
}

/** Runs SQL with positional parameters on the database; the statement is prepared once. */
export interface Runner {
  query(sql: string, name: string, parameters: readonly unknown[]): Promise<Row[]>;
}

export function sqliteRunner(connection: SqliteConnection): Runner {
  return {
    async query(text, _name, parameters) {
      return (await connection.runAlone(text, parameters)).rows;
    },
  };
}

export function postgresRunner(pool: pg.Pool, health: DatabaseHealth, onQuery?: QueryObserver): Runner {
  return {
    async query(text, name, parameters) {
      onQuery?.(text);
      let result: pg.QueryResult;
      try {
        result = await pool.query({ name, text, values: parameters.map(postgresParameter) });
      } catch (error) {
        throw health.failed(error);
      }
      health.succeeded(result.command !== 'SELECT');
      return result.rows as Row[];
    },
  };
}

/** The compiled shapes of one database, by shape key. */
export class Statements {
  private readonly shapes = new Map<string, Compiled>();

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: shapes are raw SQL
    private readonly kysely: Kysely<any>,
    private readonly runner: Runner,
  ) {}

  /** Runs the shape `key` with `values`; `build` makes its SQL (with slots) the first time only. */
  run(key: string, values: readonly unknown[], build: (slots: Slots) => RawBuilder<unknown>): Promise<Row[]> {
    let compiled = this.shapes.get(key);
    if (!compiled) {
      const query = build(new Slots()).compile(this.kysely);
      const order = query.parameters.map((parameter) => {
        if (!(parameter instanceof Slot)) throw new Error(`Shape ${key} has a value outside its slots`);
        return parameter.index;
      });
      compiled = { sql: query.sql, order, name: `q${this.shapes.size}` };
      this.shapes.set(key, compiled);
    }
    const parameters = compiled.order.map((index) => values[index]);
    return this.runner.query(compiled.sql, compiled.name, parameters);
  }
}
