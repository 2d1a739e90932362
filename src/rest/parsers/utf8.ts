// Request bodies decoded as DRF's JSONParser decodes them (codecs.getreader('utf-8')):
// strict, with CPython's error messages, which clients of the Django stack may show or match.

/** Python's UnicodeDecodeError text, e.g. `'utf-8' codec can't decode byte 0xff in position 0: invalid start byte`. */
export class Utf8DecodeError extends Error {
  override name = 'Utf8DecodeError';
}

// ignoreBOM keeps a leading BOM in the text, where the JSON parser refuses it as Python's json does.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The first place CPython's UTF-8 decoder stops at: an invalid sequence (its byte range
 * and reason), or a valid but unfinished sequence at the very end (`incompleteAt`).
 */
function firstProblem(bytes: Uint8Array): { start: number; end: number; reason: string } | { incompleteAt: number } | undefined {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    if (lead < 0xc2 || lead > 0xf4) return { start: i, end: i + 1, reason: 'invalid start byte' };
    const continuations = lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : 3;
    // The second byte's range also rules out overlong forms, surrogates and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= continuations; k += 1) {
      if (i + k >= bytes.length) return { incompleteAt: i };
      const byte = bytes[i + k]!;
      const valid = k === 1 ? byte >= low && byte <= high : byte >= 0x80 && byte <= 0xbf;
      if (!valid) return { start: i, end: i + k, reason: 'invalid continuation byte' };
    }
    i += continuations + 1;
  }
  return undefined;
}

/**
 * The body as text. An unfinished sequence at the very end is dropped, as Python's
 * stream reader keeps it waiting for bytes that never come; anything else invalid
 * throws Utf8DecodeError with CPython's message.
 */
export function decodeUtf8Body(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    const problem = firstProblem(bytes);
    if (problem === undefined) throw new Error('TextDecoder refused a body CPython accepts');
    if ('incompleteAt' in problem) return decodeUtf8Body(bytes.subarray(0, problem.incompleteAt));
    const { start, end, reason } = problem;
    const where =
      end - start === 1
        ? `byte 0x${bytes[start]!.toString(16).padStart(2, '0')} in position ${start}`
        : `bytes in position ${start}-${end - 1}`;
    throw new Utf8DecodeError(`'utf-8' codec can't decode ${where}: ${reason}`);
  }
}
