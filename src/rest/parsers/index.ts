// Request bodies, parsed lazily as DRF does: a view reads ctx.data() only after
// authentication and permissions passed, so a bad body never outranks a 401/403.
import express, { type Request, type RequestHandler } from 'express';
import { ParseError, UnsupportedMediaType } from '../errors.js';
import { JsonConstantError, JsonParseError, parseJson } from './json.js';
import { decodeUtf8Body, Utf8DecodeError } from './utf8.js';

/** Buffers the raw body (any content type) up to `limit` bytes; parsing waits for the view. */
export function readBody(limit: number): RequestHandler {
  return express.raw({ type: () => true, limit });
}

/** The media types parseBody reads (DRF's JSONParser and FormParser). */
export const parsedMediaTypes = ['application/json', 'application/x-www-form-urlencoded'] as const;

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** The parsed body: a JSON value, or an object of form fields (last value wins, as QueryDict). */
export function parseBody(req: Request): unknown {
  const raw: unknown = req.body;
  const contentType = req.get('content-type');
  if (!Buffer.isBuffer(raw) || raw.length === 0 || contentType === undefined) return {};
  switch (mediaTypeOf(contentType)) {
    case 'application/json':
      return parseJsonBody(raw);
    case 'application/x-www-form-urlencoded':
      return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    default:
      throw new UnsupportedMediaType(contentType);
  }
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
