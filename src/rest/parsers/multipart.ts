// DRF's MultiPartParser on the buffered body, with busboy: the fields of a multipart/form-data
// body (the last value of a repeated name wins, as QueryDict.get). No endpoint takes a file, so
// a file part is refused rather than silently dropped; malformed bodies answer DRF's
// `Multipart form parse error - …`. The body's size is already bounded by MAX_BODY_BYTES.
import busboy from 'busboy';
import type { Request } from 'express';
import { ParseError } from '../errors.js';

/** Django's DATA_UPLOAD_MAX_NUMBER_FIELDS. */
const maxFields = 1000;

const failure = (reason: string) => new ParseError(`Multipart form parse error - ${reason}`);

export function parseMultipart(req: Request, raw: Buffer): Promise<Record<string, string>> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defCharset: 'utf8',
      defParamCharset: 'utf8',
      limits: { fieldSize: raw.length, fields: maxFields, parts: maxFields },
    });
  } catch {
    // busboy refuses a Content-Type without a boundary; these are Django's words for it.
    return Promise.reject(failure('Invalid boundary in multipart: None'));
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let refused: ParseError | undefined;
    const refuse = (error: ParseError) => {
      refused ??= error;
    };
    parser.on('field', (name, value) => fields.set(name, value));
    parser.on('file', (name, stream) => {
      stream.resume();
      refuse(failure(`Part "${name}" is a file: this endpoint takes no file uploads.`));
    });
    parser.on('fieldsLimit', () => refuse(failure(`More than ${maxFields} fields.`)));
    parser.on('partsLimit', () => refuse(failure(`More than ${maxFields} parts.`)));
    parser.on('error', (error: Error) => reject(failure(error.message)));
    parser.on('close', () => (refused ? reject(refused) : resolve(Object.fromEntries(fields))));
    parser.end(raw);
  });
}
