// Date-times as Django reads them (parse_datetime) and DRF writes them (isoformat, UTC, "Z").

// Django 3.2's parse_datetime, the reference's (Django 4 tries datetime.fromisoformat first):
// a date, "T" or a space, a time of 1–2 digit parts, seconds optional, a fraction of which 6
// digits count and 6 more are read and dropped, then "Z" or an offset. Nothing else: no date
// alone, no "t" or "z", no whitespace around, but Python's `$` also takes one final newline.
const isoDateTime = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?\n?$/;

/** ISO 8601 text → Date (naive times are UTC, the server's TIME_ZONE); null when invalid. */
export function parseDateTime(text: string): Date | null {
  const m = isoDateTime.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const second = Number(m[6] ?? 0);
  const millisecond = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // Python's datetime: years 1–9999, no rolled-over dates (2024-02-30) or times (25:00).
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 19xx
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, millisecond);
  const zone = m[8];
  if (!zone || zone === 'Z') return date;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (offsetMinutes >= 24 * 60) return null;
  const utc = new Date(date.getTime() - sign * offsetMinutes * 60_000);
  // In UTC, the year may leave 1–9999 (0001-01-01T00:00+14:00): Python overflows there (DRF's
  // 500), and the databases would read another date or fail. Such a date-time is invalid.
  const utcYear = utc.getUTCFullYear();
  return utcYear < 1 || utcYear > 9999 ? null : utc;
}

/** Whether a date-time parseDateTime accepts has a fraction finer than its Date keeps (`.000001`). */
export function hasSubMillisecondFraction(text: string): boolean {
  return /[1-9]/.test(isoDateTime.exec(text)?.[7]?.slice(3) ?? '');
}

/**
 * DRF's DateTimeField output: ISO 8601 in UTC with "Z", microseconds only when
 * there is a fraction (Python's isoformat).
 */
export function formatDateTime(date: Date): string {
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
}
