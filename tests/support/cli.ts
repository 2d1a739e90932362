// Runs manage commands against a database and reports what they printed and their
// exit code: as a separate process (`npm run manage`, through tsx, no build needed), or
// in this process, which is much faster for the many cases of a command.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { format } from 'node:util';
import { vi } from 'vitest';
import { main } from '../../src/cli/manage.js';
import { projectRoot } from '../../src/config.js';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function manage(args: string[], databaseUrl: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('src', 'cli', 'manage.ts'), ...args],
      { cwd: projectRoot, env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** manage.ts's main() with DATABASE_URL set and the console captured; one call at a time. */
export async function manageInProcess(args: string[], databaseUrl: string): Promise<Outcome> {
  const output = { stdout: '', stderr: '' };
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void (output.stdout += `${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts) => void (output.stderr += `${format(...parts)}\n`));
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  try {
    return { code: await main(args), ...output };
  } finally {
    log.mockRestore();
    error.mockRestore();
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
  }
}
