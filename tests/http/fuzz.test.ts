// A seeded fuzz of every operation in openapi.yaml, as an attacker's client would send it:
// valid bodies built from the request schemas and mutated ones (wrong types, missing and
// extra fields, nulls, huge numbers, arrays for objects, duplicate keys, a BOM, invalid
// UTF-8, deep nesting, the wrong Content-Type), odd path ids and query values, as anonymous,
// JWT, DRF token and session (with and without CSRF) callers. Every response must be
// below 500, JSON (the schema document and the docs pages aside) and one the document
// allows. FUZZ_REQUESTS (default 2000), FUZZ_SECONDS (default 40) and FUZZ_SEED replay or
// extend a run: `FUZZ_REQUESTS=50000 npx vitest run --project sqlite tests/http/fuzz.test.ts`.
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openApiFile } from '../../src/openapi-file.js';
import { useTestApp } from '../support/app.js';
import { cookieHeader, setCookies } from '../support/auth.js';
import { SpecValidator } from '../support/openapi.js';
import { describeWithDatabase } from '../support/suite.js';

const seed = Number(process.env.FUZZ_SEED ?? 11);
const requestCount = Number(process.env.FUZZ_REQUESTS ?? 2000);
const seconds = Number(process.env.FUZZ_SECONDS ?? (process.env.FUZZ_REQUESTS ? 3600 : 40));
const password = 'correct horse battery';

/** mulberry32: a small PRNG, so a seed replays the same requests. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A JSON number written as-is (beyond a double, or in a form JSON.stringify never writes). */
class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold RawNumbers. */
function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Schema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  maxLength?: number;
  readOnly?: boolean;
  nullable?: boolean;
};
interface Parameter {
  name: string;
  in: 'query' | 'path';
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
type Document = { paths: Record<string, Record<string, Operation>> };

const oddStrings = ['', ' ', 'a', 'Zebra', 'é😀', '\u0000', '<script>alert(1)</script>', "' OR 1=1 --", '%_\\', '-1', '1e3', 'null', '٥', '１', 'x'.repeat(300)];
const oddNumbers = [0, -1, 2 ** 31, 2 ** 53, new RawNumber('1e309'), new RawNumber('-0'), new RawNumber('123456789012345678901234567890'), new RawNumber('1.00000000000000000001'), 1.5];
const oddIds = ['0', '-1', '999999999', '2147483648', '99999999999999999999', 'abc', '1.5', '%00', '１', '1e3', ' 1'];

describeWithDatabase('fuzzing every operation of openapi.yaml', () => {
  const t = useTestApp();

  it(`answers up to ${requestCount} seeded requests (seed ${seed}, at most ${seconds} s) without a 5xx, in JSON, as documented`, { timeout: (seconds + 60) * 1000 }, async () => {
    const random = new Random(seed);
    const document = (await SwaggerParser.dereference(parseYaml(readFileSync(openApiFile, 'utf8')) as never)) as unknown as Document;
    const spec = await SpecValidator.load();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
    );

    /** Objects made along the way, so ids in paths and bodies often name real rows. */
    const ids: number[] = [];
    let identity = await newIdentity();

    /** A user (staff every other time) logged in by each scheme: credentials die when the fuzz deletes the user or changes its password. */
    async function newIdentity() {
      const user = await t.createUser({ password, isStaff: random.chance(0.5) });
      ids.push(user.id);
      const credentials = { username: user.username, password };
      const jwt = (await t.login(credentials)).access;
      const token = ((await (await post('/auth/token/login/', credentials)).json()) as { auth_token: string }).auth_token;
      const session = setCookiesOf(await post('/api/auth/session/', credentials));
      for (const path of ['/api/posts/', '/api/friends/', '/api/belongings/']) {
        const made = (await (await post(path, { title: 'fuzz', body: 'fuzz', name: 'fuzz' }, { Authorization: `Bearer ${jwt}` })).json()) as { id?: number };
        if (made.id) ids.push(made.id);
      }
      return { user, jwt, token, session };
    }
    function post(path: string, body: unknown, headers: Record<string, string> = {}) {
      return fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    }
    function setCookiesOf(response: Response): Record<string, string> {
      const cookies = setCookies({ headers: { 'set-cookie': response.headers.getSetCookie() } } as never);
      return Object.fromEntries(Object.entries(cookies).map(([name, cookie]) => [name, cookie.value]));
    }

    const anId = () => (random.chance(0.8) && ids.length > 0 ? String(random.pick(ids)) : random.pick(oddIds));

    function valueFor(schema: Schema, name: string, depth = 0): unknown {
      if (schema.enum) return random.pick(schema.enum);
      const choice = schema.anyOf ?? schema.oneOf;
      if (choice) return valueFor(random.pick(choice), name, depth);
      if (schema.nullable && random.chance(0.1)) return null;
      switch (schema.type) {
        case 'object': {
          if (depth > 3) return {};
          const object: Record<string, unknown> = {};
          for (const [key, property] of Object.entries(schema.properties ?? {})) {
            if (property.readOnly && !random.chance(0.2)) continue;
            if (schema.required?.includes(key) || random.chance(0.7)) object[key] = valueFor(property, key, depth + 1);
          }
          return object;
        }
        case 'array':
          return Array.from({ length: random.int(3) }, () => valueFor(schema.items ?? {}, name, depth + 1));
        case 'integer':
          return random.chance(0.8) && ids.length > 0 ? random.pick(ids) : random.pick(oddNumbers);
        case 'number':
          return random.pick(oddNumbers);
        case 'boolean':
          return random.chance(0.5);
        default:
          return stringFor(schema, name);
      }
    }
    function stringFor(schema: Schema, name: string): string {
      if (random.chance(0.15)) return random.pick(oddStrings);
      if (/password/.test(name)) return random.pick([password, 'another horse battery', '123', identity.user.username]);
      if (name === 'username') return random.pick([identity.user.username, `fuzz${random.int(1e6)}`, 'admin']);
      if (name === 'refresh' || name === 'token') return random.pick([identity.jwt, 'not.a.jwt', '']);
      switch (schema.format) {
        case 'date-time':
          return random.pick(['2024-02-29T12:00:00Z', '2024-13-01T00:00:00Z', '0001-01-01T00:00:00+14:00', 'yesterday']);
        case 'email':
          return random.pick([`fuzz${random.int(1e6)}@example.com`, 'not-an-email', 'a@b']);
        case 'decimal':
          return random.pick(['12.50', '-0.01', '99999999.99', '100000000.00', '1.001', 'abc']);
        default:
          return `fuzz ${random.int(1000)}`.slice(0, schema.maxLength ?? 100);
      }
    }

    /** A body for the operation: valid per its schema, or mutated; the text and its Content-Type. */
    function bodyFor(operation: Operation): { contentType?: string; bytes: Buffer } {
      const content = operation.requestBody?.content;
      const schema = content?.['application/json']?.schema ?? { type: 'object', properties: { name: { type: 'string' } } };
      let value = valueFor(schema, 'body');
      const fields = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      const field = Object.keys(fields).length > 0 ? random.pick(Object.keys(fields)) : 'title';
      const mutation = random.int(16);
      let contentType: string | undefined = 'application/json';
      let text: string | undefined;
      switch (mutation) {
        case 0:
          delete fields[field];
          break;
        case 1:
          fields[`extra_${random.int(100)}`] = random.pick(oddStrings);
          break;
        case 2:
          fields[field] = random.pick<unknown>([[], {}, true, 42, 'text', [1, 2]]);
          break;
        case 3:
          fields[field] = null;
          break;
        case 4:
          fields[field] = random.pick(oddNumbers);
          break;
        case 5:
          value = random.pick<unknown>([[value], 'text', 42, null, []]);
          break;
        case 6:
          text = `{${JSON.stringify(field)}:"first",${toJson(value).slice(1)}`;
          break;
        case 7:
          text = `\ufeff${toJson(value)}`;
          break;
        case 8:
          contentType = random.pick([undefined, 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin-1', 'APPLICATION/JSON']);
          break;
        case 9:
          contentType = 'application/x-www-form-urlencoded';
          text = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : toJson(v)])).toString();
          break;
        case 10:
          text = toJson(value).slice(0, -1 - random.int(3));
          break;
        case 11:
          return { contentType, bytes: Buffer.concat([Buffer.from(`{${JSON.stringify(field)}:"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]) };
        case 12:
          text = `${'['.repeat(600)}${']'.repeat(600)}`;
          break;
        case 13:
          fields[field] = 'x'.repeat(5000 + random.int(5000));
          break;
        default:
          break; // valid
      }
      return { contentType, bytes: Buffer.from(text ?? toJson(value)) };
    }

    function queryFor(operation: Operation): string {
      const query = new URLSearchParams();
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'query' || !random.chance(0.4)) continue;
        const value =
          parameter.name === 'search'
            ? Array.from({ length: 1 + random.int(8) }, () => random.pick(['fuzz', 'a', '%', '_', 'é', 'x,y'])).join(' ')
            : random.chance(0.5)
              ? String(toJson(valueFor(parameter.schema, parameter.name))).replace(/^"|"$/g, '')
              : random.pick([...oddStrings.slice(0, 12), ...oddIds]);
        query.append(parameter.name, value);
      }
      if (random.chance(0.1)) query.append(random.pick(['unknown', 'page', 'format', 'ordering']), random.pick(oddIds));
      const text = query.toString();
      return text ? `?${text}` : '';
    }

    function authFor(): Record<string, string> {
      switch (random.int(6)) {
        case 0:
          return {};
        case 1:
          return { Authorization: `Bearer ${identity.jwt}` };
        case 2:
          return { Authorization: `Token ${identity.token}` };
        case 3:
          return { Cookie: cookieHeader(identity.session), 'X-CSRFToken': identity.session.csrftoken ?? '' };
        case 4:
          return { Cookie: cookieHeader(identity.session) };
        default:
          return { Authorization: random.pick(['Bearer', 'Bearer a.b.c', 'Token nope', 'Basic eDp5', `Token ${identity.token} extra`]) };
      }
    }

    const failures: string[] = [];
    const deadline = Date.now() + seconds * 1000;
    let sent = 0;
    for (; sent < requestCount && Date.now() < deadline && failures.length < 20; sent += 1) {
      if (sent > 0 && sent % 60 === 0) identity = await newIdentity();
      const { path, method: documented, operation } = random.pick(operations);
      const method = random.chance(0.85) ? documented : random.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
      const url = path.replace(/\{\w+\}/g, () => encodeURIComponent(anId()).replace(/%25/g, '%')) + queryFor(operation);
      const headers = authFor();
      let body: Buffer | undefined;
      if (!['GET', 'HEAD'].includes(method) && (operation.requestBody || random.chance(0.3))) {
        const made = bodyFor(operation);
        body = made.bytes;
        if (made.contentType) headers['Content-Type'] = made.contentType;
      }
      const where = `#${sent} ${method} ${url} (${JSON.stringify(headers).slice(0, 120)}) body ${body?.toString('utf8').slice(0, 200) ?? '-'}`;
      let response: Response;
      try {
        response = await fetch(`${t.baseUrl}${url}`, { method, headers, body, redirect: 'manual' });
      } catch (error) {
        failures.push(`${where}: no response (${String(error)})`);
        continue;
      }
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      if (response.status >= 500) failures.push(`${where} → ${response.status} ${text.slice(0, 300)}`);
      else if (text !== '' && !contentType.startsWith('application/json') && !/^\/api\/(schema|docs|redoc)\//.test(path)) {
        failures.push(`${where} → ${response.status} ${contentType}, not JSON: ${text.slice(0, 200)}`);
      } else {
        try {
          spec.check({ method, url, status: response.status, headers: Object.fromEntries(response.headers), text });
        } catch (error) {
          failures.push(`${where}: ${String(error).slice(0, 600)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(t.errors).toEqual([]);
    // Bounded by time on a slow machine, but never trivially short.
    expect(sent).toBeGreaterThanOrEqual(Math.min(requestCount, 200));
  });
});
