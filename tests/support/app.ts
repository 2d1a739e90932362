// Builds the real app against a fresh database of the kind under test, with a
// user factory, JWT helpers and a counter of the SQL statements sent. Every response
// `http` receives is checked against openapi.yaml (tests/support/openapi.ts).
import type { Express } from 'express';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type AppOptions } from '../../src/app.js';
import { Users, type NewUser, type User } from '../../src/apps/accounts/users.js';
import { defaultPasswordHashers, PasswordHasher } from '../../src/apps/accounts/passwords.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { createHttpServer } from '../../src/http-server.js';
import type { OpenOptions } from '../../src/db/index.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { SpecValidator } from './openapi.js';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    env: 'test',
    secretKey: 'test-secret-key-that-is-long-enough-0123456789',
    jwt: { accessLifetime: 900, refreshLifetime: 86400, rotateRefreshTokens: true, blacklistAfterRotation: true },
    bcryptRounds: 4,
    passwordHashers: defaultPasswordHashers,
    tokenTtl: null,
    session: { cookieAge: 14 * 24 * 3600, secureCookies: false, sessionSameSite: 'Lax', csrfSameSite: 'Lax', trustedOrigins: [] },
    maxBodyBytes: 2_621_440,
    // Suites log in dozens of times: throttles count nothing unless a test sets rates.
    throttleRates: { anon: null, user: null, login: null, register: null },
    trustedProxies: false,
    modelPermissions: { models: [], requireView: false },
    allowedHosts: ['.localhost', '127.0.0.1', '[::1]'],
    cors: { allowedOrigins: [], allowCredentials: false },
    hsts: null,
    ...overrides,
  };
}

export interface TestApp {
  app: Express;
  db: TestDatabase;
  config: AppConfig;
  /** supertest on the app; each response must be one openapi.yaml documents, or the request fails. */
  http: ReturnType<typeof request>;
  /** supertest without the check, for what is outside the API (Swagger UI's static files). */
  unchecked: ReturnType<typeof request>;
  /** http://127.0.0.1:<port> of the listening server, for clients other than supertest. */
  baseUrl: string;
  /** SQL statements sent since the last reset: how many, and their text. */
  queries: { count: number; statements: string[]; reset(): void };
  /** What the app logged (JSON lines as objects), kept in memory: tests print nothing. */
  logs: LogLine[];
  /** The messages of the error lines among them (server faults). */
  readonly errors: string[];
  /** The logger writing into `logs`, for another app on the same database. */
  logger: Logger;
  createUser(fields?: Partial<NewUser>): Promise<User & { password: string }>;
  /** POST /api/token/ for the user; returns the pair. */
  login(user: { username: string; password: string }): Promise<{ access: string; refresh: string }>;
  /** An Authorization header with a fresh access token of the user. */
  bearer(user: { username: string; password: string }): Promise<{ Authorization: string }>;
  close(): Promise<void>;
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` whose lines are parsed into `lines` (the app's JSON format) instead of printed. */
export function memoryLogger(lines: LogLine[], level = 'info'): Logger {
  return pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
}

let validator: Promise<SpecValidator> | undefined;

const httpMethods = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** supertest whose every request also asserts that its response matches the document. */
function checkedAgent(agent: ReturnType<typeof request>, spec: SpecValidator): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !httpMethods.has(property)) return value;
      const send = value as (url: string) => request.Test;
      return (url: string) =>
        send.call(target, url).expect((res: request.Response) => {
          const body: unknown = res.body;
          spec.check({
            method: property.toUpperCase(),
            url,
            status: res.status,
            headers: res.headers as Record<string, string | undefined>,
            // Media types supertest does not decode (YAML) arrive as a Buffer.
            text: res.text ?? (Buffer.isBuffer(body) ? body.toString('utf8') : ''),
          });
        });
    },
  });
}

let sequence = 0;
/** Usernames unique across the files of a run, which share nothing but may log together. */
export function uniqueName(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}${sequence}_${process.pid}`;
}

/**
 * `options.counters`: where throttles count (default: the app's own memory);
 * `options.statementTimeout`: the database's, in seconds (default: none).
 */
export async function createTestApp(
  overrides: Partial<AppConfig> = {},
  options: Pick<AppOptions, 'counters'> & Pick<OpenOptions, 'statementTimeout'> = {},
): Promise<TestApp> {
  const queries = {
    count: 0,
    statements: [] as string[],
    reset() {
      this.count = 0;
      this.statements = [];
    },
  };
  const logs: LogLine[] = [];
  const logger = memoryLogger(logs);
  const db = await createTestDatabase({
    onQuery: (sql) => {
      queries.count += 1;
      queries.statements.push(sql);
    },
    statementTimeout: options.statementTimeout,
    log: (message) => logger.warn(message),
  });
  const config = testConfig(overrides);
  const app = createApp(config, db, { counters: options.counters, logger });
  const users = new Users(db, new PasswordHasher(config.bcryptRounds, config.passwordHashers));
  // One listening server for the whole file, so absolute links keep one host:port; the
  // production one, so its handling of malformed and slow requests is under test too.
  const { server, listen } = createHttpServer(app, loadConfig({}).timeouts);
  const { port } = await listen(0, '127.0.0.1');
  const unchecked = request(server);
  const http = checkedAgent(unchecked, await (validator ??= SpecValidator.load()));

  const login = async (user: { username: string; password: string }) => {
    const response = await http.post('/api/token/').send({ username: user.username, password: user.password });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { access: string; refresh: string };
  };

  return {
    app,
    db,
    config,
    http,
    unchecked,
    baseUrl: `http://127.0.0.1:${port}`,
    queries,
    logs,
    get errors() {
      return logs.filter((line) => line.level === 'error').map((line) => line.msg);
    },
    logger,
    async createUser(fields = {}) {
      const password = fields.password ?? 'correct horse battery';
      const user = await users.create({ username: uniqueName(), ...fields, password });
      return { ...user, password };
    },
    login,
    async bearer(user) {
      return { Authorization: `Bearer ${(await login(user)).access}` };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await db.destroy();
    },
  };
}

/**
 * One TestApp for the enclosing describe block: built in beforeAll, closed in afterAll.
 * The returned object forwards to it, so tests read `t.http`, `t.createUser()`…
 */
export function useTestApp(...args: Parameters<typeof createTestApp>): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(...args);
  });
  afterAll(() => current?.close());
  return new Proxy({} as TestApp, {
    get(_, key) {
      if (!current) throw new Error(`TestApp.${String(key)} used outside a test (the app is built in beforeAll)`);
      return current[key as keyof TestApp];
    },
  });
}
