// SQLite's FTS5 trigram tokenizer folds case more widely than LIKE: for ASCII it folds only A-Z,
// plus U+017F (long s → s) and U+212A (Kelvin sign → k). src/db/search.ts counts a printable-ASCII
// search from the index alone and corrects for exactly those two (FOLDED_TO_ASCII); this checks
// every code point, so a SQLite upgrade that folds more would fail here.
import Sqlite from 'better-sqlite3';
import { expect, it } from 'vitest';

it('FTS5 folds to ASCII only A-Z, U+017F and U+212A (src/db/search.ts, FOLDED_TO_ASCII)', () => {
  const fts = new Sqlite(':memory:');
  fts.exec("CREATE VIRTUAL TABLE f USING fts5(x, tokenize='trigram')");
  const insert = fts.prepare('INSERT INTO f(rowid, x) VALUES (?, ?)');
  fts.transaction(() => {
    for (let cp = 0x20; cp <= 0x10ffff; cp++) if (cp !== 0x7f && (cp < 0xd800 || cp > 0xdfff)) insert.run(cp, `${String.fromCodePoint(cp)}qq`);
  })();
  const match = fts.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid').pluck();
  for (let cp = 0x20; cp < 0x7f; cp++) {
    const char = String.fromCharCode(cp);
    const folded = new Set([char.toLowerCase(), char.toUpperCase(), ...({ s: ['\u017f'], k: ['\u212a'] }[char.toLowerCase()] ?? [])]);
    const expected = [...folded].map((c) => c.codePointAt(0)).sort((a, b) => a! - b!);
    expect(match.all(`"${char.replace('"', '""')}qq"`), char).toEqual(expected);
  }
  fts.close();
});
