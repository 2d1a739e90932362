// The components of the document, collected while its operations are built: the JSON schemas
// of zod schemas (a part named with `.meta({ id })` becomes a reusable schema, a name always
// meaning one schema) and the security schemes of the authenticators in use.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Authenticator } from '../types.js';

export type JsonSchema = Record<string, unknown>;

/**
 * Components collected while building operations: the schemas of converted zod schemas (a
 * name always means one schema) and the security schemes of the authenticators in use.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  readonly securitySchemes: Record<string, JsonSchema> = {};

  /** The JSON schema of a zod schema; its parts named with `.meta({ id })` become components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, override: dropSafeIntegerBounds }) as JsonSchema;
    const { definitions = {}, ...root } = json as { definitions?: Record<string, JsonSchema> };
    for (const [name, definition] of Object.entries(definitions)) this.add(name, toComponentRefs(definition) as JsonSchema);
    return toComponentRefs(root) as JsonSchema;
  }

  /** A JSON schema, following a $ref to its component. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    return typeof ref === 'string' ? this.schemas[ref.slice(componentPrefix.length)]! : schema;
  }

  /** The security requirements of authenticators, one per scheme; their schemes are recorded. */
  security(authenticators: readonly Authenticator[]): Record<string, string[]>[] {
    return authenticators.flatMap(({ securityScheme }) => {
      if (!securityScheme) return [];
      this.securitySchemes[securityScheme.name] = securityScheme.scheme;
      return [{ [securityScheme.name]: [] }];
    });
  }

  private add(name: string, schema: JsonSchema): void {
    const existing = this.schemas[name];
    if (existing && !isDeepStrictEqual(existing, schema)) {
      throw new Error(`Two different schemas are named ${JSON.stringify(name)} (.meta({ id })): rename one`);
    }
    this.schemas[name] = schema;
  }
}

const componentPrefix = '#/components/schemas/';

/** zod bounds every z.int() by Number.MAX_SAFE_INTEGER; that is noise in a document. */
function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** zod refers to its definitions as `#/definitions/X`; the document keeps them in components.schemas. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', componentPrefix) : toComponentRefs(v),
    ]),
  );
}
