// Request body examples, derived from the body's JSON schema (as drf-spectacular's
// OpenApiExample would be written by hand): every required and optional field with a value the
// schema accepts, so Swagger UI's "Try it out" starts from a valid body and a contract test
// (dredd, schemathesis) has one to send.
type JsonSchema = Record<string, unknown>;

/** Sample text for the fields whose names say what they hold. */
const samplesByName: Record<string, string> = {
  username: 'alice',
  password: 's3cret-passw0rd',
  current_password: 's3cret-passw0rd',
  new_password: 'n3w-s3cret-passw0rd',
  email: 'alice@example.com',
  title: 'Hello',
  body: 'From the API',
  name: 'Bicycle',
  description: 'Groceries',
};

/** Values for the string patterns the serializers use; any other pattern gets no example. */
const samplesByPattern: Record<string, string> = {
  '^-?\\d{0,8}(?:\\.\\d{0,2})?$': '12.50',
  '^[0-9a-f]{40}$': '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b',
};

function stringExample(schema: JsonSchema, name: string): string | undefined {
  if (typeof schema.pattern === 'string') return samplesByPattern[schema.pattern];
  if (schema.format === 'date-time') return '2026-01-02T03:04:05Z';
  if (schema.format === 'email') return 'alice@example.com';
  const text = samplesByName[name] ?? 'string';
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  return text.length >= min && text.length <= max ? text : 'x'.repeat(Math.max(min, 1));
}

/**
 * An example value the schema accepts, or undefined where none can be made with confidence
 * (an unknown pattern): then the body has no example rather than a wrong one.
 */
export function exampleOf(schema: JsonSchema, resolve: (schema: JsonSchema) => JsonSchema, name = ''): unknown {
  const resolved = resolve(schema);
  if (Array.isArray(resolved.enum)) return resolved.enum[0];
  const choices = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[] | undefined;
  if (choices) {
    const chosen = choices.find((choice) => resolve(choice).type !== 'null' && resolve(choice).nullable !== true) ?? choices[0];
    return chosen ? exampleOf(chosen, resolve, name) : undefined;
  }
  switch (resolved.type) {
    case 'object': {
      const example: Record<string, unknown> = {};
      for (const [key, property] of Object.entries((resolved.properties ?? {}) as Record<string, JsonSchema>)) {
        const value = exampleOf(property, resolve, key);
        if (value === undefined) return undefined;
        example[key] = value;
      }
      return example;
    }
    case 'array': {
      const item = exampleOf((resolved.items ?? {}) as JsonSchema, resolve, name);
      return item === undefined ? undefined : [item];
    }
    case 'string':
      return stringExample(resolved, name);
    case 'integer':
    case 'number':
      return typeof resolved.minimum === 'number' ? Math.max(resolved.minimum, 1) : 1;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}
