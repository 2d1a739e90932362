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
