// Exact decimal arithmetic on text: a decimal is parsed into its digits and held as a bigint
// scaled by 10^places (12.50 at 2 places → 1250n), so no binary floating point is involved.
import type { PythonDecimal } from './python.js';

/** "1250" at 2 places → "12.50". */
export function formatScaled(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  return `${negative ? '-' : ''}${whole}${places > 0 ? `.${fraction}` : ''}`;
}

// 10^19 is beyond every 64-bit integer: a magnitude capped there compares with any stored value as the true one does.
const scaledCap = 10n ** 19n;

/**
 * A Python Decimal times 10^places, truncated toward zero, and whether that cut nothing;
 * magnitudes beyond 10^19 are capped there (no 64-bit column holds them).
 */
export function scalePythonDecimal(value: PythonDecimal, places: number): { scaled: bigint; exact: boolean } {
  const shift = value.exponent + BigInt(places);
  let magnitude: bigint;
  let exact = true;
  if (shift >= 0n) {
    // More than 20 digits before the point can only be past the cap (the coefficient has no leading zeros).
    magnitude = value.digits === '0' ? 0n : BigInt(value.digits.length) + shift > 20n ? scaledCap : BigInt(value.digits) * 10n ** shift;
  } else {
    const kept = BigInt(value.digits.length) + shift;
    const whole = kept > 0n ? value.digits.slice(0, Number(kept)) : '';
    exact = /^0*$/.test(kept > 0n ? value.digits.slice(Number(kept)) : value.digits);
    magnitude = whole === '' ? 0n : whole.length > 20 ? scaledCap : BigInt(whole);
  }
  if (magnitude > scaledCap) magnitude = scaledCap;
  return { scaled: value.negative ? -magnitude : magnitude, exact };
}
