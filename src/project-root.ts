// The folder holding package.json, whether this runs from src/ (tsx) or dist/src/ (built).
// A leaf module: the data layer and the apps find their files from it without loading config.ts.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
