// /api/schema/ serves openapi.yaml (YAML, or JSON with ?format=json); /api/docs/ is Swagger UI
// on it, with its assets served by this server.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openApiFile } from '../../src/openapi-file.js';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

/** supertest hands unknown media types (YAML) over as a Buffer. */
const textOf = (response: { text?: string; body: unknown }) => response.text ?? (response.body as Buffer).toString('utf8');

describeWithDatabase('schema and docs', () => {
  const t = useTestApp();

  it('serves openapi.yaml as it is committed, with drf-spectacular\'s media type', async () => {
    for (const path of ['/api/schema/', '/api/schema', '/api/schema/?format=yaml']) {
      const response = await t.http.get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/vnd.oai.openapi; charset=utf-8');
      expect(textOf(response)).toBe(readFileSync(openApiFile, 'utf8'));
    }
  });

  it('serves the same document as JSON with ?format=json', async () => {
    const response = await t.http.get('/api/schema/?format=json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.oai.openapi+json');
    expect(response.body).toEqual(parseYaml(readFileSync(openApiFile, 'utf8')));
  });

  it('answers an unknown format with 404, as DRF does', async () => {
    const response = await t.http.get('/api/schema/?format=xml');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: 'Not found.' });
  });

  it('runs the schema views through the pipeline: a bad token is 401, another method 405', async () => {
    const response = await t.http.get('/api/schema/').set('Authorization', 'Bearer nonsense');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('token_not_valid');
    const post = await t.http.post('/api/docs/').send({});
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('serves Swagger UI on the JSON document, with and without the trailing slash', async () => {
    for (const path of ['/api/docs/', '/api/docs']) {
      const response = await t.http.get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      // Relative asset URLs resolve under /api/docs/ whichever URL loaded the page.
      expect(response.text).toContain('<base href="/api/docs/">');
      // swagger-ui-dist's files carry its version (cached for a year); the init script is this page's own.
      expect(response.text).toMatch(/<script src="\.\/swagger-ui-bundle\.js\?v=\d+\.\d+\.\d+">/);
      expect(response.text).toContain('<script src="./swagger-ui-init.js">');
      expect(response.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // nothing loaded from another host
    }
    const init = await t.unchecked.get('/api/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('"swaggerUrl": "/api/schema/?format=json"');
    expect(init.text).toContain('"validatorUrl": null');
    // "Try it out" with a session sends the csrftoken cookie's value as X-CSRFToken (the browser test runs it).
    expect(init.text).toMatch(/"requestInterceptor": function copyCsrfCookieToHeader\(request\)\s*\{/);
  });

  it('serves Swagger UI\'s assets from swagger-ui-dist, and nothing else of the package', async () => {
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'text/javascript'],
      ['swagger-ui-standalone-preset.js', 'text/javascript'],
      ['swagger-ui.css', 'text/css'],
      ['favicon-32x32.png', 'image/png'],
    ]) {
      const response = await t.unchecked.get(`/api/docs/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers['content-type']).toMatch(new RegExp(`^${type}`));
    }
    for (const path of ['/api/docs/package.json', '/api/docs/index.html', '/api/docs/swagger-initializer.js']) {
      const response = await t.http.get(path);
      expect(response.status, path).toBe(404);
      expect(response.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('compresses the document and Swagger UI\'s files, not the small JSON answers of the API', async () => {
    const schema = await t.http.get('/api/schema/').set('Accept-Encoding', 'gzip');
    expect(schema.headers['content-encoding']).toBe('gzip');
    expect(textOf(schema)).toBe(readFileSync(openApiFile, 'utf8'));
    const bundle = await t.unchecked.get('/api/docs/swagger-ui-bundle.js').set('Accept-Encoding', 'gzip');
    expect(bundle.headers['content-encoding']).toBe('gzip');
    const page = await t.http.get('/api/docs/').set('Accept-Encoding', 'gzip');
    expect(page.headers['content-encoding']).toBe('gzip');
    const api = await t.http.get('/api/posts/').set('Accept-Encoding', 'gzip');
    expect(api.headers).not.toHaveProperty('content-encoding');
  });

  it('the document has an ETag and is revalidated: 304 while unchanged', async () => {
    for (const path of ['/api/schema/', '/api/schema/?format=json']) {
      const first = await t.http.get(path);
      expect(first.headers['cache-control']).toBe('no-cache');
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await t.unchecked.get(path).set('If-None-Match', etag);
      expect(again.status).toBe(304);
      expect(again.text).toBeFalsy();
      expect(again.headers.etag).toBe(etag);
      expect((await t.http.get(path).set('If-None-Match', '"stale"')).status).toBe(200);
    }
    const yaml = (await t.http.get('/api/schema/')).headers.etag;
    expect((await t.http.get('/api/schema/?format=json')).headers.etag).not.toBe(yaml);
  });

  it('swagger-ui-dist\'s files, linked with its version, may be kept for a year; the init script is revalidated', async () => {
    const page = await t.http.get('/api/docs/');
    const versioned = [...page.text.matchAll(/(?:src|href)="\.\/([\w.-]+\?v=[\d.]+)"/g)].map((match) => match[1]!);
    expect(versioned).toHaveLength(5);
    for (const file of versioned) {
      const response = await t.unchecked.get(`/api/docs/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers['cache-control'], file).toBe('public, max-age=31536000, immutable');
    }
    const unversioned = await t.unchecked.get('/api/docs/swagger-ui.css');
    expect(unversioned.headers['cache-control']).toBe('public, max-age=0');
    expect((await t.unchecked.get('/api/docs/swagger-ui-init.js')).headers['cache-control']).toBe('no-cache');
  });
});
