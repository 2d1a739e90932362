// DRF's PageNumberPagination and LimitOffsetPagination: the same parameters, the
// same clamping of bad values, the same envelope and links. A page is read with its
// count at once (PageQuery.page), whatever its size; only page=last counts first.
import { z } from 'zod';
import { NotFound } from '../errors.js';
import { parsePythonInt } from '../fields/index.js';
import { linkWith } from '../http/urls.js';
import type { ParameterDocs, RequestContext } from '../types.js';

export interface PageQuery<Row> {
  count(): Promise<number>;
  /** The rows from `skip` (at most `take`), with the count of all rows. */
  page(skip: number, take: number): Promise<{ count: number; rows: Row[] }>;
}

export interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: unknown[];
}

export interface Paginator {
  paginate<Row>(ctx: RequestContext, query: PageQuery<Row>, represent: (row: Row) => unknown): Promise<Page>;
  /** Query parameters it reads, for the OpenAPI document. */
  readonly parameters: readonly ParameterDocs[];
  /** The schema of a page of `item`s, for the OpenAPI document. */
  pageSchema(item: z.ZodType): z.ZodObject;
}

/** The Page envelope both paginators answer. */
const pageEnvelope = (item: z.ZodType) =>
  z.object({ count: z.int(), next: z.url().nullable(), previous: z.url().nullable(), results: z.array(item) });

/** DRF's _positive_int: Python int() syntax, negative refused, zero refused when strict. */
function positiveInt(text: string | undefined, strict: boolean): bigint | null {
  const value = text === undefined ? null : parsePythonInt(text);
  return value === null || value < 0n || (value === 0n && strict) ? null : value;
}

const atMost = (value: bigint, cutoff: number): number => (value > BigInt(cutoff) ? cutoff : Number(value));

export function pageNumberPagination(options: { pageSize: number; maxPageSize?: number; pageSizeQueryParam?: string }): Paginator {
  const { pageSize: defaultSize, maxPageSize = 100, pageSizeQueryParam = 'page_size' } = options;
  return {
    parameters: [
      { name: 'page', description: 'A page number within the paginated result set (or "last").', schema: { type: 'integer' }, rejects: 404 },
      {
        name: pageSizeQueryParam,
        description: `Number of results to return per page (at most ${maxPageSize}).`,
        schema: { type: 'integer' },
      },
    ],
    pageSchema: pageEnvelope,
    async paginate<Row>(ctx: RequestContext, query: PageQuery<Row>, represent: (row: Row) => unknown): Promise<Page> {
      const requestedSize = positiveInt(ctx.query.get(pageSizeQueryParam), true);
      const size = requestedSize === null ? defaultSize : atMost(requestedSize, maxPageSize);
      const requested = ctx.query.get('page') ?? '1';
      const pagesFor = (count: number) => Math.max(1, Math.ceil(count / size));
      let count: number;
      let number: number;
      let rows: Row[];
      if (requested === 'last') {
        number = pagesFor(await query.count());
        ({ count, rows } = await query.page((number - 1) * size, size));
      } else {
        // Django's Paginator.validate_number: an integer ≥ 1 (written as Python's int() reads it).
        const parsed = parsePythonInt(requested);
        if (parsed === null || parsed < 1n || parsed > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotFound('Invalid page.');
        number = Number(parsed);
        ({ count, rows } = await query.page((number - 1) * size, size));
      }
      const pages = pagesFor(count);
      if (number > pages) throw new NotFound('Invalid page.');
      return {
        count,
        next: number < pages ? linkWith(ctx.req, ctx.query, { page: number + 1 }) : null,
        previous: number > 1 ? linkWith(ctx.req, ctx.query, { page: number === 2 ? undefined : number - 1 }) : null,
        results: rows.map(represent),
      };
    },
  };
}

export function limitOffsetPagination(options: { defaultLimit: number; maxLimit?: number }): Paginator {
  const { defaultLimit, maxLimit } = options;
  return {
    parameters: [
      {
        name: 'limit',
        description: `Number of results to return per page${maxLimit ? ` (at most ${maxLimit})` : ''}.`,
        schema: { type: 'integer' },
      },
      { name: 'offset', description: 'The initial index from which to return the results.', schema: { type: 'integer' } },
    ],
    pageSchema: pageEnvelope,
    async paginate<Row>(ctx: RequestContext, query: PageQuery<Row>, represent: (row: Row) => unknown): Promise<Page> {
      const requestedLimit = positiveInt(ctx.query.get('limit'), true);
      const limit = requestedLimit === null ? defaultLimit : atMost(requestedLimit, maxLimit ?? Number.MAX_SAFE_INTEGER);
      // DRF has no cutoff on offset: its links carry the exact integer, however large.
      const offset = positiveInt(ctx.query.get('offset'), false) ?? 0n;
      const { count, rows } = await query.page(atMost(offset, Number.MAX_SAFE_INTEGER), limit);
      const step = BigInt(limit);
      return {
        count,
        next: offset + step < count ? linkWith(ctx.req, ctx.query, { limit, offset: offset + step }) : null,
        previous:
          offset <= 0n ? null : linkWith(ctx.req, ctx.query, { limit, offset: offset - step <= 0n ? undefined : offset - step }),
        results: offset > count ? [] : rows.map(represent),
      };
    },
  };
}
