// DRF's ModelSerializer for a viewset: the input and output schemas declare the fields once;
// where each lives in a row (DRF's `source=`) and how a column's value becomes its
// representation are declared only for the fields where they differ from the plain column.
// The compiler checks every name against the row type, and demands a representation for
// each field whose column's value is not already what the output schema says.
import type { z } from 'zod';
import type { ColumnOf } from '../data/index.js';

/** Field names (input or output) stored in a column of another name: `{ amount: 'amount_cents' }`. */
export type Sources<Row, Input extends z.ZodObject, Output extends z.ZodObject> = {
  readonly [Name in FieldName<Input> | FieldName<Output>]?: ColumnOf<Row>;
};
/** No field stored under another name. */
export type NoSources = Record<never, never>;
type FieldName<Schema extends z.ZodObject> = keyof z.output<Schema> & string;

/** The column a field reads and writes: its source, or the column of its own name. */
type ColumnFor<Name, S> = Name extends keyof S ? Exclude<S[Name], undefined> : Name;
/** The value a row holds for a field; never when the row has no such column. */
type ValueFor<Row, Name, S> = ColumnFor<Name, S> extends keyof Row ? Row[ColumnFor<Name, S>] : never;

/**
 * How a column's value becomes its field's representation (a Date → ISO text), given for
 * exactly the fields that need it: required where the value is not already what the output
 * schema says (or where no column holds the field: then nothing compiles), allowed elsewhere.
 */
export type Representers<Row, Output extends z.ZodObject, S> = {
  readonly [Name in FieldName<Output> as [ValueFor<Row, Name, S>] extends [never]
    ? Name
    : ValueFor<Row, Name, S> extends z.output<Output>[Name]
      ? never
      : Name]: (value: ValueFor<Row, Name, S>) => z.output<Output>[Name];
} & { readonly [Name in FieldName<Output>]?: (value: ValueFor<Row, Name, S>) => z.output<Output>[Name] };

export type ModelSerializer<Row, Input extends z.ZodObject, Output extends z.ZodObject, S extends Sources<Row, Input, Output>> = {
  /** The writable fields; read-only ones are simply absent, so clients cannot set them. */
  input: Input;
  /** Every field of the representation, in DRF's declared order (and the OpenAPI document's). */
  output: Output;
  /** Fields whose column has another name, both ways (DRF's `source=`); a field is its column's namesake otherwise. */
  sources?: S;
  /** Model columns a create sets when the body leaves their field out (Django's field defaults, e.g. blank text). */
  defaults?: { readonly [Column in ColumnOf<Row>]?: Row[Column] };
} & RepresentOption<Representers<Row, Output, S>>;

/** `represent`, the representations of the fields whose column value is not already their output: required when there are any. */
type RepresentOption<R> = Record<never, never> extends R ? { represent?: R } : { represent: R };

/** What the functions below read of a ModelSerializer, whatever its types. */
interface Declaration {
  input: z.ZodObject;
  output: z.ZodObject;
  sources?: Readonly<Partial<Record<string, string>>>;
  represent?: Readonly<Partial<Record<string, (value: never) => unknown>>>;
}

/** The representation of a row, as the declaration says: worked out once, applied to each row. */
export function representer<Row>(serializer: Declaration): (row: Row) => Record<string, unknown> {
  const fields = Object.keys(serializer.output.shape).map((name) => ({
    name,
    column: serializer.sources?.[name] ?? name,
    // Typed by field in the declaration: each representer is given its own column's value.
    represent: serializer.represent?.[name] as ((value: unknown) => unknown) | undefined,
  }));
  return (row) => {
    const values = row as Record<string, unknown>;
    const representation: Record<string, unknown> = {};
    for (const field of fields) {
      const value = values[field.column];
      representation[field.name] = field.represent ? field.represent(value) : value;
    }
    return representation;
  };
}

/** Validated input as the columns it is written to (the fields the body left out stay out). */
export function toColumns(serializer: Declaration): (data: Readonly<Record<string, unknown>>) => Record<string, unknown> {
  const columns = Object.keys(serializer.input.shape).map((name) => [name, serializer.sources?.[name] ?? name] as const);
  return (data) => {
    const values: Record<string, unknown> = {};
    for (const [name, column] of columns) {
      if (data[name] !== undefined) values[column] = data[name];
    }
    return values;
  };
}
