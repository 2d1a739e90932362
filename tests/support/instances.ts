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
  baseUrl: string;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  request(path: string, options?: RequestOptions): Promise<Reply>;
  /** SIGTERM; resolves with the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

const listeningLine = /Listening on http:\/\/localhost:(\d+)\/api\//g;

/**
 * Starts `node --import tsx src/server.ts` with `env` on top of this process's environment
 * (PORT=0: any free port), and resolves once `listeners` processes report listening
 * (more than one with WEB_CONCURRENCY: the cluster's workers).
 */
export function startServer(env: Record<string, string>, listeners = 1): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'server.ts')], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start listening within 30 s'), 30_000);
    let started = false;
    function fail(reason: string) {
      if (started) return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`server ${reason}:\n${output}`));
    }
    void exited.then((code) => fail(`exited (${code}) before listening`));
    const onData = (data: Buffer) => {
      output += data.toString();
      const ports = [...output.matchAll(listeningLine)].map((match) => match[1]);
      if (started || ports.length < listeners) return;
      started = true;
      clearTimeout(timer);
      const baseUrl = `http://127.0.0.1:${ports[0]}`;
      resolve({
        baseUrl,
        output: () => output,
        request: (path, options) => send(baseUrl, path, options),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
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
export function roundRobin<T>(instances: readonly ServerProcess[], count: number, send: (instance: ServerProcess, i: number) => Promise<T>): Promise<T[]> {
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
