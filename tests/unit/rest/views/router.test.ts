// The URL table's dispatch keeps Express's matching: case-insensitive, one optional trailing
// slash, parameters decoded into req.params (a malformed escape is a 400), the first route
// registered wins, and a path no route matches goes on to what is mounted after it.
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AllowAny } from '../../../../src/rest/permissions/index.js';
import { jsonRenderer } from '../../../../src/rest/renderers/index.js';
import { mountRoutes } from '../../../../src/rest/views/router.js';
import type { Policies, Route, ViewSpec } from '../../../../src/rest/types.js';

const defaults: Policies = { authenticators: [], permissions: [AllowAny], throttles: [], renderers: [jsonRenderer] };
const view = (name: string): ViewSpec => ({ name, handlers: { GET: (ctx) => ({ body: { view: name, params: ctx.req.params } }) } });

function appWith(routes: Route[]) {
  const app = express();
  mountRoutes(app, routes, defaults);
  app.use((_req, res) => void res.status(404).json({ view: 'after' }));
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(error.status ?? 500).json({ error: true }));
  return request(app);
}

describe('mountRoutes', () => {
  const http = appWith([
    ['/api/', view('root')],
    ['/api/items/', view('list')],
    ['/api/items/me/', view('me')],
    ['/api/items/:id/', view('detail')],
    ['/api/items/:id/', view('second detail')],
    ['/api/items/other/', view('shadowed')],
    ['/api/owners/:owner/items/:id/', view('nested')],
  ]);

  it('matches with or without the trailing slash, in any letter case', async () => {
    for (const path of ['/api/items/', '/api/items', '/API/Items/']) expect((await http.get(path)).body).toEqual({ view: 'list', params: {} });
    expect((await http.get('/api')).body.view).toBe('root');
    expect((await http.get('/api/items/?page=2')).body.view).toBe('list');
  });

  it('decodes parameters, keeps their case, and answers 400 to a malformed escape', async () => {
    expect((await http.get('/api/items/A%20b/')).body).toEqual({ view: 'detail', params: { id: 'A b' } });
    expect((await http.get('/api/owners/7/items/9')).body).toEqual({ view: 'nested', params: { owner: '7', id: '9' } });
    expect((await http.get('/api/items/%E0%A4%A/')).status).toBe(400);
  });

  it('the first route registered wins, literal or not', async () => {
    expect((await http.get('/api/items/me/')).body.view).toBe('me');
    expect((await http.get('/api/items/other/')).body).toEqual({ view: 'detail', params: { id: 'other' } });
  });

  it('anything else goes on: empty segments, a second trailing slash, deeper paths', async () => {
    for (const path of ['/api//items/', '/api/items//', '/api/items/1/2/', '/', '/apix/']) {
      expect((await http.get(path)).body, path).toEqual({ view: 'after' });
    }
  });

  it('every method reaches the view, which answers 405 for the ones it lacks', async () => {
    expect((await http.post('/api/items/')).status).toBe(405);
    expect((await http.head('/api/items/')).status).toBe(200);
  });
});

describe('mountRoutes: format suffixes (DRF format_suffix_patterns)', () => {
  const http = appWith([
    ['/api/', view('root'), 'after-slash'],
    ['/api/items/', view('list'), 'replaces-slash'],
    ['/api/items/me/', view('me'), 'replaces-slash'],
    ['/api/items/:id/', view('detail'), 'replaces-slash'],
    ['/plain/', view('plain')],
    ['/plain/:id/', view('plain detail')],
  ]);

  it("answers a router's paths with a lowercase format in place of the trailing slash, one slash after it allowed", async () => {
    expect((await http.get('/api/items.json')).body).toEqual({ view: 'list', params: { format: 'json' } });
    expect((await http.get('/api/items.json/')).body).toEqual({ view: 'list', params: { format: 'json' } });
    expect((await http.get('/API/Items.json')).body.view).toBe('list');
    expect((await http.get('/api/items/me.json')).body).toEqual({ view: 'me', params: { format: 'json' } });
    expect((await http.get('/api/items/7.json')).body).toEqual({ view: 'detail', params: { id: '7', format: 'json' } });
    // A format no renderer has is the view's 404 (DRF's negotiation), not a path that goes on.
    expect((await http.get('/api/items/7.x2/?page=1')).body).toEqual({ detail: 'Not found.' });
  });

  it("answers a router's root with the format after its slash", async () => {
    expect((await http.get('/api/.json')).body).toEqual({ view: 'root', params: { format: 'json' } });
    expect((await http.get('/api.json')).body).toEqual({ view: 'after' });
  });

  it("takes no dot into a router's parameters: the last dot starts the format", async () => {
    expect((await http.get('/api/items/1.5/')).body).toEqual({ detail: 'Not found.' });
    expect((await http.get('/api/items/1.json')).body).toEqual({ view: 'detail', params: { id: '1', format: 'json' } });
    for (const path of ['/api/items/a.b.json', '/api/items/.json', '/api/items/1.JSON', '/api/items/1.', '/api/items/1.js-on']) {
      expect((await http.get(path)).body, path).toEqual({ view: 'after' });
    }
  });

  it('leaves the routes without format suffixes as they were', async () => {
    expect((await http.get('/plain.json')).body).toEqual({ view: 'after' });
    expect((await http.get('/plain/1.json')).body).toEqual({ view: 'plain detail', params: { id: '1.json' } });
  });
});
