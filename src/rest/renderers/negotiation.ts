// DRF's DefaultContentNegotiation: `?format=` keeps only the renderers of that format (none: 404),
// then the Accept header's media types are tried from the most specific to the least (DRF
// ignores `q`), each against the view's renderers in their order; nothing matches: 406.
// A request with no Accept (or `*/*`) and no `format` gets the first renderer without any parsing.
import type { Request } from 'express';
import { APIException, NotFound } from '../errors.js';
import { quotePlus, type QueryParams } from '../http/urls.js';
import type { MediaType, Renderer } from '../types.js';
export type { MediaType } from '../types.js';

export class NotAcceptable extends APIException {
  constructor() {
    super(406, 'Could not satisfy the request Accept header.');
  }
}

/** Django's parse_header on one media type: lower-cased type, trimmed and unquoted parameters. */
export function parseMediaType(text: string): MediaType {
  const [full = '', ...parts] = text.split(';');
  const params: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  const fullType = full.trim().toLowerCase();
  const slash = fullType.indexOf('/');
  return slash === -1 ? { type: fullType, subtype: '', params } : { type: fullType.slice(0, slash), subtype: fullType.slice(slash + 1), params };
}

/** DRF's precedence: 3 with parameters other than q, 2 a full type, 1 `type/*`, 0 `*\/*`. */
function precedence({ type, subtype, params }: MediaType): number {
  if (type === '*') return 0;
  if (subtype === '*') return 1;
  return Object.keys(params).some((key) => key !== 'q') ? 3 : 2;
}

/** Whether an accepted media type admits a renderer's (renderers here carry no parameters). */
function admits(accepted: MediaType, renderer: MediaType): boolean {
  return (
    (accepted.subtype === '*' || accepted.subtype === renderer.subtype) && (accepted.type === '*' || accepted.type === renderer.type)
  );
}

export interface Negotiated {
  renderer: Renderer;
  /** The Accept entry that chose it (its parameters, e.g. `indent`, reach the renderer). */
  accepted: MediaType | null;
}

/** The negotiation of one view: its renderers' media types are parsed once, here. */
export function contentNegotiation(renderers: readonly Renderer[]): (req: Request, format: string | undefined) => Negotiated {
  const parsed = renderers.map((renderer) => ({ renderer, mediaType: parseMediaType(renderer.mediaType) }));
  const first: Negotiated = { renderer: renderers[0]!, accepted: null };
  return (req, format) => {
    const accept = req.headers.accept;
    if (!format && (accept === undefined || accept === '*/*')) return first;
    const candidates = format ? parsed.filter(({ renderer }) => renderer.format === format) : parsed;
    if (candidates.length === 0) throw new NotFound();
    const byPrecedence: MediaType[][] = [[], [], [], []];
    for (const token of (accept ?? '*/*').split(',')) {
      const mediaType = parseMediaType(token);
      byPrecedence[3 - precedence(mediaType)]!.push(mediaType);
    }
    for (const group of byPrecedence) {
      for (const { renderer, mediaType } of candidates) {
        const accepted = group.find((candidate) => admits(candidate, mediaType));
        if (accepted) return { renderer, accepted };
      }
    }
    throw new NotAcceptable();
  };
}

/** The format a request's URL suffix names (`/api/posts.json` → 'json'; the URL table puts it in req.params). */
export function formatSuffixOf(req: Request): string | undefined {
  const { format } = req.params;
  return typeof format === 'string' ? format : undefined;
}

/** The format a request asks for: its URL's suffix, else `?format=` (DRF: the suffix wins). */
export const requestedFormat = (req: Request): string | undefined => formatSuffixOf(req) ?? formatParameter(req);

/** DRF's `format` query parameter (the last one, as QueryDict.get), read without parsing the whole query when absent. */
export function formatParameter(req: Request): string | undefined {
  const url = req.originalUrl;
  const start = url.indexOf('?');
  if (start === -1 || !url.includes('format=', start)) return undefined;
  return new URLSearchParams(url.slice(start + 1)).getAll('format').pop();
}

/** DRF's preserve_builtin_query_params: the request's `format` parameter as the query of a link it renders ('' without one). */
export function preservedFormatQuery(query: QueryParams): string {
  const format = query.get('format');
  return format === undefined ? '' : `?format=${quotePlus(format)}`;
}
