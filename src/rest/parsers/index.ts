// Request bodies, parsed lazily as DRF does: a view reads ctx.data() only after
// authentication and permissions passed, so a bad body never outranks a 401/403.
import express, { type Request, type RequestHandler } from 'express';
import { ParseError, UnsupportedMediaType } from '../errors.js';
import { JsonConstantError, JsonParseError, parseJson } from './json.js';
import { decodeUtf8Body, Utf8DecodeError } from './utf8.js';
import { decodeFormBody, parseQueryString } from './form.js';
import { parseMultipart } from './multipart.js';
import type { ParsedMediaType } from '../types.js';

/** Buffers the raw body (any content type) up to `limit` bytes; parsing waits for the view. */
export function readBody(limit: number): RequestHandler {
  return express.raw({ type: () => true, limit });
}

/** The media types parsed (DRF's JSONParser, FormParser and MultiPartParser), in DRF's default order. */
export const parsedMediaTypes: readonly ParsedMediaType[] = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

// Bodies from HTML forms (urlencoded, multipart): DRF's fields read an empty value in them
// differently from JSON's "" (Field.get_value), so the serializer must know where data came from.
const htmlInputs = new WeakSet<object>();
const asHtmlInput = (fields: Record<string, string>) => (htmlInputs.add(fields), fields);

/** Whether parsed data came from an HTML form body (DRF's html.is_html_input). */
export const isHtmlInput = (data: unknown): boolean => typeof data === 'object' && data !== null && htmlInputs.has(data);

/**
 * The body and its media type; null when there is no body to parse. A body without a
 * Content-Type has the media type "" (WSGI's default), which no parser takes: 415, as DRF.
 */
function bodyOf(req: Request): { raw: Buffer; contentType: string; mediaType: string } | null {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return null;
  const contentType = req.get('content-type') ?? '';
  return { raw, contentType, mediaType: mediaTypeOf(contentType) };
}

/** Whether the body needs parseBodyAsync (multipart, when the view parses it) before parseBody can answer. */
export function isAsyncBody(req: Request, parsers: readonly ParsedMediaType[] = parsedMediaTypes): boolean {
  return bodyOf(req)?.mediaType === 'multipart/form-data' && parsers.includes('multipart/form-data');
}

/**
 * The parsed body: a JSON value, or an object of form fields (last value wins, as QueryDict).
 * A media type the view does not parse (`parsers`) is 415.
 */
export function parseBody(req: Request, parsers: readonly ParsedMediaType[] = parsedMediaTypes): unknown {
  const body = bodyOf(req);
  if (body === null) return {};
  if (!(parsers as readonly string[]).includes(body.mediaType)) throw new UnsupportedMediaType(body.contentType);
  switch (body.mediaType) {
    case 'application/json':
      return parseJsonBody(body.raw);
    case 'application/x-www-form-urlencoded':
      return asHtmlInput(Object.fromEntries(parseQueryString(decodeFormBody(body.raw))));
    case 'multipart/form-data':
      throw new Error('A multipart body is parsed by parseBodyAsync, before the view reads it');
    default:
      throw new UnsupportedMediaType(body.contentType);
  }
}

/** parseBody, for every media type (multipart is parsed as a stream). */
export async function parseBodyAsync(req: Request, parsers: readonly ParsedMediaType[] = parsedMediaTypes): Promise<unknown> {
  const body = bodyOf(req);
  return body?.mediaType === 'multipart/form-data' && parsers.includes('multipart/form-data')
    ? asHtmlInput(await parseMultipart(req, body.raw))
    : parseBody(req, parsers);
}

function parseJsonBody(raw: Buffer): unknown {
  try {
    return parseJson(decodeUtf8Body(raw));
  } catch (error) {
    if (error instanceof Utf8DecodeError || error instanceof JsonParseError || error instanceof JsonConstantError) {
      throw new ParseError(`JSON parse error - ${error.message}`);
    }
    throw error;
  }
}
