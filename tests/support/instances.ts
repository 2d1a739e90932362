// Real server processes (`node --import tsx src/server.ts`, what `npm start` runs once
// built), each on a free port of its choosing, for tests of several instances sharing
// PostgreSQL and Redis. The test plays the load balancer: it sends each request to the
// instance it picks, from the client address it picks (X-Forwarded-For, honoured by
// instances started with TRUSTED_PROXIES=loopback).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/config.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface RequestOptions {
  method?: string;
  /** A JSON body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The client address the instance is told of (X-Forwarded-For). */
  from?: string;
}

export interface ServerProcess {
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Everything it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once stdout holds `count` matches of the (global) pattern; rejects if the process exits first. */
  printed(pattern: RegExp, count?: number): Promise<RegExpExecArray[]>;
  /** SIGTERM (unless it already exited); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface RunningServer extends ServerProcess {
  baseUrl: string;
  request(path: string, options?: RequestOptions): Promise<Reply>;
}

/** How to run the server: from source with tsx (default), or a built entry such as dist/src/server.js. */
export interface ServerEntry {
  entry?: string;
  /** A module node imports first, in the process and in each worker thread (`--import`). */
  preload?: string;
}

const fromSource = ['--import', 'tsx', join('src', 'server.ts')];

/** Starts the server with `env` on top of this process's environment (PORT=0: any free port). */
export function spawnServer(env: Record<string, string>, { entry, preload }: ServerEntry = {}): ServerProcess {
  const child = spawn(process.execPath, [...(preload ? ['--import', preload] : []), ...(entry ? [entry] : fromSource)], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const onOutput = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (data: Buffer) => {
      output[stream] += data.toString();
      for (const listener of onOutput) listener();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const printedSoFar = () => `${output.stdout}${output.stderr}`;
  return {
    exited,
    output: () => ({ ...output }),
    printed(pattern, count = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matches = [...output.stdout.matchAll(pattern)];
          if (matches.length < count) return;
          onOutput.delete(check);
          resolve(matches);
        };
        onOutput.add(check);
        check();
        void exited.then((code) => {
          if (onOutput.delete(check)) reject(new Error(`server exited (${code}) before printing ${pattern}:\n${printedSoFar()}`));
        });
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * spawnServer, resolved once `listeners` processes report listening (more than one with
 * WEB_CONCURRENCY: its worker threads); stopped and rejected if that takes over 30 s.
 */
export async function startServer(env: Record<string, string>, listeners = 1, how: ServerEntry = {}): Promise<RunningServer> {
  const server = spawnServer(env, how);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void server.stop();
      reject(new Error(`server did not start listening within 30 s:\n${server.output().stdout}${server.output().stderr}`));
    }, 30_000);
  });
  try {
    const [listening] = await Promise.race([server.printed(/Listening on http:\/\/localhost:(\d+)\/api\//g, listeners), timedOut]);
    const baseUrl = `http://127.0.0.1:${listening![1]}`;
    return { ...server, baseUrl, request: (path, options) => send(baseUrl, path, options) };
  } finally {
    clearTimeout(timer);
  }
}

async function send(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.from) headers['X-Forwarded-For'] = options.from;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Sends request i of `count` to instance i mod n, all at once; the replies in order. */
export function roundRobin<T>(instances: readonly RunningServer[], count: number, send: (instance: RunningServer, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(instances[i % instances.length]!, i)));
}

/** Polls `probe` (every 50 ms, for up to 10 s) until it returns true: for a reconnect, which has no event to await. */
export async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}
