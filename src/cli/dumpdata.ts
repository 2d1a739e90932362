// Django's dumpdata: `npm run manage -- dumpdata [app_label[.model] …] [-e app_label[.model]] [-o FILE] [--indent N]`
// writes the objects of the models named (all of them by default) in Django's fixture format,
// ordered by primary key, fields in Django's order, values as Django's JSON encoder writes them.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { serializeFixture, type FixtureObject } from './fixtures/format.js';
import { excludedBy, selectModels } from './fixtures/labels.js';
import type { Model } from './fixtures/models.js';
import { writeField, writePrimaryKey } from './fixtures/values.js';
import { CommandError, withDatabase, type Command } from './command.js';

/** The many-to-many lists of a model's rows: owner id → target ids, in Django's order for the target. */
async function manyToMany(db: Database, model: Model): Promise<Map<string, Map<number, number[]>>> {
  const lists = new Map<string, Map<number, number[]>>();
  for (const field of model.fields) {
    if (field.kind !== 'manyToMany') continue;
    // Permission's Meta.ordering is (content_type.app_label, content_type.model, codename); groups have none: by id.
    const { rows } = await (field.to === 'auth.permission'
      ? sql<{ owner: number; target: number }>`SELECT j.${sql.ref(field.ownerColumn)} AS owner, j.permission_id AS target FROM ${sql.table(field.table)} j
          JOIN auth_permission p ON p.id = j.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id
          ORDER BY ct.app_label, ct.model, p.codename`
      : sql<{ owner: number; target: number }>`SELECT ${sql.ref(field.ownerColumn)} AS owner, ${sql.ref(field.targetColumn)} AS target FROM ${sql.table(field.table)} ORDER BY ${sql.ref(field.targetColumn)}`
    ).execute(db.kysely);
    const byOwner = new Map<number, number[]>();
    for (const row of rows) {
      if (!byOwner.has(row.owner)) byOwner.set(row.owner, []);
      byOwner.get(row.owner)!.push(row.target);
    }
    lists.set(field.name, byOwner);
  }
  return lists;
}

export interface DumpOptions {
  /** --natural-foreign: references to users, groups, permissions and content types by natural key. */
  naturalForeign?: boolean;
  /** --natural-primary: no pk for the objects of those models. */
  naturalPrimary?: boolean;
}

/** The models Django gives a natural_key(), and the columns of a row's key. */
const naturalKeyQueries = [
  ['contenttypes.contenttype', sql<NaturalKeyRow>`SELECT id, app_label, model FROM django_content_type`, ['app_label', 'model']],
  ['auth.permission', sql<NaturalKeyRow>`SELECT p.id, p.codename, ct.app_label, ct.model FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id`, ['codename', 'app_label', 'model']],
  ['auth.group', sql<NaturalKeyRow>`SELECT id, name FROM auth_group`, ['name']],
  ['auth.user', sql<NaturalKeyRow>`SELECT id, username FROM auth_user`, ['username']],
] as const;
type NaturalKeyRow = { id: number } & Record<string, string>;
const naturallyKeyed = new Set<string>(naturalKeyQueries.map(([label]) => label));

/** Each natural-keyed model's row ids → their natural keys, as --natural-foreign writes a reference. */
async function naturalKeys(db: Database): Promise<Map<string, Map<number, string[]>>> {
  const keys = new Map<string, Map<number, string[]>>();
  for (const [label, query, columns] of naturalKeyQueries) {
    const { rows } = await query.execute(db.kysely);
    keys.set(label, new Map(rows.map((row) => [Number(row.id), columns.map((column) => row[column]!)])));
  }
  return keys;
}

/**
 * Django's serializers.sort_dependencies, which dumpdata applies with --natural-foreign: a model
 * comes after the natural-keyed models its foreign keys and many-to-many fields refer to; in
 * passes over the models in their order, each pass taking those whose dependencies are placed.
 */
export function sortDependencies(selected: readonly Model[]): Model[] {
  const dependencies = (model: Model) =>
    model.fields.flatMap((field) => ((field.kind === 'foreignKey' || field.kind === 'manyToMany') && field.to !== model.label && naturallyKeyed.has(field.to) ? [field.to] : []));
  const placed = (label: string) => !selected.some((other) => other.label === label) || sorted.some((other) => other.label === label);
  const sorted: Model[] = [];
  let pending = [...selected];
  while (pending.length > 0) {
    const skipped: Model[] = [];
    // As Django: a model placed in this pass already counts for the ones after it.
    for (const model of pending) (dependencies(model).every(placed) ? sorted : skipped).push(model);
    // No cycles among these models; the guard only keeps a future one from looping forever.
    if (skipped.length === pending.length) return [...sorted, ...skipped];
    pending = skipped;
  }
  return sorted;
}

export async function dumpObjects(db: Database, selected: readonly Model[], options: DumpOptions = {}): Promise<FixtureObject[]> {
  const objects: FixtureObject[] = [];
  const keys = options.naturalForeign ? await naturalKeys(db) : undefined;
  // A reference as --natural-foreign writes it: the target's natural key, or its id when it has none.
  const reference = (to: string, id: number) => keys?.get(to)?.get(id) ?? id;
  for (const model of options.naturalForeign ? sortDependencies(selected) : selected) {
    const key = model.primaryKey === 'tokenKey' ? 'digest' : 'id';
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(model.table)} ORDER BY ${sql.ref(key)}`.execute(db.kysely);
    const lists = await manyToMany(db, model);
    for (const row of rows) {
      const pk = row[key] as number | string;
      const fields = Object.fromEntries(
        model.fields.map((field) => {
          if (field.kind === 'manyToMany') return [field.name, (lists.get(field.name)!.get(pk as number) ?? []).map((id) => reference(field.to, id))];
          const value = writeField(field, row[field.column]);
          return [field.name, field.kind === 'foreignKey' && value !== null ? reference(field.to, Number(value)) : value];
        }),
      );
      // Django leaves the pk out only for models with a natural key.
      objects.push(options.naturalPrimary && naturallyKeyed.has(model.label) ? { model: model.label, fields } : { model: model.label, pk: writePrimaryKey(model, pk), fields });
    }
  }
  return objects;
}

export const dumpdataCommand: Command = {
  name: 'dumpdata',
  usage: 'dumpdata [app_label[.model] ...] [-e app_label[.model] ...] [--natural-foreign] [--natural-primary] [--format json] [-o FILE] [--indent N]',
  help: 'Write objects as a Django fixture (all, or those of the apps and models named).',
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: {
          output: { type: 'string', short: 'o' },
          indent: { type: 'string' },
          exclude: { type: 'string', short: 'e', multiple: true },
          'natural-foreign': { type: 'boolean' },
          'natural-primary': { type: 'boolean' },
          format: { type: 'string' },
        }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new CommandError(`dumpdata: ${(error as Error).message}`, 2);
    }
    const { output, indent, exclude, 'natural-foreign': naturalForeign, 'natural-primary': naturalPrimary, format } = parsed.values;
    if (format !== undefined && format !== 'json') throw new CommandError(`dumpdata: fixtures are written as JSON only (got --format ${format})`, 2);
    if (indent !== undefined && !/^\d{1,2}$/.test(indent)) throw new CommandError(`dumpdata: --indent must be a number (got ${JSON.stringify(indent)})`, 2);
    const excluded = excludedBy(exclude ?? []);
    const selected = selectModels(parsed.positionals).filter((model) => !excluded(model.label));
    const text = serializeFixture(await withDatabase((db) => dumpObjects(db, selected, { naturalForeign, naturalPrimary })), indent === undefined ? undefined : Number(indent));
    if (output === undefined) process.stdout.write(text);
    else await writeFile(output, text);
    return 0;
  },
};
