// Serializer validation: a zod object of DRF fields (fields.ts) validates a request
// body into field-keyed DRF errors, whole (create/PUT) or partial (PATCH).
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { NumberLiteral } from './parsers/json.js';

export type FieldErrors = Record<string, string[]>;

/** Python's type(data).__name__, for DRF's "Expected a dictionary" message. */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'int';
  if (value instanceof NumberLiteral) return /^-?\d+$/.test(value.text) ? 'int' : 'float';
  return 'dict';
}

const partialSchemas = new WeakMap<z.ZodObject, z.ZodObject>();

/** Collects zod issues into DRF's `{"field": ["message"]}` shape (order of the fields kept). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : 'non_field_errors';
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

/** DRF's is_valid() preamble: the body must be an object; PATCH makes every field optional. */
function schemaFor<S extends z.ZodObject>(schema: S, data: unknown, options: { partial?: boolean }): z.ZodObject {
  if (data === null) throw new ValidationError({ non_field_errors: ['No data provided'] });
  if (typeof data !== 'object' || Array.isArray(data) || data instanceof NumberLiteral) {
    throw new ValidationError({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] });
  }
  if (!options.partial) return schema;
  const partial = partialSchemas.get(schema) ?? schema.partial();
  partialSchemas.set(schema, partial);
  return partial;
}

function unwrap<S extends z.ZodObject>(result: z.ZodSafeParseResult<unknown>): z.output<S> {
  if (!result.success) throw new ValidationError(fieldErrors(result.error.issues));
  return result.data as z.output<S>;
}

export function validate<S extends z.ZodObject>(schema: S, data: unknown, options: { partial?: boolean } = {}): z.output<S> {
  return unwrap<S>(schemaFor(schema, data, options).safeParse(data));
}

/** validate() for schemas with database checks (async refinements such as DRF's UniqueValidator). */
export async function validateAsync<S extends z.ZodObject>(schema: S, data: unknown, options: { partial?: boolean } = {}): Promise<z.output<S>> {
  return unwrap<S>(await schemaFor(schema, data, options).safeParseAsync(data));
}
