// The paginators on their own, over an in-memory list: DRF's envelope and links, page=last,
// the clamping of bad sizes, and "Invalid page." (404) for what Django's Paginator refuses.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { NotFound } from '../../../../src/rest/errors.js';
import { QueryParams } from '../../../../src/rest/http/urls.js';
import { limitOffsetPagination, pageNumberPagination, type PageQuery } from '../../../../src/rest/pagination/index.js';
import type { RequestContext } from '../../../../src/rest/types.js';

const request = (url: string) => {
  const req = { protocol: 'http', host: 'testserver', originalUrl: url } as Request;
  return { req, query: QueryParams.of(req) } as RequestContext;
};

/** Rows 1..n, recording the (skip, take) of each fetch. */
function rows(n: number) {
  const fetched: [number, number][] = [];
  const query: PageQuery<number> = {
    count: async () => n,
    page: async (skip, take) => (fetched.push([skip, take]), { count: n, rows: Array.from({ length: n }, (_, i) => i + 1).slice(skip, skip + take) }),
  };
  return { query, fetched };
}

const byPage = pageNumberPagination({ pageSize: 2, maxPageSize: 3 });
const paginate = (url: string, n = 5) => byPage.paginate(request(url), rows(n).query, (row) => row);

describe('pageNumberPagination', () => {
  it('answers the first page with a next link only', async () => {
    expect(await paginate('/api/things/')).toEqual({ count: 5, next: 'http://testserver/api/things/?page=2', previous: null, results: [1, 2] });
  });

  it('links the neighbours; the link to page 1 drops the parameter, others keep their query, keys sorted', async () => {
    expect(await paginate('/api/things/?search=a+b&page=3&page_size=2')).toEqual({
      count: 5,
      next: null,
      previous: 'http://testserver/api/things/?page=2&page_size=2&search=a+b',
      results: [5],
    });
    expect((await paginate('/api/things/?page=2&z=1')).previous).toBe('http://testserver/api/things/?z=1');
  });

  it('reads page=last as the last page, and an empty list as one empty page', async () => {
    expect((await paginate('/api/things/?page=last')).results).toEqual([5]);
    expect(await paginate('/api/things/?page=last', 0)).toEqual({ count: 0, next: null, previous: null, results: [] });
    expect(await paginate('/api/things/', 0)).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it('reads the page number as Python int() does', async () => {
    expect((await paginate('/api/things/?page=%202%20')).results).toEqual([3, 4]);
    expect((await paginate('/api/things/?page=+2')).results).toEqual([3, 4]);
  });

  it.each(['0', '-1', 'x', '1.0', '4', '99999999999999999999999'])('answers 404 "Invalid page." for page=%s', async (page) => {
    const error = await paginate(`/api/things/?page=${page}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFound);
    expect((error as NotFound).detail).toBe('Invalid page.');
  });

  it('clamps page_size to the maximum and ignores a bad one', async () => {
    expect((await paginate('/api/things/?page_size=50')).results).toEqual([1, 2, 3]);
    expect((await paginate('/api/things/?page_size=0')).results).toEqual([1, 2]);
    expect((await paginate('/api/things/?page_size=-3')).results).toEqual([1, 2]);
    expect((await paginate('/api/things/?page_size=abc')).results).toEqual([1, 2]);
  });

  it('fetches only the page it answers', async () => {
    const { query, fetched } = rows(100);
    await byPage.paginate(request('/api/things/?page=7'), query, (row) => row);
    expect(fetched).toEqual([[12, 2]]);
  });
});

describe('limitOffsetPagination', () => {
  const byOffset = limitOffsetPagination({ defaultLimit: 2, maxLimit: 3 });
  const page = (url: string, n = 5) => byOffset.paginate(request(url), rows(n).query, (row) => row);

  it('links by limit and offset, the first page without an offset', async () => {
    expect(await page('/api/things/?offset=2')).toEqual({
      count: 5,
      next: 'http://testserver/api/things/?limit=2&offset=4',
      previous: 'http://testserver/api/things/?limit=2',
      results: [3, 4],
    });
  });

  it('answers an offset past the end with no results and no next link', async () => {
    expect(await page('/api/things/?offset=9')).toMatchObject({ next: null, results: [] });
  });

  it('clamps the limit and ignores bad values', async () => {
    expect((await page('/api/things/?limit=9')).results).toEqual([1, 2, 3]);
    expect((await page('/api/things/?limit=x&offset=-1')).results).toEqual([1, 2]);
  });
});
