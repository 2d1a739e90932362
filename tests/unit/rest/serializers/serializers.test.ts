// Serializer validation on its own: DRF's shape of errors (`{"field": ["message"]}` in
// declaration order, `non_field_errors` for the data as a whole), partial updates, and the
// deferred checks that need the request, without a database or an app.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { and, eq, type Condition } from '../../../../src/rest/data/index.js';
import { ValidationError } from '../../../../src/rest/errors.js';
import { charField, dateTimeField, decimalField, primaryKeyRelatedField } from '../../../../src/rest/fields/index.js';
import { NumberLiteral } from '../../../../src/rest/parsers/json.js';
import { parseBody } from '../../../../src/rest/parsers/index.js';
import type { Request } from 'express';
import { fieldErrors, partialOf, validate, validateRequest } from '../../../../src/rest/serializers/index.js';
import type { RequestContext } from '../../../../src/rest/types.js';

const post = z.object({ title: charField({ maxLength: 10 }), body: charField({ allowBlank: true }) });

/** The 400 body a validation raises (what the error handler renders). */
function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    return (error as ValidationError).detail;
  }
  throw new Error('expected a ValidationError');
}

async function asyncErrorOf(run: () => Promise<unknown>): Promise<unknown> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).detail;
}

describe('validate', () => {
  it('returns the fields\' values', () => {
    expect(validate(post, { title: ' Hi ', body: '' })).toEqual({ title: 'Hi', body: '' });
  });

  it('reports every field\'s messages, keyed by field', () => {
    expect(errorOf(() => validate(post, { title: 'x'.repeat(11) }))).toEqual({
      title: ['Ensure this field has no more than 10 characters.'],
      body: ['This field is required.'],
    });
  });

  it('refuses no data and data that is not an object, as Serializer.to_internal_value does', () => {
    expect(errorOf(() => validate(post, null))).toEqual({ non_field_errors: ['No data provided'] });
    const got = (data: unknown) => errorOf(() => validate(post, data));
    expect(got([])).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    expect(got('title')).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect(got(3)).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] });
    expect(got(new NumberLiteral('1.5'))).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got float.'] });
    expect(got(true)).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got bool.'] });
  });

  it('with partial (PATCH), checks only the fields given', () => {
    expect(validate(post, {}, { partial: true })).toEqual({});
    expect(validate(post, { body: 'text' }, { partial: true })).toEqual({ body: 'text' });
    expect(errorOf(() => validate(post, { title: '' }, { partial: true }))).toEqual({ title: ['This field may not be blank.'] });
    expect(errorOf(() => validate(post, [], { partial: true }))).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });
});

describe('partialOf', () => {
  it('makes every field optional, once per schema', () => {
    const partial = partialOf(post);
    expect(partialOf(post)).toBe(partial);
    expect(partial).not.toBe(post);
    expect(partial.safeParse({}).success).toBe(true);
    expect(post.safeParse({}).success).toBe(false);
  });
});

describe('fieldErrors', () => {
  it('groups zod issues by their first path segment, in order; an issue without a path is non_field_errors', () => {
    const issues = [
      { code: 'custom', path: ['title'], message: 'First.', input: undefined },
      { code: 'custom', path: [], message: 'Whole.', input: undefined },
      { code: 'custom', path: ['title', 0], message: 'Second.', input: undefined },
      { code: 'custom', path: ['amount'], message: 'Third.', input: undefined },
    ] as z.core.$ZodIssue[];
    const errors = fieldErrors(issues);
    expect(errors).toEqual({ title: ['First.', 'Second.'], non_field_errors: ['Whole.'], amount: ['Third.'] });
    expect(Object.keys(errors)).toEqual(['title', 'non_field_errors', 'amount']);
  });
});

describe('validateRequest', () => {
  const ctx = { user: { id: 7 } } as unknown as RequestContext;
  /** A table of ids 1..3 counted in memory (scopes ignored); records each condition it is asked. */
  function things() {
    const asked: Condition[] = [];
    const idOf = (where: Condition): unknown =>
      where.op === 'eq' && where.field === 'id' ? where.value : where.op === 'and' ? where.conditions.map(idOf).find((id) => id !== undefined) : undefined;
    const table = {
      count: async (where?: Condition) => {
        asked.push(where!);
        return [1, 2, 3].includes(idOf(where!) as number) ? 1 : 0;
      },
    };
    return { table, asked };
  }

  it('resolves a related field in the caller\'s scope and returns its id', async () => {
    const { table, asked } = things();
    const schema = z.object({ thing: primaryKeyRelatedField({ table, scope: (c) => eq('owner_id', (c.user as { id: number }).id) }) });
    expect(await validateRequest(schema, { thing: '2' }, ctx)).toEqual({ thing: 2 });
    expect(asked).toEqual([and(eq('owner_id', 7), eq('id', 2))]);
  });

  it('reports plain and deferred errors together, in the order the fields are declared', async () => {
    const { table } = things();
    const schema = z.object({
      thing: primaryKeyRelatedField({ table }),
      amount: decimalField({ maxDigits: 5, decimalPlaces: 2 }),
      title: charField(),
    });
    const detail = await asyncErrorOf(() => validateRequest(schema, { thing: 99, amount: '1.234', title: '' }, ctx));
    expect(detail).toEqual({
      thing: ['Invalid pk "99" - object does not exist.'],
      amount: ['Ensure that there are no more than 2 decimal places.'],
      title: ['This field may not be blank.'],
    });
    expect(Object.keys(detail as object)).toEqual(['thing', 'amount', 'title']);
  });

  it('answers a value of the wrong type for a related field without a query', async () => {
    const { table, asked } = things();
    const schema = z.object({ thing: primaryKeyRelatedField({ table }) });
    expect(await asyncErrorOf(() => validateRequest(schema, { thing: true }, ctx))).toEqual({ thing: ['Incorrect type. Expected pk value, received bool.'] });
    expect(await asyncErrorOf(() => validateRequest(schema, { thing: [1] }, ctx))).toEqual({ thing: ['Incorrect type. Expected pk value, received list.'] });
    expect(asked).toEqual([]);
  });

  it('runs async refinements (DRF\'s UniqueValidator)', async () => {
    const taken = new Set(['alice']);
    const schema = z.object({
      username: charField().refine(async (name) => !taken.has(name), { error: 'A user with that username already exists.' }),
    });
    expect(await validateRequest(schema, { username: 'bob' }, ctx)).toEqual({ username: 'bob' });
    expect(await asyncErrorOf(() => validateRequest(schema, { username: 'alice' }, ctx))).toEqual({ username: ['A user with that username already exists.'] });
  });

  it('with partial, leaves out the fields not given and checks the others', async () => {
    const { table } = things();
    const schema = z.object({ thing: primaryKeyRelatedField({ table }, { allowNull: true }), title: charField() });
    expect(await validateRequest(schema, { title: 'New' }, ctx, { partial: true })).toEqual({ title: 'New' });
    // A related field reads "" as null (DRF's RelatedField).
    expect(await validateRequest(schema, { thing: '' }, ctx, { partial: true })).toEqual({ thing: null });
    expect(await asyncErrorOf(() => validateRequest(schema, { thing: 0 }, ctx, { partial: true }))).toEqual({ thing: ['Invalid pk "0" - object does not exist.'] });
  });

  it('refuses data that is not an object before any field is checked', async () => {
    expect(await asyncErrorOf(() => validateRequest(post, null, ctx))).toEqual({ non_field_errors: ['No data provided'] });
    expect(await asyncErrorOf(() => validateRequest(post, 'x', ctx))).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
  });
});

describe('HTML form input (DRF Field.get_value)', () => {
  /** The data of an urlencoded body, as the parser hands it to a view. */
  const form = (text: string) =>
    parseBody({ body: Buffer.from(text), get: (name: string) => (name === 'content-type' ? 'application/x-www-form-urlencoded' : undefined) } as unknown as Request);
  const fields = z.object({
    name: charField(),
    note: charField({ allowBlank: true }).optional(),
    amount: decimalField({ maxDigits: 5, decimalPlaces: 2 }).optional(),
    returned: dateTimeField({ allowNull: true }).optional(),
  });

  it('reads an empty value as null where null is allowed, as no value where the field is optional, as a blank elsewhere', () => {
    expect(validate(fields, form('name=n&note=&amount=&returned='))).toEqual({ name: 'n', note: '', returned: null });
    expect(errorOf(() => validate(fields, form('name=')))).toEqual({ name: ['This field may not be blank.'] });
    // A partial update keeps each field's own `required`: a blank name is still refused.
    expect(errorOf(() => validate(fields, form('name='), { partial: true }))).toEqual({ name: ['This field may not be blank.'] });
  });

  it('leaves JSON\'s "" to the fields', () => {
    expect(errorOf(() => validate(fields, { name: 'n', amount: '', returned: '' }))).toEqual({
      amount: ['A valid number is required.'],
      returned: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'],
    });
  });
});
