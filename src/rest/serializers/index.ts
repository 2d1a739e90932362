// Serializer validation: a zod object of DRF fields (fields.ts) validates a request
// body into field-keyed DRF errors, whole (create/PUT) or partial (PATCH).
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { Deferred, FieldError, pythonTypeName, type Resolved } from '../fields/index.js';
import { NumberLiteral } from '../parsers/json.js';
import { isHtmlInput } from '../parsers/index.js';
import type { RequestContext } from '../types.js';

export type FieldErrors = Record<string, string[]>;

/** The validated data of a schema, deferred checks resolved. */
export type Validated<S extends z.ZodObject> = { [K in keyof z.output<S>]: Resolved<z.output<S>[K]> };

const partialSchemas = new WeakMap<z.ZodObject, z.ZodObject>();

/** The schema with every field optional (PATCH), built once per schema. */
export function partialOf(schema: z.ZodObject): z.ZodObject {
  let partial = partialSchemas.get(schema);
  if (!partial) {
    partial = schema.partial();
    partialSchemas.set(schema, partial);
  }
  return partial;
}

/** Collects zod issues into DRF's `{"field": ["message"]}` shape (order of the fields kept). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : 'non_field_errors';
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

type EmptyHtmlValue = '' | null | undefined;
const emptyHtmlValues = new WeakMap<z.ZodType, EmptyHtmlValue>();

const takesBlank = (field: z.ZodType) => {
  try {
    return field.safeParse('').success;
  } catch {
    return false; // an asynchronous check: such fields (unique names) take no blank anyway
  }
};

/**
 * What an empty value from an HTML form is to a field (DRF's Field.get_value): "" where the field
 * takes blanks; else null where it allows null; else no value at all where it is optional;
 * otherwise "" still (the field refuses it). Worked out once per field.
 */
function emptyHtmlValue(field: z.ZodType): EmptyHtmlValue {
  if (emptyHtmlValues.has(field)) return emptyHtmlValues.get(field);
  const optional = field instanceof z.ZodOptional;
  const inner = optional ? (field.unwrap() as z.ZodType) : field;
  let value: EmptyHtmlValue = '';
  if (!takesBlank(inner)) {
    if (inner.meta()?.nullable === true) value = null;
    else if (optional) value = undefined;
  }
  emptyHtmlValues.set(field, value);
  return value;
}

/** The data as the fields read it: an HTML form's empty values mapped as emptyHtmlValue says; JSON as it is. */
function fieldInput(schema: z.ZodObject, data: unknown): unknown {
  if (!isHtmlInput(data)) return data;
  const values: Record<string, unknown> = { ...(data as Record<string, string>) };
  // The declared fields (not a PATCH's all-optional copy): `required` is the field's own, as in DRF.
  for (const [key, field] of Object.entries(schema.shape)) {
    if (values[key] !== '') continue;
    const value = emptyHtmlValue(field as z.ZodType);
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  return values;
}

/** The schema to run: every field optional for a partial update. */
function activeSchema(schema: z.ZodObject, data: unknown, partial: boolean): z.ZodObject {
  if (data === null) throw new ValidationError({ non_field_errors: ['No data provided'] });
  if (typeof data !== 'object' || Array.isArray(data) || data instanceof NumberLiteral) {
    throw new ValidationError({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] });
  }
  return partial ? partialOf(schema) : schema;
}

export function validate<S extends z.ZodObject>(schema: S, data: unknown, options: { partial?: boolean } = {}): z.output<S> {
  const result = activeSchema(schema, data, options.partial === true).safeParse(fieldInput(schema, data));
  if (!result.success) throw new ValidationError(fieldErrors(result.error.issues));
  return result.data as z.output<S>;
}

/**
 * validate(), with the checks that need the database or the request: async refinements
 * (DRF's UniqueValidator) and deferred fields (related objects in the caller's scope).
 * As in DRF, every field is checked: the errors of all kinds come together, keyed in the
 * order the fields are declared.
 */
export async function validateRequest<S extends z.ZodObject>(
  schema: S,
  data: unknown,
  ctx: RequestContext,
  options: { partial?: boolean } = {},
): Promise<Validated<S>> {
  const active = activeSchema(schema, data, options.partial === true);
  const body = fieldInput(schema, data) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const values: Record<string, unknown> = {};
  // Field by field, so one failing field does not hide (or re-run) the others' checks.
  for (const [key, fieldSchema] of Object.entries(active.shape)) {
    const parsed = await (fieldSchema as z.ZodType).safeParseAsync(body[key]);
    if (!parsed.success) errors[key] = parsed.error.issues.map((issue) => issue.message);
    else if (key in body) values[key] = parsed.data;
  }
  await Promise.all(
    Object.entries(values).map(async ([key, value]) => {
      if (!(value instanceof Deferred)) return;
      try {
        values[key] = await value.resolve(ctx);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        errors[key] = error.messages;
      }
    }),
  );
  if (Object.keys(errors).length > 0) {
    const order = [...Object.keys(active.shape), 'non_field_errors'];
    throw new ValidationError(Object.fromEntries(order.filter((key) => key in errors).map((key) => [key, errors[key]!])));
  }
  return values as Validated<S>;
}
