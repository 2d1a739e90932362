// Python's readings and spellings of values, as DRF's messages and Django's lookups use them:
// type names, int(), repr() of a float, and primary keys coerced as Django coerces them.
import { NumberLiteral } from '../parsers/json.js';

/** Python's type(value).__name__ for a parsed request value, as DRF's messages name it. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'int'; // the JSON parser keeps only safe integers as numbers
  if (value instanceof NumberLiteral) return /^-?\d+$/.test(value.text) ? 'int' : 'float';
  return 'dict';
}

/** Python's repr() of a float: shortest digits, ".0" on whole values, exponent outside [1e-4, 1e16). */
export function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A primary key as Django reads one (int(value)), with the text DRF's message shows. */
export interface PrimaryKey {
  /** Null when no row can have it (zero, negative, beyond the id range): nothing to look up. */
  id: number | null;
  /** Python's str() of the value, for `Invalid pk "…"`. */
  text: string;
}

/** Python's int() of a string: surrounding whitespace, a sign, `_` between digits; null when it refuses. */
export function pythonInt(text: string): bigint | null {
  const trimmed = text.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(trimmed) ? BigInt(trimmed.replaceAll('_', '')) : null;
}

/**
 * The largest id of Django's AutoField: the column is 32-bit (SERIAL on PostgreSQL, which
 * refuses a larger value in a query), so a larger id names no row and is never sent.
 */
export const maxAutoId = 2 ** 31 - 1;

const asId = (value: bigint | number): number | null => {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 && id <= maxAutoId ? id : null;
};

/**
 * Django's IntegerField lookup coercion, int(value): integers and integer strings (Python
 * syntax: surrounding spaces, a sign, `_` between digits) as they are, floats truncated.
 * Null for what int() refuses (booleans too, as DRF refuses them).
 */
export function parsePrimaryKey(input: unknown): PrimaryKey | null {
  if (typeof input === 'string') {
    const value = pythonInt(input);
    return value === null ? null : { id: asId(value), text: input };
  }
  // The JSON parser reads safe integers as numbers and keeps every other number's text.
  if (typeof input === 'number') return { id: asId(input), text: String(input) };
  if (!(input instanceof NumberLiteral)) return null;
  if (/^-?\d+$/.test(input.text)) {
    const whole = BigInt(input.text);
    return { id: asId(whole), text: whole.toString() };
  }
  const value = Number(input.text);
  return { id: Number.isFinite(value) ? asId(Math.trunc(value)) : null, text: pythonFloatRepr(value) };
}
