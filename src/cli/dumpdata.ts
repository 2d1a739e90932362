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

export async function dumpObjects(db: Database, selected: readonly Model[]): Promise<FixtureObject[]> {
  const objects: FixtureObject[] = [];
  for (const model of selected) {
    const key = model.primaryKey === 'tokenKey' ? 'digest' : 'id';
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(model.table)} ORDER BY ${sql.ref(key)}`.execute(db.kysely);
    const lists = await manyToMany(db, model);
    for (const row of rows) {
      const pk = row[key] as number | string;
      const fields = Object.fromEntries(
        model.fields.map((field) => [field.name, field.kind === 'manyToMany' ? (lists.get(field.name)!.get(pk as number) ?? []) : writeField(field, row[field.column])]),
      );
      objects.push({ model: model.label, pk: writePrimaryKey(model, pk), fields });
    }
  }
  return objects;
}

export const dumpdataCommand: Command = {
  name: 'dumpdata',
  usage: 'dumpdata [app_label[.model] ...] [-e app_label[.model] ...] [-o FILE] [--indent N]',
  help: 'Write objects as a Django fixture (all, or those of the apps and models named).',
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { output: { type: 'string', short: 'o' }, indent: { type: 'string' }, exclude: { type: 'string', short: 'e', multiple: true } }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new CommandError(`dumpdata: ${(error as Error).message}`, 2);
    }
    const { output, indent, exclude } = parsed.values;
    if (indent !== undefined && !/^\d{1,2}$/.test(indent)) throw new CommandError(`dumpdata: --indent must be a number (got ${JSON.stringify(indent)})`, 2);
    const excluded = excludedBy(exclude ?? []);
    const selected = selectModels(parsed.positionals).filter((model) => !excluded(model.label));
    const text = serializeFixture(await withDatabase((db) => dumpObjects(db, selected)), indent === undefined ? undefined : Number(indent));
    if (output === undefined) process.stdout.write(text);
    else await writeFile(output, text);
    return 0;
  },
};
