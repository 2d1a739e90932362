// DRF's DefaultContentNegotiation and JSONRenderer's `; indent=N`. The expected choices are what
// DRF 3.14 answers for the same Accept headers with [JSONRenderer, BrowsableAPIRenderer].
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { NotFound } from '../../../../src/rest/errors.js';
import { documentRenderer, jsonRenderer, type RenderContext } from '../../../../src/rest/renderers/index.js';
import { contentNegotiation, formatParameter, NotAcceptable, parseMediaType } from '../../../../src/rest/renderers/negotiation.js';

const htmlRenderer = documentRenderer('text/html', 'api', 'text/html; charset=utf-8');
const negotiate = contentNegotiation([jsonRenderer, htmlRenderer]);
const withAccept = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as Request;
/** The format of the renderer DRF picks, or the exception it raises. */
const chosen = (accept?: string, format?: string) => {
  try {
    return negotiate(withAccept(accept), format).renderer.format;
  } catch (error) {
    return error;
  }
};

describe('parseMediaType (Django parse_header)', () => {
  it('lower-cases the type, trims and unquotes parameters, lower-cases their names', () => {
    expect(parseMediaType(' Application/JSON ; Indent="4" ;q=0.5; charset = UTF-8 ')).toEqual({
      type: 'application',
      subtype: 'json',
      params: { indent: '4', q: '0.5', charset: 'UTF-8' },
    });
  });

  it('skips a parameter without a value; a type without a slash has no subtype', () => {
    expect(parseMediaType('text/html; level')).toEqual({ type: 'text', subtype: 'html', params: {} });
    expect(parseMediaType('json')).toEqual({ type: 'json', subtype: '', params: {} });
  });
});

describe('contentNegotiation (DRF DefaultContentNegotiation)', () => {
  it('gives the first renderer, with no accepted media type, to no Accept or */* and no format', () => {
    expect(negotiate(withAccept(), undefined)).toEqual({ renderer: jsonRenderer, accepted: null });
    expect(negotiate(withAccept('*/*'), undefined)).toEqual({ renderer: jsonRenderer, accepted: null });
  });

  it('matches the Accept entry and hands it (with its parameters) to the renderer', () => {
    expect(negotiate(withAccept('text/html'), undefined)).toEqual({
      renderer: htmlRenderer,
      accepted: { type: 'text', subtype: 'html', params: {} },
    });
    expect(negotiate(withAccept('Application/JSON; indent=4'), undefined)).toEqual({
      renderer: jsonRenderer,
      accepted: { type: 'application', subtype: 'json', params: { indent: '4' } },
    });
  });

  it('ignores q: among equally specific types the view’s renderer order decides', () => {
    expect(chosen('application/json;q=0.1, text/html;q=0.9')).toBe('json');
    expect(chosen('text/html;q=0.9, application/json;q=0.1')).toBe('json');
    expect(chosen('text/html;q=0, application/json')).toBe('json');
  });

  it('tries the more specific types first: parameters other than q, a full type, type/*, */*', () => {
    expect(chosen('text/html; charset=utf-8, application/json')).toBe('api');
    expect(chosen('application/*, text/html')).toBe('api');
    expect(chosen('text/*')).toBe('api');
    expect(chosen('image/png, */*')).toBe('json');
  });

  it('keeps only the renderers of `?format=`, then still requires the Accept header to admit one', () => {
    expect(chosen(undefined, 'api')).toBe('api');
    expect(chosen('application/json;q=0.1, text/html;q=0.9', 'api')).toBe('api');
    expect(chosen('text/html;q=0, application/json', 'api')).toBe('api');
    expect(chosen('image/png, */*', 'api')).toBe('api');
    expect(chosen('text/html', 'json')).toBeInstanceOf(NotAcceptable);
    expect(chosen('application/json; indent=4', 'api')).toBeInstanceOf(NotAcceptable);
  });

  it('an empty `?format=` filters nothing; an unknown one is 404', () => {
    expect(chosen('text/html', '')).toBe('api');
    const unknown = chosen(undefined, 'xml');
    expect(unknown).toBeInstanceOf(NotFound);
    expect(unknown).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('answers 406 when no renderer is acceptable (an empty Accept header included)', () => {
    for (const accept of ['image/png', '', 'text/plain, application/xml']) {
      const error = chosen(accept);
      expect(error).toBeInstanceOf(NotAcceptable);
      expect(error).toMatchObject({ status: 406, body: { detail: 'Could not satisfy the request Accept header.' } });
    }
  });
});

describe('formatParameter (request.query_params.get("format"))', () => {
  const format = (originalUrl: string) => formatParameter({ originalUrl } as Request);

  it('reads the last `format` of the query, and nothing else', () => {
    expect(format('/api/posts/?format=api')).toBe('api');
    expect(format('/api/posts/?format=json&page=2&format=api')).toBe('api');
    expect(format('/api/posts/?format=')).toBe('');
    expect(format('/api/posts/?xformat=api')).toBeUndefined();
    expect(format('/api/posts/?page=2')).toBeUndefined();
    expect(format('/api/format=api/')).toBeUndefined();
  });
});

describe('jsonRenderer (DRF JSONRenderer)', () => {
  const body = { a: [1, { b: 'é' }], c: {} };
  const render = (accept: string | null) =>
    jsonRenderer.render!(body, { accepted: accept === null ? null : parseMediaType(accept) } as RenderContext);

  it('is compact UTF-8 JSON without indent, and with indent 0, negative or not an integer', () => {
    for (const accept of [null, 'application/json', 'application/json; indent=0', 'application/json; indent=-2', 'application/json; indent=abc']) {
      expect(render(accept)).toBe('{"a":[1,{"b":"é"}],"c":{}}');
    }
  });

  it('indents by N (Python int(): spaces around allowed), at most 8, with ": " and "," separators', () => {
    expect(render('application/json; indent= 2 ')).toBe('{\n  "a": [\n    1,\n    {\n      "b": "é"\n    }\n  ],\n  "c": {}\n}');
    expect(render('application/json; indent=12')).toBe(render('application/json; indent=8'));
    expect(render('application/json; indent=8')).toBe(JSON.stringify(body, null, 8));
  });

  it('escapes U+2028 and U+2029 as DRF does, and nothing else of the text', () => {
    const text = jsonRenderer.render!({ t: 'a\u2028b\u2029c é' }, { accepted: null } as RenderContext);
    expect(text).toBe('{"t":"a\\u2028b\\u2029c é"}');
    expect(JSON.parse(text as string)).toEqual({ t: 'a\u2028b\u2029c é' });
  });
});
