// The error responses the APIView pipeline answers by itself (DRF's error bodies), listed once
// in components.responses, and which of them each operation may answer given its policies.
import { z } from 'zod';
import { AllowAny } from '../permissions/index.js';
import type { OperationDocs, Policies } from '../types.js';

// DRF's error bodies.
const errorDetail = z.object({ detail: z.string() }).meta({ id: 'ErrorDetail' });
const fieldErrors = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: 'FieldErrors', description: 'Messages by field; `non_field_errors` for the data as a whole.' });
const authenticationError = z
  .object({
    detail: z.string(),
    code: z.string().optional(),
    messages: z.array(z.record(z.string(), z.string())).optional(),
  })
  .meta({ id: 'AuthenticationError', description: 'DRF\'s `{"detail"}`; SimpleJWT adds a `code` and, for a bad access token, `messages`.' });

const fieldMetadata = z
  .object({
    type: z.string(),
    required: z.boolean(),
    read_only: z.boolean(),
    label: z.string(),
    help_text: z.string().optional(),
    max_length: z.int().optional(),
  })
  .meta({ id: 'FieldMetadata' });

/** What OPTIONS answers on every path (DRF's SimpleMetadata); not listed per path, as in drf-spectacular. */
export const viewMetadata = z
  .object({
    name: z.string(),
    description: z.string(),
    renders: z.array(z.string()),
    parses: z.array(z.string()),
    actions: z
      .record(z.string(), z.record(z.string(), fieldMetadata))
      .optional()
      .meta({ description: 'The fields of the write the caller may make (POST on a list, PUT on an object), by method.' }),
  })
  .meta({ id: 'ViewMetadata' });

export type StandardStatus = 400 | 401 | 403 | 404 | 405 | 406 | 413 | 415 | 429 | 500 | 503;

/** The pipeline's error responses (components.responses); 405, 406, 500 and 503 are listed there only, see pipelineErrors. */
export const standardErrors: Record<StandardStatus, { name: string; description: string; schema: z.ZodType; headers?: Record<string, string> }> = {
  400: {
    name: 'ValidationError',
    description: 'Invalid data: messages by field, or `{"detail"}` for a body that cannot be parsed.',
    schema: z.union([errorDetail, fieldErrors]).meta({ id: 'ValidationErrorBody' }),
  },
  401: {
    name: 'Unauthorized',
    description: 'No credentials, or bad ones (even where anonymous access is allowed).',
    schema: authenticationError,
    headers: { 'WWW-Authenticate': 'The authentication scheme to use.' },
  },
  403: { name: 'Forbidden', description: 'Not allowed to perform this action.', schema: errorDetail },
  404: { name: 'NotFound', description: 'No such object (or not one the caller may see), or an invalid page.', schema: errorDetail },
  405: {
    name: 'MethodNotAllowed',
    description: 'A method the path does not answer.',
    schema: errorDetail,
    headers: { Allow: 'The methods the path answers.' },
  },
  406: {
    name: 'NotAcceptable',
    description: 'An Accept header no renderer of the view satisfies (JSON, or the browsable API for `text/html`).',
    schema: errorDetail,
  },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than the server accepts.', schema: errorDetail },
  415: { name: 'UnsupportedMediaType', description: 'A request body in a media type the view does not parse.', schema: errorDetail },
  429: {
    name: 'Throttled',
    description: 'Too many requests.',
    schema: errorDetail,
    headers: { 'Retry-After': 'Seconds to wait before the next request is allowed.' },
  },
  500: { name: 'ServerError', description: 'A fault of the server (never a stack trace).', schema: errorDetail },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A service the server needs cannot answer now: the database (unreachable, busy or out of space, or a statement past ' +
      'DATABASE_STATEMENT_TIMEOUT), or the shared throttle store with THROTTLE_FAIL_OPEN=false.',
    schema: errorDetail,
    headers: { 'Retry-After': 'Seconds to wait before trying again.' },
  },
};

/**
 * The errors the pipeline itself may answer for an operation. 405 is not among them: it
 * answers the methods a path does *not* document (OpenAPI has no place for those), so it
 * is listed in components.responses, as are 500 and 503 (faults of the server, not of the operation).
 */
export function pipelineErrors(policies: Policies, docs: OperationDocs, hasPathParameters: boolean): StandardStatus[] {
  const [first] = policies.authenticators;
  const rejects = new Set((docs.parameters ?? []).map((p) => p.rejects));
  const statuses: StandardStatus[] = [];
  if (docs.request || rejects.has(400)) statuses.push(400);
  // DRF turns 401 into 403 when the first authenticator has no WWW-Authenticate header.
  if (first?.authenticateHeader) statuses.push(401);
  if (policies.permissions.some((p) => p !== AllowAny) || policies.authenticators.some((a) => !a.authenticateHeader)) {
    statuses.push(403);
  }
  if (hasPathParameters || rejects.has(404)) statuses.push(404);
  statuses.push(413); // the body is read (and limited) before routing, whatever the method
  if (docs.request) statuses.push(415);
  if (policies.throttles.length > 0) statuses.push(429);
  return statuses;
}
