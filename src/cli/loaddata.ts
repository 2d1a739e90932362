// Django's loaddata: `npm run manage -- loaddata FILE [FILE…]` (`-` reads stdin). Every object
// of every file is written in one transaction, primary keys kept (an object whose pk exists
// replaces that row, as Django's save() does); the first bad object stops it all, named in
// one line: Problem installing fixture 'FILE': object #N (model pk=P): the problem.
import { readFile } from 'node:fs/promises';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Tables } from '../db/index.js';
import {
  FixtureError,
  modelsByLabel,
  models,
  readField,
  readPrimaryKey,
  type Field,
  type Model,
  type ModelLabel,
  type Reference,
} from './fixtures.js';
import { CommandError, withDatabase, type Command } from './command.js';

/** One object of a fixture, read: its column values (references still unresolved). */
interface Loaded {
  /** Where it came from, for the error message. */
  file: string;
  index: number;
  model: Model;
  pk: number | string;
  values: Map<Field, unknown>;
}

const describe = (object: { file: string; index: number; model: { label: string }; pk: unknown }) =>
  `Problem installing fixture '${object.file}': object #${object.index} (${object.model.label} pk=${JSON.stringify(object.pk)})`;

/** A problem of one object, worded as loaddata prints it. */
const objectError = (object: Parameters<typeof describe>[0], problem: string) => new CommandError(`${describe(object)}: ${problem}`);

async function readFixture(file: string): Promise<{ name: string; objects: unknown[] }> {
  const name = file === '-' ? 'stdin' : file;
  let textValue: string;
  try {
    textValue = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CommandError(`No fixture named '${file}' found (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(textValue);
  } catch (error) {
    throw new CommandError(`Problem installing fixture '${name}': ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new CommandError(`Problem installing fixture '${name}': expected a JSON list of objects`);
  return { name, objects: parsed };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One fixture object checked against its model: known model, known fields, values of the right kind. */
function readObject(file: string, index: number, raw: unknown): Loaded {
  const where = { file, index, model: { label: '?' }, pk: undefined as unknown };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw objectError(where, 'expected an object with "model", "pk" and "fields"');
  const { model: label, pk, fields } = raw as Record<string, unknown>;
  where.pk = pk;
  if (typeof label !== 'string') throw objectError(where, 'missing "model"');
  where.model.label = label;
  const model = modelsByLabel.get(label.toLowerCase());
  if (!model) throw objectError(where, `Invalid model identifier: '${label}' (this server loads ${[...modelsByLabel.keys()].join(', ')})`);
  const object = { file, index, model, pk };
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw objectError(object, 'missing "fields"');
  try {
    const known = new Set(model.fields.map((field) => field.name));
    const unknown = Object.keys(fields).find((name) => !known.has(name));
    if (unknown !== undefined) throw new FixtureError(`${model.label} has no field named '${unknown}'`);
    const values = new Map<Field, unknown>();
    for (const field of model.fields) {
      const given = (fields as Record<string, unknown>)[field.name];
      if (given === undefined && !field.default) throw new FixtureError(`${field.name}: this field is required`);
      values.set(field, given === undefined ? field.default!() : readField(field, given));
    }
    return { ...object, pk: readPrimaryKey(model, pk), values };
  } catch (error) {
    if (error instanceof FixtureError) throw objectError(object, error.message);
    throw error;
  }
}

// --- writing -------------------------------------------------------------------------------

type Executor = Kysely<Tables> | Transaction<Tables>;

/** Parameters in one statement: below SQLite's 32766 and PostgreSQL's 65535. */
const maxParameters = 30_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Multi-row INSERT … ON CONFLICT (key) DO UPDATE: Django's save() of objects with their pk, in batches. */
async function upsert(db: Executor, table: string, key: string, columns: string[], rows: unknown[][]): Promise<void> {
  const update = columns.filter((column) => column !== key);
  const onConflict = update.length === 0 ? sql`DO NOTHING` : sql`DO UPDATE SET ${sql.join(update.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))}`;
  for (const batch of chunks(rows, Math.floor(maxParameters / columns.length))) {
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))})
      VALUES ${sql.join(batch.map((row) => sql`(${sql.join(row)})`))}
      ON CONFLICT (${sql.ref(key)}) ${onConflict}`.execute(db);
  }
}

async function insertRows(db: Executor, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (const batch of chunks(rows, Math.floor(maxParameters / columns.length))) {
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))})
      VALUES ${sql.join(batch.map((row) => sql`(${sql.join(row)})`))}`.execute(db);
  }
}

/** The rows of `table` whose `column` is one of `values`, as [column value, id]. */
async function lookUp(db: Executor, table: string, column: string, values: readonly unknown[]): Promise<Map<unknown, number>> {
  const found = new Map<unknown, number>();
  if (values.length === 0) return found;
  for (const batch of chunks([...new Set(values)], maxParameters)) {
    const { rows } = await sql<{ id: number; value: unknown }>`SELECT id, ${sql.ref(column)} AS value FROM ${sql.table(table)} WHERE ${sql.ref(column)} IN (${sql.join(batch)})`.execute(db);
    for (const row of rows) found.set(row.value, row.id);
  }
  return found;
}

/**
 * Resolves references to the objects of each model: ids that exist, and natural keys. Models
 * are written in dependency order, so a reference's target is in the database (from the
 * fixture or from before) by the time it is resolved.
 */
class References {
  /** Fixture pk → row id, for the models matched by natural key (content types, permissions). */
  private readonly renamed = new Map<ModelLabel, Map<number, number>>();

  constructor(private readonly db: Executor) {}

  rename(label: ModelLabel, from: number, to: number): void {
    if (!this.renamed.has(label)) this.renamed.set(label, new Map());
    this.renamed.get(label)!.set(from, to);
  }

  /** Each reference's row id; `undefined` for one that names nothing. */
  async resolve(label: ModelLabel, references: readonly Reference[]): Promise<Map<Reference, number | undefined>> {
    const target = modelsByLabel.get(label)!;
    const renamed = this.renamed.get(label);
    const ids = references.filter((reference): reference is number => typeof reference === 'number').map((id) => renamed?.get(id) ?? id);
    const existing = await lookUp(this.db, target.table, 'id', ids);
    const natural = await this.naturalKeys(target, references.filter((reference): reference is readonly string[] => typeof reference !== 'number'));
    return new Map(
      references.map((reference): [Reference, number | undefined] => {
        if (typeof reference !== 'number') return [reference, natural.get(reference.join('\0'))];
        const id = renamed?.get(reference) ?? reference;
        return [reference, existing.has(id) ? id : undefined];
      }),
    );
  }

  /** Natural keys ("alice"; "editors"; ["add_friend", "lending", "friend"]; ["lending", "friend"]) → ids. */
  private async naturalKeys(model: Model, keys: readonly (readonly string[])[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (keys.length === 0) return found;
    if (model.label === 'auth.user' || model.label === 'auth.group') {
      const column = model.label === 'auth.user' ? 'username' : 'name';
      const single = keys.filter((key) => key.length === 1).map((key) => key[0]!);
      for (const [value, id] of await lookUp(this.db, model.table, column, single)) found.set(String(value), id);
      return found;
    }
    if (model.label !== 'contenttypes.contenttype' && model.label !== 'auth.permission') return found;
    // Content types and permissions are few: all of them, matched here.
    type KeyRow = { id: number; codename?: string; app_label: string; model: string };
    const { rows } = await (
      model.label === 'auth.permission'
        ? sql<KeyRow>`SELECT p.id, p.codename, ct.app_label, ct.model FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id`
        : sql<KeyRow>`SELECT id, app_label, model FROM django_content_type`
    ).execute(this.db);
    for (const row of rows) found.set([row.codename, row.app_label, row.model].filter((part) => part !== undefined).join('\0'), row.id);
    return found;
  }
}

/** Writes the objects of one model; references resolved, unique values checked, pk kept. */
async function writeModel(db: Executor, references: References, model: Model, objects: Loaded[]): Promise<void> {
  // Resolve every reference first, so a dangling one is reported before anything of this model is written.
  for (const field of model.fields) {
    if (field.kind !== 'foreignKey' && field.kind !== 'manyToMany') continue;
    const given = objects.flatMap((object) => {
      const value = object.values.get(field);
      return value === null ? [] : field.kind === 'manyToMany' ? (value as Reference[]) : [value as Reference];
    });
    const resolved = await references.resolve(field.to, given);
    for (const object of objects) {
      const value = object.values.get(field);
      if (value === null) continue;
      const ids = (field.kind === 'manyToMany' ? (value as Reference[]) : [value as Reference]).map((reference) => {
        const id = resolved.get(reference);
        if (id === undefined) {
          throw objectError(object, `${field.name}: ${field.to} matching ${JSON.stringify(reference)} does not exist${
            field.to === 'auth.permission' || field.to === 'contenttypes.contenttype' ? ' (load the contenttypes and auth.permission objects too: dumpdata contenttypes auth …)' : ''
          }`);
        }
        return id;
      });
      object.values.set(field, field.kind === 'manyToMany' ? [...new Set(ids)] : ids[0]);
    }
  }
  if (model.naturalKey && (model.label === 'contenttypes.contenttype' || model.label === 'auth.permission')) {
    await writeMatchedByNaturalKey(db, references, model, objects);
    return;
  }
  await checkUnique(db, model, objects);
  const stored = model.fields.filter((field) => field.kind !== 'manyToMany' && field.kind !== 'notKept');
  const key = model.primaryKey === 'tokenKey' ? 'digest' : 'id';
  await upsert(db, model.table, key, [key, ...stored.map((field) => field.column)], objects.map((object) => [object.pk, ...stored.map((field) => object.values.get(field))]));
  for (const field of model.fields) {
    if (field.kind !== 'manyToMany') continue;
    // Django sets a many-to-many field to exactly the fixture's list.
    for (const batch of chunks(objects, maxParameters)) {
      await sql`DELETE FROM ${sql.table(field.table)} WHERE ${sql.ref(field.ownerColumn)} IN (${sql.join(batch.map((object) => object.pk))})`.execute(db);
    }
    const pairs = objects.flatMap((object) => (object.values.get(field) as number[]).map((target) => [object.pk, target]));
    await insertRows(db, field.table, [field.ownerColumn, field.targetColumn], pairs);
  }
}

/** The unique values of the objects (username, group name, jti, …) are neither repeated nor another row's. */
async function checkUnique(db: Executor, model: Model, objects: Loaded[]): Promise<void> {
  const names = [...(model.naturalKey ?? []), ...(model.unique ?? [])];
  for (const name of names) {
    const field = model.fields.find((candidate) => candidate.name === name)!;
    const holder = new Map<unknown, Loaded>();
    for (const object of objects) {
      const value = object.values.get(field);
      const other = holder.get(value);
      if (other) throw objectError(object, `${name} ${JSON.stringify(value)} is also that of object #${other.index} (${model.label} pk=${JSON.stringify(other.pk)})`);
      holder.set(value, object);
    }
    const taken = await lookUp(db, model.table, field.column, [...holder.keys()]);
    for (const [value, id] of taken) {
      const object = holder.get(value)!;
      if (id !== object.pk) throw objectError(object, `${name} ${JSON.stringify(value)} is already that of ${model.label} pk=${id}`);
    }
  }
}

/**
 * Content types and permissions are Django's own bookkeeping: an object whose natural key
 * exists already is that row (whatever its id); a new one keeps its pk when it is free.
 */
async function writeMatchedByNaturalKey(db: Executor, references: References, model: Model, objects: Loaded[]): Promise<void> {
  const naturalKeyOf = async (object: Loaded): Promise<string[]> => {
    const value = (name: string) => object.values.get(model.fields.find((field) => field.name === name)!);
    if (model.label === 'contenttypes.contenttype') return [String(value('app_label')), String(value('model'))];
    const { rows } = await sql<{ app_label: string; model: string }>`SELECT app_label, model FROM django_content_type WHERE id = ${value('content_type')}`.execute(db);
    return [String(value('codename')), rows[0]!.app_label, rows[0]!.model];
  };
  const stored = model.fields;
  for (const object of objects) {
    const key = await naturalKeyOf(object);
    const existing = (await references.resolve(model.label, [key])).get(key);
    const pk = object.pk as number;
    if (existing !== undefined) {
      references.rename(model.label, pk, existing);
      continue;
    }
    const free = (await lookUp(db, model.table, 'id', [pk])).size === 0;
    const columns = stored.map((field) => field.column);
    const values = stored.map((field) => object.values.get(field));
    const { rows } = await sql<{ id: number }>`INSERT INTO ${sql.table(model.table)} (${sql.join((free ? ['id', ...columns] : columns).map((column) => sql.ref(column)))})
      VALUES (${sql.join(free ? [pk, ...values] : values)}) RETURNING id`.execute(db);
    references.rename(model.label, pk, rows[0]!.id);
  }
}

/** PostgreSQL's id sequences continue after the highest id (SQLite's AUTOINCREMENT does so by itself). */
async function advanceSequences(db: Executor, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), max(id)) FROM ${sql.table(table)} HAVING max(id) IS NOT NULL`.execute(db);
  }
}

/** Loads the files' objects in one transaction; returns how many objects, from how many files. */
export async function loadFixtures(database: Database, files: readonly string[]): Promise<{ objects: number; fixtures: number }> {
  const loaded: Loaded[] = [];
  for (const file of files) {
    const { name, objects } = await readFixture(file);
    objects.forEach((raw, index) => loaded.push(readObject(name, index + 1, raw)));
  }
  await database.kysely.transaction().execute(async (trx) => {
    const references = new References(trx);
    const written: string[] = [];
    for (const model of models) {
      // A pk given twice: the later object wins, as each save() overwrites the one before.
      const objects = [...new Map(loaded.filter((object) => object.model === model).map((object) => [object.pk, object])).values()];
      if (objects.length === 0) continue;
      await writeModel(trx, references, model, objects);
      if (model.primaryKey === 'id') written.push(model.table);
    }
    if (database.provider === 'postgresql') await advanceSequences(trx, written);
  });
  return { objects: loaded.length, fixtures: files.length };
}

export const loaddataCommand: Command = {
  name: 'loaddata',
  usage: 'loaddata FILE [FILE...]',
  help: "Load Django fixtures (dumpdata's JSON; - for stdin) in one transaction.",
  async run(args) {
    if (args.length === 0 || args.some((arg) => arg.startsWith('-') && arg !== '-')) {
      throw new CommandError('Usage: npm run manage -- loaddata FILE [FILE...]   (- reads stdin)', 2);
    }
    const { objects, fixtures } = await withDatabase((db) => loadFixtures(db, args));
    console.log(`Installed ${objects} object(s) from ${fixtures} fixture(s)`);
    return 0;
  },
};
