// ESLint rule: no import cycle among the project's own modules, type-only imports included
// (eslint-plugin-import-x's no-cycle skips those, and a type cycle still ties modules together).
// The graph is read from the files' import specifiers (relative ones: the project has no path
// aliases), each file re-read only when it changed, so a whole-project lint stays cheap.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const cache = new Map(); // file → { mtimeMs, imports: string[] }

function resolveModule(from, spec) {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

function importsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = cache.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached.imports;
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const imports = [...text.matchAll(specifier)].map((m) => resolveModule(file, m[1])).filter((f) => f !== null);
  cache.set(file, { mtimeMs, imports });
  return imports;
}

/** A path of imports from `start` back to `target`, or null. */
function pathBack(start, target) {
  const seen = new Set([start]);
  const queue = [[start]];
  while (queue.length > 0) {
    const path = queue.shift();
    for (const next of importsOf(path[path.length - 1])) {
      if (next === target) return path;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between project modules, type-only imports included' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}' },
  },
  create(context) {
    const file = context.filename;
    const cwd = context.cwd;
    function check(node) {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolveModule(file, spec);
      if (target === null) return;
      const path = target === file ? [] : pathBack(target, file);
      if (path === null) return;
      const cycle = [file, ...path, file].map((f) => relative(cwd, f)).join(' → ');
      context.report({ node, messageId: 'cycle', data: { cycle } });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
