// DRF's link building (replace_query_param): Python's quote_plus and urlencode with sorted keys.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { absolutePath, linkWith, QueryParams, quotePlus } from '../../../../src/rest/http/urls.js';

const req = (originalUrl: string) => ({ protocol: 'https', host: 'api.example.com', originalUrl }) as Request;

describe('quotePlus (Python urllib.parse.quote_plus)', () => {
  it('keeps only letters, digits and _.-~; a space is +', () => {
    expect(quotePlus("a b+c/d?e=f&g!'()*~._-é")).toBe('a+b%2Bc%2Fd%3Fe%3Df%26g%21%27%28%29%2A~._-%C3%A9');
  });
});

describe('QueryParams (Django QueryDict)', () => {
  it('reads the last value of a repeated key', () => {
    const query = new QueryParams('a=1&a=2&b=');
    expect([query.get('a'), query.get('b'), query.get('c')]).toEqual(['2', '', undefined]);
    expect([query.has('b'), query.has('c')]).toEqual([true, false]);
  });

  it('re-encodes with keys sorted, repeated values kept, changed keys replaced or removed', () => {
    expect(new QueryParams('z=1&a=x%20y&a=2&page=3').with({ page: 4 })).toBe('a=x+y&a=2&page=4&z=1');
    expect(new QueryParams('page=3&q=1').with({ page: undefined })).toBe('q=1');
  });
});

describe('links', () => {
  it('are absolute, without the old query when nothing is left', () => {
    expect(absolutePath(req('/api/posts/?page=2'))).toBe('https://api.example.com/api/posts/');
    expect(linkWith(req('/api/posts/?page=2'), new QueryParams('page=2'), { page: undefined })).toBe('https://api.example.com/api/posts/');
    expect(linkWith(req('/api/posts/'), new QueryParams(''), { page: 2 })).toBe('https://api.example.com/api/posts/?page=2');
  });
});
