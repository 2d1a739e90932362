// Django's loaddata: `npm run manage -- loaddata FILE [FILE…]` (`-` reads stdin). Every object
// of every file is written in one transaction, primary keys kept (an object whose pk exists
// replaces that row, as Django's save() does; one without a pk is a new row, or the user or group
// of its natural key); the first bad object stops it all, named in
// one line: Problem installing fixture 'FILE': object #N (model pk=P): the problem.
import type { Database } from '../db/index.js';
import { CommandError, withDatabase, type Command } from './command.js';
import { models } from './fixtures/models.js';
import { readFixture, readObject, type Loaded } from './fixtures/read.js';
import { advanceSequences, References, writeModel } from './fixtures/write.js';

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
      // A pk given twice: the later object wins, as each save() overwrites the one before; objects without one are each a row.
      const ofModel = loaded.filter((object) => object.model === model);
      const objects = [...new Map(ofModel.filter((object) => object.pk !== null).map((object) => [object.pk, object])).values(), ...ofModel.filter((object) => object.pk === null)];
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
