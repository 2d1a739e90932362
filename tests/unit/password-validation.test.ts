// Django's password validators and EmailValidator, checked against Django itself: every
// expected value below was printed by Django 5.2.17 (validate_password with the four
// default AUTH_PASSWORD_VALIDATORS and User(username=…, email=…); validate_email;
// difflib.SequenceMatcher.quick_ratio) on the same input.
import { describe, expect, it } from 'vitest';
import {
  commonPassword,
  defaultPasswordValidators,
  minimumLength,
  passwordErrors,
  quickRatio,
} from '../../src/apps/accounts/password-validation.js';
import { isEmailAddress } from '../../src/rest/fields/index.js';

const short = 'This password is too short. It must contain at least 8 characters.';
const common = 'This password is too common.';
const numeric = 'This password is entirely numeric.';
const similarToUsername = 'The password is too similar to the username.';
const similarToEmail = 'The password is too similar to the email address.';

describe('validate_password with Django\'s default validators', () => {
  const validators = defaultPasswordValidators();
  const cases: [string, string, string, string[]][] = [
    ['1234567', 'bob', '', [short, common, numeric]],
    ['password', 'bob', '', [common]],
    ['alice123', 'alice', '', [similarToUsername, common]],
    ['alice@example', 'zed', 'alice@example.com', [similarToEmail]],
    ['example.com!', 'zed', 'alice@example.com', [similarToEmail]],
    ['correct horse battery', 'alice', 'alice@example.com', []],
    ['12345678901', 'u', '', [common, numeric]],
    ['Tr0ub4dor&3', 'troubador', '', [similarToUsername]],
    ['ab', 'ab', '', [similarToUsername, short]],
    ['qwertyuiop', 'x', '', [common]],
    ['  PASSWORD  ', 'x', '', [common]],
    ['٣٤٥٦٧٨٩٠١', 'x', '', [numeric]],
    // str.isdigit() also takes digits that are not decimal: superscripts, circled digits.
    ['²²²²²²²²²', 'x', '', [numeric]],
    ['①②③④⑤⑥⑦⑧', 'x', '', [numeric]],
    ['½½½½½½½½½', 'x', '', []],
    ['johnsmith99', 'john.smith', 'j@x.io', [similarToUsername]],
    ['élan-vital-22', 'élan', '', []],
    ['xyzzy-plugh-7', 'xyzzy', '', []],
    ['verylongpasswordwithoutuser', 'ab', 'ab@cd.ef', []],
  ];
  it.each(cases)('%j (username %j, email %j)', (password, username, email, expected) => {
    expect(passwordErrors(validators, password, { username, email })).toEqual(expected);
  });

  it('skips the similarity check when there is no user, as Django does with user=None', () => {
    expect(passwordErrors(validators, 'alice123')).toEqual([common]);
  });

  it('counts code points, as Python\'s len()', () => {
    expect(minimumLength(8)('😀😀😀😀😀😀😀😀')).toBeUndefined();
    expect(minimumLength(2)('😀')).toBe('This password is too short. It must contain at least 2 characters.');
    expect(minimumLength(1)('')).toBe('This password is too short. It must contain at least 1 character.');
  });

  it('reads Django\'s own list of 19,640 common passwords, lowercased', () => {
    const check = commonPassword();
    for (const password of ['123456', 'qwerty', 'iloveyou', 'Dragon', 'MONKEY']) expect(check(password)).toBe(common);
    expect(check('correct horse battery staple')).toBeUndefined();
    // password.lower().strip(): Python's whitespace, so U+0085 goes and a byte order mark stays.
    expect(check('\u0085qwerty ')).toBe(common);
    expect(check('\ufeffqwerty')).toBeUndefined();
  });
});

describe('difflib quick_ratio', () => {
  it.each([
    ['alice123', 'alice', 0.7692307692307693],
    ['password', 'pass', 0.6666666666666666],
    ['abc', 'xyz', 0],
    ['', '', 1],
    ['aab', 'abb', 0.6666666666666666],
    ['héllo', 'hello', 0.8],
  ])('%j vs %j', (a, b, ratio) => {
    expect(quickRatio(a, b)).toBeCloseTo(ratio, 12);
  });
});

describe('Django\'s EmailValidator', () => {
  it.each([
    ['a@b.co', true],
    ['alice@example.com', true],
    ['a@localhost', true],
    ['a@[127.0.0.1]', true],
    ['a@[::1]', true],
    ['a@[999.1.1.1]', false],
    ['a@b', false],
    ['a@-b.com', false],
    ['a@b-.com', false],
    ['a.b@c.de', true],
    ['a..b@c.de', false],
    ['.a@c.de', false],
    ['"a b"@c.de', false],
    ['a@b.c', false],
    ['müller@bücher.de', false],
    ['a@xn--bcher-kva.de', true],
    ['plain', false],
    ['@x.com', false],
    ['a@b.com.', false],
    ['a b@c.de', false],
    ['a@b_c.com', false],
    ['a+tag@c.io', true],
    [`a@${'b'.repeat(64)}.com`, false],
    ['a@b.c0m', false],
    ['a@b.123', false],
  ])('%j → %j', (email, valid) => {
    expect(isEmailAddress(email)).toBe(valid);
  });
});
