// The filter backends on their own: DRF's SearchFilter term parsing, OrderingFilter's whitelist,
// django-filter's FilterSet errors and the exact decimal filter, as the conditions they produce.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/rest/errors.js';
import {
  decimalFilter,
  filterSet,
  maxSearchTerms,
  nullable,
  orderingFilter,
  searchFilter,
  searchTerms,
  type FieldFilter,
} from '../../../../src/rest/filters/index.js';
import type { RequestContext } from '../../../../src/rest/types.js';

/** A request with only its query string: all a filter reads. */
const withQuery = (query: string) => {
  const params = new URLSearchParams(query);
  return { ctx: { query: { get: (name: string) => params.get(name) ?? undefined } } as RequestContext };
};

const rejection = async (work: () => unknown) => {
  try {
    await work();
  } catch (error) {
    if (error instanceof ValidationError) return error.detail;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('searchTerms (DRF SearchFilter.get_search_terms)', () => {
  it('splits on whitespace and commas, dropping empties and NUL characters', () => {
    expect(searchTerms(' a,b  c,,\td\0e ')).toEqual(['a', 'b', 'c', 'de']);
    expect(searchTerms(undefined)).toEqual([]);
    expect(searchTerms(' , ')).toEqual([]);
  });

  it(`answers 400 beyond ${maxSearchTerms} terms`, async () => {
    expect(searchTerms(Array(maxSearchTerms).fill('x').join(' '))).toHaveLength(maxSearchTerms);
    expect(await rejection(() => searchTerms(Array(maxSearchTerms + 1).fill('x').join(' ')))).toEqual({
      search: [`Ensure this field has no more than ${maxSearchTerms} terms.`],
    });
  });
});

describe('searchFilter', () => {
  const search = searchFilter(['title', 'owner.username']);
  it('is no condition without terms', () => {
    expect(search.where!(withQuery(''))).toBeUndefined();
    expect(search.where!(withQuery('search='))).toBeUndefined();
  });
  it('needs every term to match one of the fields', () => {
    expect(search.where!(withQuery('search=a%20b'))).toEqual({
      op: 'and',
      conditions: [
        { op: 'icontains', fields: ['title', 'owner.username'], term: 'a' },
        { op: 'icontains', fields: ['title', 'owner.username'], term: 'b' },
      ],
    });
  });
});

describe('orderingFilter (DRF OrderingFilter)', () => {
  const ordering = orderingFilter({ fields: { amount: 'amount_cents', when: nullable('timestamp'), id: 'id' }, default: ['-when', 'id'] });
  const orderBy = (query: string) => ordering.orderBy!(withQuery(query));

  it('orders by the default without ?ordering', () => {
    expect(orderBy('')).toEqual([
      { field: 'timestamp', descending: true, nullable: true },
      { field: 'id', descending: false },
    ]);
  });

  it('maps API names to columns, "-" descending, and keeps the default after them as tie-breakers', () => {
    expect(orderBy('ordering=-amount,id')).toEqual([
      { field: 'amount_cents', descending: true },
      { field: 'id', descending: false },
      { field: 'timestamp', descending: true, nullable: true },
    ]);
  });

  it('drops names outside the whitelist, inherited object keys included', () => {
    expect(orderBy('ordering=password,-__proto__,constructor,amount')?.[0]).toEqual({ field: 'amount_cents', descending: false });
    expect(orderBy('ordering=password')).toEqual(orderBy(''));
  });
});

describe('filterSet (django-filter)', () => {
  const even: FieldFilter<'n'> = {
    description: 'even',
    schema: { type: 'integer' },
    toWhere: (value) => {
      if (Number(value) % 2 !== 0) throw new (class extends Error {})();
      return { op: 'eq', field: 'n', value: Number(value) };
    },
  };
  const min = decimalFilter('amount_cents', 2, 'gte');
  const max = decimalFilter('amount_cents', 2, 'lte');

  it('skips empty values, and ands the others', async () => {
    const set = filterSet({ min, max });
    expect(await set.where!(withQuery('min=&max='))).toBeUndefined();
    expect(await set.where!(withQuery('min=1&max=2'))).toEqual({
      op: 'and',
      conditions: [
        { op: 'gte', field: 'amount_cents', value: 100n },
        { op: 'lte', field: 'amount_cents', value: 200n },
      ],
    });
  });

  it('reports every bad value together, keyed by parameter', async () => {
    expect(await rejection(() => filterSet({ min, max }).where!(withQuery('min=x&max=Infinity')))).toEqual({
      min: ['Enter a number.'],
      max: ['Enter a number.'],
    });
  });

  it('lets an unexpected error through (a 500, not a 400)', async () => {
    await expect(filterSet({ even }).where!(withQuery('even=3'))).rejects.not.toBeInstanceOf(ValidationError);
  });
});

describe('decimalFilter: exact arithmetic on a scaled column', () => {
  const condition = (lookup: 'exact' | 'gte' | 'lte', value: string) => decimalFilter('amount_cents', 2, lookup).toWhere(value, withQuery('').ctx);

  it('scales an exact value', () => {
    expect(condition('exact', '12.3')).toEqual({ op: 'eq', field: 'amount_cents', value: 1230n });
    expect(condition('gte', '-0.50')).toEqual({ op: 'gte', field: 'amount_cents', value: -50n });
  });

  it('rounds a finer bound toward the side that keeps the comparison true', () => {
    expect(condition('gte', '12.345')).toEqual({ op: 'gte', field: 'amount_cents', value: 1235n });
    expect(condition('gte', '-12.345')).toEqual({ op: 'gte', field: 'amount_cents', value: -1234n });
    expect(condition('lte', '12.345')).toEqual({ op: 'lte', field: 'amount_cents', value: 1234n });
    expect(condition('lte', '-12.345')).toEqual({ op: 'lte', field: 'amount_cents', value: -1235n });
    expect(condition('gte', '12.3400')).toEqual({ op: 'gte', field: 'amount_cents', value: 1234n });
  });

  it('matches nothing for an exact value finer than the column', () => {
    expect(condition('exact', '12.345')).toEqual({ op: 'in', field: 'amount_cents', values: [] });
  });

  it('clamps bounds beyond a 64-bit column', () => {
    expect(condition('lte', '9'.repeat(40))).toEqual({ op: 'lte', field: 'amount_cents', value: 2n ** 63n - 1n });
    expect(condition('gte', `-${'9'.repeat(40)}`)).toEqual({ op: 'gte', field: 'amount_cents', value: -(2n ** 63n - 1n) });
  });
});
