// Filter backends for list views, producing conditions and orderings of the toolkit's data
// contract (./data.ts): DRF's SearchFilter and OrderingFilter, and django-filter style field filters.
import { all, type Condition, type Ordering } from '../data/index.js';
import { ValidationError } from '../errors.js';
import {
  existsIn,
  FieldError,
  hasSubMillisecondFraction,
  parseDateTime,
  parsePrimaryKey,
  parsePythonDecimal,
  pythonSplit,
  pythonStrip,
  scalePythonDecimal,
  type PythonDecimal,
  type RelatedQueryset,
} from '../fields/index.js';
import type { ParameterDocs, RequestContext } from '../types.js';

export interface FilterEnvironment {
  ctx: RequestContext;
}

/**
 * A filter of a list, typed by the fields its conditions and orderings name: a viewset
 * takes only filters on fields of its rows, so `searchFilter(['titel'])` in the viewset
 * of posts fails to compile.
 */
export interface FilterBackend<Field extends string> {
  /** The query parameters it reads, for the OpenAPI document. */
  readonly parameters: readonly ParameterDocs[];
  where?(env: FilterEnvironment): Promise<Condition<Field> | undefined> | Condition<Field> | undefined;
  orderBy?(env: FilterEnvironment): Ordering<Field>[] | undefined;
}

/** Most `?search=` terms one request may send: each term adds conditions to the query. */
export const maxSearchTerms = 64;

/**
 * The terms of a `?search=` value, split on whitespace and commas as DRF does. DRF takes
 * any number; more than maxSearchTerms answer 400 here, so no request can make the database
 * run a query of unbounded size.
 */
export function searchTerms(value: string | undefined): string[] {
  // Python's str.split(): its whitespace, not JavaScript's (U+001C–U+001F and U+0085 split, U+FEFF does not).
  const terms = pythonSplit((value ?? '').replaceAll('\0', '').replaceAll(',', ' '));
  if (terms.length > maxSearchTerms) throw new ValidationError({ search: [`Ensure this field has no more than ${maxSearchTerms} terms.`] });
  return terms;
}

/**
 * DRF SearchFilter: `?search=a b` (terms split on whitespace and commas); every term must
 * match at least one of the fields, case-insensitively, as a substring (icontains, the term
 * taken literally). A dotted field (`what.name`) follows a relation, joined once for all terms.
 */
export function searchFilter<Field extends string>(fields: readonly Field[]): FilterBackend<Field> {
  return {
    parameters: [
      {
        name: 'search',
        description: `Search terms separated by spaces or commas, at most ${maxSearchTerms}; each must match one of ${fields.join(', ')}.`,
        schema: { type: 'string' },
        rejects: 400,
      },
    ],
    where({ ctx }) {
      const terms = searchTerms(ctx.query.get('search'));
      if (terms.length === 0) return undefined;
      return { op: 'and', conditions: terms.map((term) => ({ op: 'icontains', fields, term })) };
    },
  };
}

/** A nullable model field to order by. */
export interface NullableOrderField<Field extends string> {
  field: Field;
  nullable: true;
}

/**
 * A nullable field sorts NULL as its largest value on both databases (PostgreSQL's
 * default; SQLite's is the opposite), so an ordering reads the same on each.
 */
export const nullable = <Field extends string>(field: Field): NullableOrderField<Field> => ({ field, nullable: true });

/** An ordering term: a field's API name, `-` first for descending. */
type OrderingTerm<Name extends string> = Name | `-${Name}`;

/**
 * DRF OrderingFilter: `?ordering=-amount,id` over whitelisted fields (API name → model
 * field, or a list of fields whose API name is their column's); unknown fields are
 * dropped; the default ordering breaks ties so pages are stable.
 */
export function orderingFilter<Field extends string>(options: {
  fields: readonly Field[];
  default: readonly OrderingTerm<NoInfer<Field>>[];
}): FilterBackend<Field>;
export function orderingFilter<Name extends string, Field extends string>(options: {
  fields: Readonly<Record<Name, Field | NullableOrderField<Field>>>;
  default: readonly OrderingTerm<NoInfer<Name>>[];
}): FilterBackend<Field>;
export function orderingFilter(options: {
  fields: readonly string[] | Readonly<Record<string, string | NullableOrderField<string>>>;
  default: readonly string[];
}): FilterBackend<string> {
  const fields = Array.isArray(options.fields) ? Object.fromEntries(options.fields.map((name) => [name, name])) : options.fields;
  const toOrderBy = (terms: readonly string[]): Ordering[] =>
    terms.map((term) => {
      const descending = term.startsWith('-');
      const column = fields[descending ? term.slice(1) : term]!;
      if (typeof column === 'string') return { field: column, descending };
      return { field: column.field, descending, nullable: true };
    });
  const defaults = toOrderBy(options.default);
  const names = Object.keys(fields);
  return {
    parameters: [
      {
        name: 'ordering',
        description: `Which field to use when ordering the results: ${names.join(', ')} (prefix "-" for descending).`,
        schema: { type: 'string' },
      },
    ],
    orderBy({ ctx }) {
      const requested = (ctx.query.get('ordering') ?? '')
        .split(',')
        .map(pythonStrip)
        .filter((term) => term !== '' && Object.hasOwn(fields, term.replace(/^-/, '')));
      if (requested.length === 0) return defaults;
      const chosen = toOrderBy(requested);
      const used = new Set(chosen.map((o) => o.field));
      return [...chosen, ...defaults.filter((o) => !used.has(o.field))];
    },
  };
}

/** One django-filter field: reads a query value into a condition, or throws FieldError. */
export interface FieldFilter<Field extends string> {
  description: string;
  schema: Record<string, unknown>;
  toWhere(value: string, ctx: RequestContext): Condition<Field> | Promise<Condition<Field>>;
}

/** django-filter FilterSet: `?name=value` per declared filter; bad values answer 400 keyed by parameter. */
export function filterSet<Field extends string>(filters: Record<string, FieldFilter<Field>>): FilterBackend<Field> {
  const entries = Object.entries(filters);
  return {
    parameters: entries.map(([name, f]) => ({ name, description: f.description, schema: f.schema, rejects: 400 })),
    async where({ ctx }) {
      const conditions: Condition<Field>[] = [];
      const errors: Record<string, string[]> = {};
      for (const [name, f] of entries) {
        const value = ctx.query.get(name);
        // django-filter skips empty values, as an HTML form would send them.
        if (value === undefined || value === '') continue;
        try {
          conditions.push(await f.toWhere(value, ctx));
        } catch (error) {
          if (!(error instanceof FieldError)) throw error;
          errors[name] = error.messages;
        }
      }
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      return conditions.length > 0 ? { op: 'and', conditions } : undefined;
    },
  };
}

export type Lookup = 'exact' | 'gt' | 'gte' | 'lt' | 'lte';
const operators = { exact: 'eq', gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' } as const;
type Comparison = (typeof operators)[Lookup];
const lookupWords = {
  exact: 'equal to',
  gt: 'greater than',
  gte: 'greater than or equal to',
  lt: 'less than',
  lte: 'less than or equal to',
} as const;

// The range a 64-bit column can hold: bounds beyond it are clamped, never sent to the database.
const int64Max = 2n ** 63n - 1n;

// The float 1e50, exactly: django-filter's NumberFilter validates MaxValueValidator(1e50), so the database never overflows.
const numberFilterMax = 100000000000000007629769841091887003294964970946560n;

const exceedsNumberFilterMax = ({ negative, digits, exponent }: PythonDecimal): boolean => {
  if (negative || digits === '0') return false;
  const adjusted = exponent + BigInt(digits.length - 1);
  if (adjusted !== 50n) return adjusted > 50n;
  // Fifty-one digits before the point: compare exactly, the fraction's digits lifted to integers.
  return exponent >= 0n ? BigInt(digits) * 10n ** exponent > numberFilterMax : BigInt(digits) > numberFilterMax * 10n ** -exponent;
};

/**
 * A decimal filter on a column holding the value scaled by 10^places (see decimalField),
 * read as forms.DecimalField reads it (Python's Decimal(): exponents, `_`, Unicode digits).
 * Exact arithmetic: `gte 12.345` on cents is `>= 1235`, `exact 12.345` matches nothing.
 */
export function decimalFilter<Field extends string>(field: Field, places: number, lookup: Lookup): FieldFilter<Field> {
  return {
    description: `Amount ${lookupWords[lookup]} this decimal value.`,
    schema: { type: 'string', format: 'decimal' },
    toWhere(value) {
      const decimal = parsePythonDecimal(value);
      if (!decimal) throw new FieldError(['Enter a number.']);
      if (exceedsNumberFilterMax(decimal)) throw new FieldError(['Ensure this value is less than or equal to 1e+50.']);
      const { scaled: truncated, exact } = scalePythonDecimal(decimal, places);
      let scaled = truncated;
      let op: Comparison = operators[lookup];
      if (!exact) {
        if (lookup === 'exact') return { op: 'in', field, values: [] };
        // A bound between two stored values becomes the nearest one inside it, strict or not:
        // `> 12.345` and `>= 12.345` are `>= 12.35` (ceil), `< 12.345` and `<= 12.345` are `<= 12.34` (floor).
        const lower = lookup === 'gt' || lookup === 'gte';
        if (lower && !decimal.negative) scaled += 1n;
        if (!lower && decimal.negative) scaled -= 1n;
        op = lower ? 'gte' : 'lte';
      }
      if (scaled > int64Max) scaled = int64Max;
      if (scaled < -int64Max) scaled = -int64Max;
      return { op, field, value: scaled };
    },
  };
}

/**
 * django-filter's BooleanFilter on whether a nullable field is null, read by its
 * BooleanWidget: true/1 and false/0 (any case); any other value is no filter at all.
 */
function nullnessFilter<Field extends string>(field: Field, trueMeansNull: boolean, description: string): FieldFilter<Field> {
  const choices = new Map([['true', true], ['1', true], ['false', false], ['0', false]]);
  return {
    description,
    schema: { type: 'boolean' },
    toWhere(value) {
      const choice = choices.get(value.toLowerCase());
      if (choice === undefined) return all;
      const isNull: Condition<Field> = { op: 'isNull', field };
      return choice === trueMeansNull ? isNull : { op: 'not', condition: isNull };
    },
  };
}

/** django-filter's `field__isnull`. */
export const isNullFilter = <Field extends string>(field: Field): FieldFilter<Field> =>
  nullnessFilter(field, true, `true: only objects whose ${field} is empty (null); false: only those where it is set.`);

/** Its negation, `?field=true|false`: whether the field is set (`?returned=false`: not returned yet). */
export const isSetFilter = <Field extends string>(field: Field): FieldFilter<Field> =>
  nullnessFilter(field, false, `true: only objects whose ${field} is set; false: only those where it is empty (null).`);

export function dateTimeFilter<Field extends string>(field: Field, lookup: Lookup): FieldFilter<Field> {
  return {
    description: `${field} ${lookupWords[lookup]} this ISO 8601 date/time.`,
    schema: { type: 'string', format: 'date-time' },
    toWhere(value) {
      // Django's forms.DateTimeField strips the value first; DRF's serializer field does not.
      const text = pythonStrip(value);
      const date = parseDateTime(text);
      if (!date) throw new FieldError(['Enter a valid date/time.']);
      if (!hasSubMillisecondFraction(text)) return { op: operators[lookup], field, value: date };
      // Stored date-times keep milliseconds, and `date` is the bound cut down to one: the bound lies
      // between two stored values, so it becomes the nearest one inside it (as decimalFilter's).
      if (lookup === 'exact') return { op: 'in', field, values: [] };
      return { op: lookup === 'gt' || lookup === 'gte' ? 'gt' : 'lte', field, value: date };
    },
  };
}

/**
 * django-filter's ModelChoiceFilter on a foreign key: the id must name a row of the
 * queryset the caller may choose from, else "Select a valid choice" (the same answer
 * for a row outside the caller's scope as for one that does not exist).
 */
export function relatedFilter<Field extends string, RelatedField extends string>(field: Field, queryset: RelatedQueryset<RelatedField>): FieldFilter<Field> {
  const invalid = new FieldError(['Select a valid choice. That choice is not one of the available choices.']);
  return {
    description: `Only objects whose ${field.replace(/_id$/, '')} has this id.`,
    schema: { type: 'integer' },
    async toWhere(value, ctx) {
      // ModelChoiceFilter looks the value up as the primary key (Python's int()).
      const id = parsePrimaryKey(value)?.id ?? null;
      if (id === null || !(await existsIn(queryset, id, ctx))) throw invalid;
      return { op: 'eq', field, value: id };
    },
  };
}
