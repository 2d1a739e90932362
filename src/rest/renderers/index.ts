// DRF's renderers: each turns a view's answer into bytes of one media type, and names the
// `?format=` that picks it. A view offers several (JSON and the browsable API by default);
// negotiation.ts chooses one per request.
import { pythonInt } from '../fields/index.js';
import type { MediaType } from './negotiation.js';
import type { RequestContext, ViewSpec } from '../views/api-view.js';

/** What a renderer is given: the answer as the JSON renderer would send it. */
export interface RenderContext {
  ctx: RequestContext;
  view: ViewSpec;
  status: number;
  /** The response's headers as set by the view and the pipeline (Allow, Vary, WWW-Authenticate…). */
  headers: Record<string, string>;
  /** The Accept entry that chose the renderer, with its parameters. */
  accepted: MediaType | null;
}

export interface Renderer {
  /** What the Accept header is matched against. */
  readonly mediaType: string;
  /** The value of `?format=` that picks this renderer. */
  readonly format: string;
  /** The Content-Type header it sends. */
  readonly contentType: string;
  /**
   * Renders any answer (a data renderer: JSON, the browsable API). Absent for a document
   * renderer: the view answers the document's text itself, and errors are rendered as JSON.
   */
  render?(body: unknown, context: RenderContext): string | Promise<string>;
}

/** DRF's JSONRenderer: compact, UTF-8, `application/json` without a charset; `; indent=N` (0–8) indents as DRF does. */
export const jsonRenderer: Renderer = {
  mediaType: 'application/json',
  format: 'json',
  contentType: 'application/json',
  render(body, { accepted }) {
    const indent = accepted?.params.indent === undefined ? null : pythonInt(accepted.params.indent);
    if (indent === null || indent <= 0n) return JSON.stringify(body);
    return JSON.stringify(body, null, Number(indent > 8n ? 8n : indent));
  },
};

/** A renderer of documents a view writes itself (OpenAPI YAML, a documentation page). */
export function documentRenderer(mediaType: string, format: string, contentType = mediaType): Renderer {
  return { mediaType, format, contentType };
}
