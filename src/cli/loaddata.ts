// Django's loaddata: `npm run manage -- loaddata FILE [FILE…]` (`-` reads stdin). Every object
// of every file is written in one transaction, primary keys kept (an object whose pk exists
// replaces that row, as Django's save() does; one without a pk is a new row, or the user or group
// of its natural key); the first bad object stops it all, named in
// one line: Problem installing fixture 'FILE': object #N (model pk=P): the problem.
import { parseArgs } from 'node:util';
import type { Database } from '../db/index.js';
import { CommandError, withDatabase, type Command } from './command.js';
import { excludedBy } from './fixtures/labels.js';
import { models } from './fixtures/models.js';
import { readFixture, readObject, type Loaded } from './fixtures/read.js';
import { advanceSequences, References, writeModel } from './fixtures/write.js';

export interface LoadOptions {
  /** -i: skip objects of unknown models and drop unknown fields. */
  ignoreNonexistent?: boolean;
  /** -e: whether a model label is left out. */
  excluded?: (label: string) => boolean;
}

/** Loads the files' objects in one transaction; returns how many objects were loaded, of how many found, from how many files. */
export async function loadFixtures(database: Database, files: readonly string[], options: LoadOptions = {}): Promise<{ objects: number; found: number; fixtures: number }> {
  const loaded: Loaded[] = [];
  let found = 0;
  for (const file of files) {
    const { name, objects } = await readFixture(file);
    objects.forEach((raw, index) => {
      // Excluded by the label as written, before it is read: a model this server does not keep (sessions.session) may be excluded too.
      const label = (raw as { model?: unknown } | null)?.model;
      if (typeof label === 'string' && options.excluded?.(label)) {
        found += 1;
        return;
      }
      const object = readObject(name, index + 1, raw, options.ignoreNonexistent);
      if (!object) return;
      found += 1;
      loaded.push(object);
    });
  }
  await database.kysely.transaction().execute(async (trx) => {
    const references = new References(trx);
    const written: string[] = [];
    for (const model of models) {
      // A pk given twice: the later object wins, as each save() overwrites the one before; objects without one are each a row.
      const ofModel = loaded.filter((object) => object.model === model);
      const objects = [...new Map(ofModel.filter((object) => object.pk !== null).map((object) => [object.pk, object])).values(), ...ofModel.filter((object) => object.pk === null)];
      if (objects.length === 0) continue;
      await writeModel(trx, references, model, objects);
      if (model.primaryKey === 'id') written.push(model.table);
    }
    if (database.provider === 'postgresql') await advanceSequences(trx, written);
  });
  return { objects: loaded.length, found, fixtures: files.length };
}

export const loaddataCommand: Command = {
  name: 'loaddata',
  usage: 'loaddata [-i|--ignorenonexistent] [-e app_label[.model] ...] [--format json] FILE [FILE...]',
  help: "Load Django fixtures (dumpdata's JSON; - for stdin) in one transaction.",
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: { ignorenonexistent: { type: 'boolean', short: 'i' }, exclude: { type: 'string', short: 'e', multiple: true }, format: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new CommandError(`loaddata: ${(error as Error).message}`, 2);
    }
    const { ignorenonexistent, exclude, format } = parsed.values;
    if (parsed.positionals.length === 0) throw new CommandError('Usage: npm run manage -- loaddata FILE [FILE...]   (- reads stdin)', 2);
    // Django needs --format for stdin; here every fixture is JSON, so it may be given, and only as json.
    if (format !== undefined && format !== 'json') throw new CommandError(`loaddata: fixtures are read as JSON only (got --format ${format})`, 2);
    const excluded = excludedBy(exclude ?? []);
    const { objects, found, fixtures } = await withDatabase((db) => loadFixtures(db, parsed.positionals, { ignoreNonexistent: ignorenonexistent, excluded }));
    // Django's wording, with "(of N)" when some were excluded.
    console.log(`Installed ${objects} object(s)${objects === found ? '' : ` (of ${found})`} from ${fixtures} fixture(s)`);
    return 0;
  },
};
