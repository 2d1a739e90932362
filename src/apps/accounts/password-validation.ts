// Django's four default password validators (AUTH_PASSWORD_VALIDATORS of a new project,
// in that order), with Django's messages. Every validator is asked and every failure is
// reported, as django.contrib.auth.password_validation.validate_password does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot } from '../../project-root.js';
import { isPythonDigits, pythonStrip } from '../../rest/fields/python.js';

/** The user a password is checked against (may not exist yet, as at registration). */
export interface PasswordOwner {
  username?: string;
  email?: string;
}

/** One validator: the error message, or undefined when the password passes. */
export type PasswordValidator = (password: string, owner?: PasswordOwner) => string | undefined;

// Python's len() and iteration count code points.
const codePoints = (s: string) => Array.from(s);

export function minimumLength(min = 8): PasswordValidator {
  return (password) =>
    codePoints(password).length < min
      ? `This password is too short. It must contain at least ${min} character${min === 1 ? '' : 's'}.`
      : undefined;
}

/** difflib.SequenceMatcher(a, b).quick_ratio(): the strings' common characters as multisets. */
export function quickRatio(a: string, b: string): number {
  const available = new Map<string, number>();
  for (const c of codePoints(b)) available.set(c, (available.get(c) ?? 0) + 1);
  let matches = 0;
  for (const c of codePoints(a)) {
    const left = available.get(c) ?? 0;
    if (left > 0) matches += 1;
    available.set(c, left - 1);
  }
  const length = codePoints(a).length + codePoints(b).length;
  return length === 0 ? 1 : (2 * matches) / length;
}

// Django's UserAttributeSimilarityValidator defaults, on the attributes our users have (name → verbose name).
const similarityAttributes: readonly [keyof PasswordOwner, string][] = [
  ['username', 'username'],
  ['email', 'email address'],
];
const maxSimilarity = 0.7;

/** Django's exceeds_maximum_length_ratio: far shorter values cannot reach the ratio; the comparison is skipped. */
function cannotBeSimilar(password: string, part: string): boolean {
  const [passwordLength, partLength] = [codePoints(password).length, codePoints(part).length];
  return passwordLength >= 10 * partLength && partLength < (maxSimilarity / 2) * passwordLength;
}

/** Django's UserAttributeSimilarityValidator. */
const userAttributeSimilarity: PasswordValidator = (password, owner) => {
  if (!owner) return undefined;
  const lowered = password.toLowerCase();
  for (const [name, verboseName] of similarityAttributes) {
    const value = owner[name]?.toLowerCase();
    if (!value) continue;
    // The whole value and its parts (an email's name and domain labels), as re.split(r"\W+").
    for (const part of [...value.split(/[^\p{L}\p{N}_]+/u), value]) {
      if (cannotBeSimilar(lowered, part)) continue;
      if (quickRatio(lowered, part) >= maxSimilarity) return `The password is too similar to the ${verboseName}.`;
    }
  }
  return undefined;
};

/** Django's own list (see common-passwords.NOTICE), read once per process, when first needed. */
let commonPasswords: ReadonlySet<string> | undefined;

/** Django's CommonPasswordValidator: the list is lowercased, and so is the password before lookup (then str.strip()). */
export function commonPassword(): PasswordValidator {
  commonPasswords ??= new Set(
    gunzipSync(readFileSync(join(projectRoot, 'src', 'apps', 'accounts', 'common-passwords.txt.gz')))
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim()),
  );
  const list = commonPasswords;
  return (password) => (list.has(pythonStrip(password.toLowerCase())) ? 'This password is too common.' : undefined);
}

/** Django's NumericPasswordValidator (str.isdigit: Unicode decimal digits, and digits such as ² and ①). */
const numericPassword: PasswordValidator = (password) => (isPythonDigits(password) ? 'This password is entirely numeric.' : undefined);

export function defaultPasswordValidators(): PasswordValidator[] {
  return [userAttributeSimilarity, minimumLength(8), commonPassword(), numericPassword];
}

/** Every validator's message for this password (empty when it passes all). */
export function passwordErrors(validators: readonly PasswordValidator[], password: string, owner?: PasswordOwner): string[] {
  return validators.map((validate) => validate(password, owner)).filter((error) => error !== undefined);
}
