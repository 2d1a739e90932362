// The value conversions of Django's fixture format (src/cli/fixtures/): amounts exactly to
// cents and back, datetimes as Django writes and reads them, Django's JSON layouts.
import { describe, expect, it } from 'vitest';
import { serializeFixture } from '../../src/cli/fixtures/format.js';
import { readCents, readDatetime, writeCents, writeDatetime } from '../../src/cli/fixtures/values.js';

describe('amounts', () => {
  it.each<[unknown, bigint]>([
    ['12.50', 1250n],
    ['12.5', 1250n],
    ['-0.01', -1n],
    ['99999999.99', 9_999_999_999n],
    ['7', 700n],
    ['.5', 50n],
    ['1.230', 123n],
    [7, 700n],
    [12.5, 1250n],
    ['00012.00', 1200n],
  ])('%j is %s cents', (value, cents) => {
    expect(readCents(value)).toBe(cents);
  });

  it.each([['abc'], ['1.234'], ['123456789'], [''], ['.'], ['1e3'], ['NaN'], [null], [true]])('refuses %j', (value) => {
    expect(() => readCents(value)).toThrow();
  });

  it('writes two places, as Django encodes a DecimalField(decimal_places=2)', () => {
    expect([1250n, -1n, 0n, 9_999_999_999n, -100n].map(writeCents)).toEqual(['12.50', '-0.01', '0.00', '99999999.99', '-1.00']);
  });
});

describe('datetimes', () => {
  it.each([
    ['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z'],
    ['2024-01-02T03:04:05.678901Z', '2024-01-02T03:04:05.678Z'],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04Z', '2024-01-02T03:04:00.000Z'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05+02:00', '2024-01-02T01:04:05.000Z'],
    ['2024-01-02T03:04:05-0530', '2024-01-02T08:34:05.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(readDatetime(text).toISOString()).toBe(iso);
  });

  it.each(['2024-02-30T00:00:00Z', '2024-01-02T24:00:00Z', '2024-01-02', 'yesterday', '2024-01-02T03:04:05.678Q'])('refuses %s', (text) => {
    expect(() => readDatetime(text)).toThrow();
  });

  it("writes milliseconds, none when zero, as Django's JSON encoder", () => {
    expect(writeDatetime(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678Z');
    expect(writeDatetime(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05Z');
  });
});

describe('the file layouts', () => {
  const objects = [
    { model: 'lending.friend', pk: 1, fields: { owner: 1, name: 'Zoë "Z"' } },
    { model: 'auth.group', pk: 2, fields: { name: 'g', permissions: [] } },
  ];

  it("without --indent: one line, Python's separators, non-ASCII as is", () => {
    expect(serializeFixture(objects, undefined)).toBe(
      '[{"model": "lending.friend", "pk": 1, "fields": {"owner": 1, "name": "Zoë \\"Z\\""}}, {"model": "auth.group", "pk": 2, "fields": {"name": "g", "permissions": []}}]',
    );
  });

  it('with --indent: one value a line, the list brackets on their own lines', () => {
    expect(serializeFixture(objects.slice(1), 2)).toBe('[\n{\n  "model": "auth.group",\n  "pk": 2,\n  "fields": {\n    "name": "g",\n    "permissions": []\n  }\n}\n]\n');
    expect(serializeFixture([], undefined)).toBe('[]');
  });
});
