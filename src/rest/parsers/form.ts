// URL-encoded fields as Django's QueryDict reads them (urllib.parse.parse_qsl with
// keep_blank_values): `&` separates fields, `+` is a space, percent escapes are decoded as
// Python's unquote does (an invalid escape is kept as written, invalid UTF-8 becomes U+FFFD),
// and more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields is refused.
import type { RequestHandler } from 'express';
import { ParseError, sendJson } from '../errors.js';

/** Django's DATA_UPLOAD_MAX_NUMBER_FIELDS. */
export const maxFormFields = 1000;

/**
 * Django raises TooManyFieldsSent (a SuspiciousOperation, answered with an HTML 400 page; for a
 * query string the reference even answers 500, its error logging reading request.GET again):
 * here a DRF-shaped 400 with Django's message.
 */
export const tooManyFields = () =>
  new ParseError('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.');

/** Fields as parse_qsl counts them for its limit: separators plus one (`a&&b` is three). */
function fieldCount(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) count++;
  return count;
}

const asciiRun = /[\x00-\x7f]+/g; // eslint-disable-line no-control-regex
const replacing = new TextDecoder('utf-8', { ignoreBOM: true });

/** Python's unquote_to_bytes of an ASCII text: `%` and two hex digits is a byte, anything else as it is. */
function unquoteToBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  text.split('%').forEach((piece, index) => {
    let rest = piece;
    if (index > 0) {
      const hex = /^[0-9a-fA-F]{2}/.exec(piece);
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        rest = piece.slice(2);
      } else {
        bytes.push(0x25); // '%'
      }
    }
    for (let i = 0; i < rest.length; i++) bytes.push(rest.charCodeAt(i));
  });
  return Uint8Array.from(bytes);
}

/** Python's urllib.parse.unquote (UTF-8, errors='replace'): each ASCII run decoded on its own, other characters kept. */
export function pythonUnquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(asciiRun, (run) => replacing.decode(unquoteToBytes(run)));
}

/**
 * The name/value pairs of a query string or form body, in order (Django's QueryDict with
 * keep_blank_values: `a` and `a=` are both ""). Throws tooManyFields past maxFormFields.
 */
export function parseQueryString(text: string): [string, string][] {
  if (fieldCount(text) > maxFormFields) throw tooManyFields();
  const pairs: [string, string][] = [];
  for (const field of text.split('&')) {
    if (field === '') continue;
    const equals = field.indexOf('=');
    const [name, value] = equals === -1 ? [field, ''] : [field.slice(0, equals), field.slice(equals + 1)];
    pairs.push([pythonUnquote(name.replaceAll('+', ' ')), pythonUnquote(value.replaceAll('+', ' '))]);
  }
  return pairs;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A form body's text as QueryDict decodes it: UTF-8, or ISO-8859-1 when it is not valid UTF-8 ("misbehaving user agents"). */
export function decodeFormBody(raw: Uint8Array): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return Buffer.from(raw).toString('latin1');
  }
}

/**
 * Refuses a request whose query string has more than maxFormFields fields, before any view: DRF's
 * content negotiation reads request.query_params (?format=) on every request, before authentication.
 */
export function queryFieldLimit(): RequestHandler {
  return (req, res, next) => {
    const start = req.originalUrl.indexOf('?');
    if (start === -1 || fieldCount(req.originalUrl.slice(start + 1)) <= maxFormFields) return next();
    sendJson(res, 400, tooManyFields().body);
  };
}
