// DRF's MultiPartParser on the buffered body, with busboy: the fields of a multipart/form-data
// body (the last value of a repeated name wins, as QueryDict.get). No endpoint takes a file, so
// a file part is refused rather than silently dropped; malformed bodies answer DRF's
// `Multipart form parse error - …`. The body's size is already bounded by MAX_BODY_BYTES.
import busboy from 'busboy';
import type { Request } from 'express';
import { ParseError } from '../errors.js';
import { maxFormFields, tooManyFields } from './form.js';

const failure = (reason: string) => new ParseError(`Multipart form parse error - ${reason}`);
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function parseMultipart(req: Request, raw: Buffer): Promise<Record<string, string>> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, defCharset: 'utf8', defParamCharset: 'utf8', limits: { fieldSize: raw.length } });
  } catch {
    // busboy refuses a Content-Type without a boundary; these are Django's words for it.
    return Promise.reject(failure('Invalid boundary in multipart: None'));
  }
  return new Promise((resolve, reject) => {
    // In the body's order, so the last value of a name wins even when a part is read as a stream.
    const fields: { name: string; value: string }[] = [];
    let refused: ParseError | undefined;
    const refuse = (error: ParseError) => {
      refused ??= error;
    };
    // Django counts fields (not files) and refuses the one past DATA_UPLOAD_MAX_NUMBER_FIELDS.
    const addField = (name: string, value: string) => {
      const field = { name, value };
      if (fields.push(field) > maxFormFields) refuse(tooManyFields());
      return field;
    };
    parser.on('field', addField);
    parser.on('file', (name, stream, { filename }) => {
      // busboy calls an application/octet-stream part a file; Django, only a part with a filename.
      if (filename === undefined) {
        const field = addField(name, '');
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => (field.value = utf8.decode(Buffer.concat(chunks))));
        return;
      }
      stream.resume();
      refuse(failure(`Part "${name}" is a file: this endpoint takes no file uploads.`));
    });
    parser.on('error', (error: Error) => reject(failure(error.message)));
    parser.on('close', () => (refused ? reject(refused) : resolve(Object.fromEntries(fields.map(({ name, value }) => [name, value])))));
    parser.end(raw);
  });
}
