// Absolute URLs and query strings built exactly as DRF builds pagination links
// (replace_query_param / remove_query_param): parameters re-encoded with Python's
// urlencode, keys sorted, so clients comparing links see the same bytes.
import type { Request } from 'express';

/** Python's quote_plus: only ASCII letters, digits and `_.-~` stay as they are. */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export class QueryParams {
  private readonly params: URLSearchParams;

  constructor(search: string) {
    this.params = new URLSearchParams(search);
  }

  static of(req: Request): QueryParams {
    const url = req.originalUrl;
    const start = url.indexOf('?');
    return new QueryParams(start === -1 ? '' : url.slice(start + 1));
  }

  /** Django's QueryDict.get: the last value of the key. */
  get(key: string): string | undefined {
    const values = this.params.getAll(key);
    return values.length === 0 ? undefined : values[values.length - 1];
  }

  has(key: string): boolean {
    return this.params.has(key);
  }

  /** This query string with some keys set (or removed when undefined), keys sorted as Python sorts them. */
  with(changes: Record<string, string | number | bigint | undefined>): string {
    const grouped = new Map<string, string[]>();
    for (const [k, v] of this.params) {
      if (k in changes) continue;
      grouped.set(k, [...(grouped.get(k) ?? []), v]);
    }
    for (const [k, v] of Object.entries(changes)) if (v !== undefined) grouped.set(k, [String(v)]);
    return [...grouped.keys()]
      .sort()
      .flatMap((k) => grouped.get(k)!.map((v) => `${quotePlus(k)}=${quotePlus(v)}`))
      .join('&');
  }
}

/** scheme://host of the request (the forwarded host through a trusted proxy, as ALLOWED_HOSTS checked it). */
export function origin(req: Request): string {
  return `${req.protocol}://${req.host ?? 'localhost'}`;
}

/** scheme://host/path of the request, without its query string. */
export function absolutePath(req: Request): string {
  return `${origin(req)}${req.originalUrl.split('?')[0]}`;
}

/** The request's absolute URL with some query parameters replaced or removed. */
export function linkWith(req: Request, query: QueryParams, changes: Record<string, string | number | bigint | undefined>): string {
  const search = query.with(changes);
  return search ? `${absolutePath(req)}?${search}` : absolutePath(req);
}
