// The base of every serializer field: DRF's required/null handling around a parser, its error
// messages, and the descriptions OPTIONS and the browsable API read.
import { z } from 'zod';
import type { RequestContext } from '../types.js';

export const messages = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  nullCharacters: 'Null characters are not allowed.',
  surrogate: (codePoint: number) => `Surrogate characters are not allowed: U+${codePoint.toString(16).toUpperCase()}.`,
  number: 'A valid number is required.',
  stringTooLarge: 'String value too large.',
  maxDigits: (n: number) => `Ensure that there are no more than ${n} digits in total.`,
  maxDecimalPlaces: (n: number) => `Ensure that there are no more than ${n} decimal places.`,
  maxWholeDigits: (n: number) => `Ensure that there are no more than ${n} digits before the decimal point.`,
  datetime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  email: 'Enter a valid email address.',
  doesNotExist: (pk: string) => `Invalid pk "${pk}" - object does not exist.`,
  incorrectPkType: (type: string) => `Incorrect type. Expected pk value, received ${type}.`,
} as const;

/**
 * What DRF's SimpleMetadata (OPTIONS) and the browsable API's forms say of a field beyond its
 * JSON schema: a type the schema cannot tell (`field` for related and computed values), a label.
 */
export interface FieldDescription {
  type?: string;
  label?: string;
  /** The model field's help_text. */
  helpText?: string;
  maxLength?: number;
}

/** Descriptions of fields, kept apart from their JSON schema (`.meta` would put them in openapi.yaml). */
export const fieldDescriptions = z.registry<FieldDescription>();

/** The schema, described for OPTIONS and the browsable API. */
export function described<T extends z.ZodType>(schema: T, description: FieldDescription): T {
  fieldDescriptions.add(schema, description);
  return schema;
}

/** Thrown by a field parser: every message applies to the one field. */
export class FieldError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join(' '));
  }
}

export interface FieldOptions {
  allowNull?: boolean;
  /** DRF's relational fields read "" as null. */
  emptyIsNull?: boolean;
}

/**
 * A field value that only the request can finish (a related object must exist in the
 * caller's queryset): the serializer resolves it after the plain checks, and `resolve`
 * throws FieldError when the value is invalid after all.
 */
export class Deferred<T> {
  constructor(readonly resolve: (ctx: RequestContext) => Promise<T>) {}
}

/** The value a field stands for once deferred checks have run. */
export type Resolved<V> = V extends Deferred<infer T> ? T : V;

/**
 * A serializer field: DRF's required/null handling around a parser that either
 * returns the internal value or throws FieldError.
 */
export function field<T>(parse: (input: unknown) => T, jsonSchema: Record<string, unknown>, options: FieldOptions = {}) {
  return z
    .unknown()
    .transform((input, ctx): T | null => {
      if (input === '' && options.emptyIsNull) input = null;
      if (input === undefined) {
        ctx.addIssue({ code: 'custom', message: messages.required });
        return z.NEVER;
      }
      if (input === null) {
        if (options.allowNull) return null;
        ctx.addIssue({ code: 'custom', message: messages.null });
        return z.NEVER;
      }
      try {
        return parse(input);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        for (const message of error.messages) ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    })
    .meta(options.allowNull ? { ...jsonSchema, nullable: true } : jsonSchema) as z.ZodType<T, unknown>;
}
