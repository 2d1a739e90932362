// Runs manage commands against a database and reports what they printed and their
// exit code: as a separate process (`npm run manage`, through tsx, no build needed), or
// in this process, which is much faster for the many cases of a command. Both hash at
// the test app's bcrypt cost (BCRYPT_ROUNDS=4), so the app's logins need no re-hash.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { format } from 'node:util';
import { vi } from 'vitest';
import { main } from '../../src/cli/manage.js';
import { projectRoot } from '../../src/config.js';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment variables of one run, over the test process's own. */
type Env = Record<string, string>;

const commandEnv = (databaseUrl: string, env: Env): Env => ({ DATABASE_URL: databaseUrl, BCRYPT_ROUNDS: '4', ...env });

/** `manage.ts <args>` as its own process, with `input` written to its stdin (then closed). */
export function manage(args: string[], databaseUrl: string, options: { input?: string; env?: Env } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'cli', 'manage.ts'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...commandEnv(databaseUrl, options.env ?? {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** manage.ts's main() with the console captured and `env` set meanwhile: the same outcome as a separate run; one call at a time. */
export async function manageInProcess(args: string[], databaseUrl: string, env: Env = {}): Promise<Outcome> {
  const output = { stdout: '', stderr: '' };
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void (output.stdout += `${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts) => void (output.stderr += `${format(...parts)}\n`));
  // Commands that write bytes as they are (dumpdata) use process.stdout.write.
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const previous = Object.entries(commandEnv(databaseUrl, env)).map(([name, value]) => {
    const before = process.env[name];
    process.env[name] = value;
    return [name, before] as const;
  });
  try {
    return { code: await main(args), ...output };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    for (const [name, before] of previous) {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  }
}
