// Date-times as Django reads them (parse_datetime) and DRF writes them (isoformat, UTC, "Z").

// Django's parse_datetime (ISO 8601, "T" or space, optional seconds, fraction and offset);
// a date alone is midnight, as Python's datetime.fromisoformat reads it.
const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 text → Date (naive times are UTC, the server's TIME_ZONE); null when invalid. */
export function parseDateTime(text: string): Date | null {
  const m = isoDateTime.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = '0', minute = '0', second = '0'] = m.slice(1, 7) as string[];
  const micro = (m[7] ?? '').padEnd(6, '0');
  const fields = [Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second)] as const;
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], Number(micro.slice(0, 3)));
  const date = new Date(utc);
  // Reject rolled-over dates such as 2024-02-30 or 25:00.
  if (date.getUTCFullYear() !== fields[0] || date.getUTCMonth() !== fields[1] - 1 || date.getUTCDate() !== fields[2]) return null;
  if (fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return null;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return date;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (offsetMinutes >= 24 * 60) return null;
  return new Date(utc - sign * offsetMinutes * 60_000);
}

/**
 * DRF's DateTimeField output: ISO 8601 in UTC with "Z", microseconds only when
 * there is a fraction (Python's isoformat).
 */
export function formatDateTime(date: Date): string {
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
}
