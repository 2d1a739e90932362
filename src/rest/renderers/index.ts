// DRF's renderers: each turns a view's answer into bytes of one media type, and names the
// `?format=` that picks it. A view offers several (JSON and the browsable API by default);
// negotiation.ts chooses one per request.
import { parsePythonInt } from '../fields/index.js';
import type { Renderer } from '../types.js';
export type { RenderContext, Renderer } from '../types.js';

/** DRF's JSONRenderer: compact, UTF-8, `application/json` without a charset; `; indent=N` (0–8) indents as DRF does. */
export const jsonRenderer: Renderer = {
  mediaType: 'application/json',
  format: 'json',
  contentType: 'application/json',
  render(body, { accepted }) {
    const indent = accepted?.params.indent === undefined ? null : parsePythonInt(accepted.params.indent);
    if (indent === null || indent <= 0n) return jsonText(body);
    return escapeLineSeparators(JSON.stringify(body, null, Number(indent > 8n ? 8n : indent)));
  },
};

/** U+2028 and U+2029 escaped as DRF's JSONRenderer writes them (so the JSON is also valid JavaScript). */
const lineSeparator = /[\u2028\u2029]/;
const lineSeparators = /[\u2028\u2029]/g;
function escapeLineSeparators(text: string): string {
  return lineSeparator.test(text) ? text.replace(lineSeparators, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')) : text;
}

/** A value as DRF's JSONRenderer writes it, compact. */
export const jsonText = (body: unknown): string => escapeLineSeparators(JSON.stringify(body));

/** A renderer of documents a view writes itself (OpenAPI YAML, a documentation page). */
export function documentRenderer(mediaType: string, format: string, contentType = mediaType): Renderer {
  return { mediaType, format, contentType };
}
