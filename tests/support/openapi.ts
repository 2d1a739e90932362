// Checks an HTTP response against openapi.yaml: the status must be documented for the
// operation (or be what the pipeline answers outside operations: 404 for an unknown URL,
// 405 for an undocumented method), required headers present, and the body must match the
// documented schema of its media type (ajv, on the dereferenced document).
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { openApiFile } from '../../src/openapi-file.js';

type Schema = Record<string, unknown>;
interface MediaType {
  schema: Schema;
}
interface Response {
  description: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, Response>;
}
type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;
interface Document {
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
}

export interface ObservedResponse {
  method: string;
  /** Path and query, as requested. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text ('' when there is none). */
  text: string;
}

export class ResponseMismatch extends Error {
  override name = 'ResponseMismatch';
}

const documentedMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** The components.responses of the errors answered outside an operation's own responses, by status. */
const standardResponses: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  413: 'PayloadTooLarge',
  429: 'Throttled',
  500: 'ServerError',
  503: 'ServiceUnavailable',
};
/** Errors the pipeline answers before (or instead of) the view, for any method. */
const pipelineStatuses = new Set([401, 403, 405, 413, 429]);
/** DRF's format_suffix_patterns: `.<format>` closing the path, before the optional trailing slash. */
const formatSuffix = /\.[a-z0-9]+\/?$/;

export class SpecValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: true });
  private readonly compiled = new WeakMap<Schema, ValidateFunction>();
  private readonly templates: { path: string; pattern: RegExp; literal: boolean }[];

  private constructor(private readonly document: Document) {
    addFormats.default(this.ajv);
    this.ajv.addFormat('decimal', /^-?\d*(\.\d*)?$/);
    this.templates = Object.keys(document.paths).map((path) => ({
      path,
      literal: !path.includes('{'),
      // Every path answers with and without its trailing slash (/healthz is documented without one).
      pattern: new RegExp(`^${path.replace(/\/?$/, '/').replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
    }));
  }

  /** The validator of a document (default: the committed openapi.yaml), every $ref resolved. */
  static async load(text = readFileSync(openApiFile, 'utf8')): Promise<SpecValidator> {
    return new SpecValidator((await SwaggerParser.dereference(parseYaml(text) as never)) as unknown as Document);
  }

  /** The documented path a request path answers on (`/api/posts/7` → `/api/posts/{id}/`). */
  private pathOf(url: string): string | undefined {
    const path = url.split('?')[0]!.replace(/\/?$/, '/');
    const matches = this.templates.filter((t) => t.pattern.test(path));
    return (matches.find((t) => t.literal) ?? matches[0])?.path;
  }

  /** Throws ResponseMismatch, saying what differs, when the response is not one the document allows. */
  check(observed: ObservedResponse): void {
    const where = `${observed.method} ${observed.url} → ${observed.status}`;
    const fail = (problem: string): never => {
      throw new ResponseMismatch(`${where} does not match openapi.yaml: ${problem}\nbody: ${observed.text.slice(0, 500)}`);
    };
    const standard = () => this.document.components.responses[standardResponses[observed.status]!]!;
    const path = this.pathOf(observed.url);
    if (path === undefined) {
      if (observed.status !== 404 && observed.status !== 413) fail('no documented path matches this URL (an unknown URL answers 404)');
      return this.checkResponse(observed, standard(), fail);
    }
    // Negotiation (406, and 404 for a format no renderer has, by `?format=` or by a suffix such as `/api/posts/1.xyz/`)
    // comes before any view, before the method is even looked at; faults of the server are nobody's operation.
    const [pathPart, queryPart = ''] = observed.url.split('?');
    const unknownFormat = observed.status === 404 && (/(^|&)format=/.test(queryPart) || formatSuffix.test(pathPart!));
    if (unknownFormat || [406, 500, 503].includes(observed.status)) return this.checkResponse(observed, standard(), fail);

    const item = this.document.paths[path]!;
    const method = observed.method.toLowerCase();
    if (method === 'options') {
      if (observed.status === 200) return this.checkBody(observed, { 'application/json': { schema: this.document.components.schemas.ViewMetadata! } }, fail);
      const documented = documentedMethods.flatMap((m) => (item[m] ? [item[m].responses[observed.status]] : [])).find(Boolean);
      return this.checkResponse(observed, documented ?? fail(`OPTIONS may answer 200 or an error the path documents`), fail);
    }
    const operation = item[(method === 'head' ? 'get' : method) as (typeof documentedMethods)[number]];
    if (!operation) {
      if (!pipelineStatuses.has(observed.status)) fail(`${observed.method} is not documented on ${path}: expected 405 (or an authentication, permission or throttling error)`);
      if (observed.status === 405) {
        const allow = documentedMethods.filter((m) => item[m]).map((m) => m.toUpperCase());
        const expected = [...allow, ...(item.get ? ['HEAD'] : []), 'OPTIONS'].join(', ');
        if (observed.headers.allow !== expected) fail(`Allow is ${String(observed.headers.allow)}, the document says ${expected}`);
      }
      return this.checkResponse(observed, standard(), fail);
    }
    const response = operation.responses[String(observed.status)];
    if (!response) fail(`status ${observed.status} is not documented for ${operation.operationId}`);
    this.checkResponse(observed, response!, fail);
  }

  /** A HEAD response's headers are checked, never its body: it has none, whatever the status. */
  private checkResponse(observed: ObservedResponse, response: Response, fail: (problem: string) => never): void {
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && observed.headers[name.toLowerCase()] === undefined) fail(`the ${name} header is missing`);
    }
    if (observed.method.toUpperCase() === 'HEAD') return;
    if (!response.content) {
      if (observed.text !== '') fail('a body was sent where the document says there is none');
      return;
    }
    this.checkBody(observed, response.content, fail);
  }

  private checkBody(observed: ObservedResponse, content: Record<string, MediaType>, fail: (problem: string) => never): void {
    const contentType = String(observed.headers['content-type'] ?? '').split(';')[0]!.trim();
    const media = content[contentType];
    if (!media) fail(`Content-Type ${contentType || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
    let body: unknown;
    try {
      if (contentType === 'application/json' || contentType.endsWith('+json')) body = JSON.parse(observed.text);
      else if (contentType === 'application/vnd.oai.openapi' || contentType.includes('yaml')) body = parseYaml(observed.text);
      else body = observed.text;
    } catch (error) {
      fail(`the body is not valid ${contentType}: ${String(error)}`);
    }
    let validate = this.compiled.get(media!.schema);
    if (!validate) {
      validate = this.ajv.compile(media!.schema);
      this.compiled.set(media!.schema, validate);
    }
    if (!validate(body)) fail(`the body does not match its schema: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
  }
}
