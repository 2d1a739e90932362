// Django's host validation (split_domain_port, validate_host), its security headers, and
// django-cors-headers' answers, each middleware on a bare Express app. The expected domains are
// what Django 3.2's split_domain_port answers for the same Host headers.
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedHosts, crossOrigin, domainOf, hostValidator, securityHeaders } from '../../../../src/rest/http/security.js';

/** An app with only `middleware` before a GET and an OPTIONS handler (the view, DRF's metadata). */
function appWith(...middleware: RequestHandler[]) {
  const app = express();
  app.disable('x-powered-by'); // as the project's app
  app.set('trust proxy', 'loopback'); // so X-Forwarded-Proto makes req.secure, as behind a proxy
  app.use(...middleware);
  app.get('/{*path}', (_req, res) => void res.json({ view: true }));
  app.options('/{*path}', (_req, res) => void res.json({ metadata: true }));
  return app;
}

describe('domainOf (Django split_domain_port)', () => {
  it('lower-cases, drops the port and one trailing dot; keeps IPv6 brackets', () => {
    const cases = {
      'Example.COM': 'example.com',
      'example.com:8000': 'example.com',
      'example.com.': 'example.com',
      'example.com.:80': 'example.com',
      '192.168.0.1:80': '192.168.0.1',
      '[::1]': '[::1]',
      '[::1]:8000': '[::1]',
      '[2001:DB8::1]:443': '[2001:db8::1]',
    };
    for (const [host, domain] of Object.entries(cases)) expect(domainOf(host), host).toBe(domain);
  });

  it('is empty when the host is malformed', () => {
    for (const host of ['', 'exa mple.com', 'a_b.example.com', 'user@example.com', 'example.com:', 'example.com:abc', '::1', '[::1', '[::1]x']) {
      expect(domainOf(host), host).toBe('');
    }
  });
});

describe('hostValidator (Django validate_host)', () => {
  it('`*` allows any well-formed host, never a malformed one', () => {
    const allowed = hostValidator(['*']);
    expect([allowed('anything.example'), allowed('[::1]'), allowed('')]).toEqual([true, true, false]);
  });

  it('`.example.com` allows it and its subdomains; other entries are exact', () => {
    const allowed = hostValidator(['.example.com', 'api.test']);
    expect(['example.com', 'a.example.com', 'a.b.example.com', 'api.test'].map(allowed)).toEqual([true, true, true, true]);
    expect(['evilexample.com', 'example.com.evil', 'www.api.test', 'test', ''].map(allowed)).toEqual([false, false, false, false, false]);
  });

  it('compares entries case-insensitively, as Django lowercases each pattern', () => {
    const allowed = hostValidator(['Example.COM', '.Sub.Test']);
    expect(['example.com', 'a.sub.test', 'sub.test'].map(allowed)).toEqual([true, true, true]);
  });
});

describe('allowedHosts', () => {
  const refused: string[] = [];
  const app = appWith(allowedHosts({ allowedHosts: ['api.example.com'], exemptPaths: ['/health/', '/ready'], onRefused: (host) => refused.push(host) }));

  it('lets an allowed host through, whatever its port or trailing dot', async () => {
    for (const host of ['api.example.com', 'API.example.com:8443', 'api.example.com.']) {
      expect((await request(app).get('/api/').set('Host', host)).body, host).toEqual({ view: true });
    }
  });

  it('refuses another host with 400 and tells onRefused', async () => {
    refused.length = 0;
    const response = await request(app).get('/api/').set('Host', 'evil.example:8000');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: 'Invalid Host header.' });
    expect(refused).toEqual(['evil.example:8000']);
  });

  it('answers exempt paths whatever the host, with or without the trailing slash', async () => {
    for (const path of ['/health/', '/health', '/ready', '/ready/']) {
      expect((await request(app).get(path).set('Host', '10.0.0.7')).status, path).toBe(200);
    }
    expect((await request(app).get('/health/deep').set('Host', '10.0.0.7')).status).toBe(400);
  });

  it('reads X-Forwarded-Host only from a trusted proxy', async () => {
    const direct = express().use(allowedHosts({ allowedHosts: ['api.example.com'] }), (_req, res) => void res.end());
    expect((await request(direct).get('/').set('Host', 'evil.example').set('X-Forwarded-Host', 'api.example.com')).status).toBe(400);
    expect((await request(app).get('/').set('Host', 'evil.example').set('X-Forwarded-Host', 'api.example.com')).status).toBe(200);
  });
});

describe('securityHeaders', () => {
  const transport = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'etag', 'transfer-encoding']);
  const headersOf = (response: request.Response) => Object.fromEntries(Object.entries(response.headers).filter(([name]) => !transport.has(name)));
  const djangoHeaders = {
    'content-security-policy':
      "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;font-src 'self' data:;" +
      "connect-src 'self';worker-src 'self' blob:;object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  const hsts = { maxAge: 31536000, includeSubDomains: true, preload: true };

  it('sets exactly Django’s headers and the CSP, none of helmet’s others', async () => {
    const response = await request(appWith(securityHeaders(null))).get('/');
    expect(headersOf(response)).toEqual(djangoHeaders);
  });

  it('adds HSTS only when configured and the request is secure', async () => {
    const app = appWith(securityHeaders(hsts));
    const secure = await request(app).get('/').set('X-Forwarded-Proto', 'https');
    expect(headersOf(secure)).toEqual({ ...djangoHeaders, 'strict-transport-security': 'max-age=31536000; includeSubDomains; preload' });
    expect((await request(app).get('/')).headers['strict-transport-security']).toBeUndefined();
    const unconfigured = await request(appWith(securityHeaders(null))).get('/').set('X-Forwarded-Proto', 'https');
    expect(unconfigured.headers['strict-transport-security']).toBeUndefined();
    const plain = await request(appWith(securityHeaders({ maxAge: 60, includeSubDomains: false, preload: false }))).get('/').set('X-Forwarded-Proto', 'https');
    expect(plain.headers['strict-transport-security']).toBe('max-age=60');
  });
});

describe('crossOrigin (django-cors-headers)', () => {
  const spa = 'http://localhost:5173';
  const options = { allowedOrigins: [spa], allowCredentials: true };
  const app = appWith(crossOrigin(options));
  const corsHeaders = (response: request.Response) =>
    Object.fromEntries(Object.entries(response.headers).filter(([name]) => name === 'vary' || name.startsWith('access-control-')));

  // As django-cors-headers' add_response_headers (checked against its source): Vary: Origin
  // always; the other headers only for an allowed origin.
  it('gives a request without Origin only Vary: Origin, whether or not credentials are allowed', async () => {
    for (const allowCredentials of [true, false]) {
      const response = await request(appWith(crossOrigin({ ...options, allowCredentials }))).get('/api/');
      expect(corsHeaders(response)).toEqual({ vary: 'Origin' });
      expect(response.body).toEqual({ view: true });
    }
  });

  it('adds Origin to a Vary header set before it', async () => {
    const varyAccept: RequestHandler = (_req, res, next) => {
      res.vary('Accept');
      next();
    };
    const response = await request(appWith(varyAccept, crossOrigin(options))).get('/api/');
    expect(response.headers.vary).toBe('Accept, Origin');
  });

  it('echoes an allowed origin, and only an allowed one', async () => {
    const allowed = await request(app).get('/api/').set('Origin', spa);
    expect(corsHeaders(allowed)).toEqual({ vary: 'Origin', 'access-control-allow-origin': spa, 'access-control-allow-credentials': 'true' });
    const other = await request(app).get('/api/').set('Origin', 'https://evil.example');
    expect(corsHeaders(other)).toEqual({ vary: 'Origin' });
    expect(other.body).toEqual({ view: true });
  });

  it('answers a preflight itself: 200, Content-Length 0, django-cors-headers’ methods, headers and max age', async () => {
    const preflight = await request(app).options('/api/posts/').set('Origin', spa).set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(200);
    expect(preflight.headers['content-length']).toBe('0');
    expect(preflight.text).toBe('');
    expect(corsHeaders(preflight)).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': spa,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'DELETE, GET, OPTIONS, PATCH, POST, PUT',
      'access-control-allow-headers': 'accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with, x-request-id',
      'access-control-max-age': '86400',
    });
    const foreign = await request(app).options('/api/posts/').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'DELETE');
    expect([foreign.status, foreign.text, corsHeaders(foreign)]).toEqual([200, '', { vary: 'Origin' }]);
  });

  it('allows "null" only when listed', async () => {
    const withNull = appWith(crossOrigin({ allowedOrigins: ['null'], allowCredentials: false }));
    expect((await request(withNull).get('/api/').set('Origin', 'null')).headers['access-control-allow-origin']).toBe('null');
    expect((await request(app).get('/api/').set('Origin', 'null')).headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('lets an OPTIONS without Access-Control-Request-Method go on to the view', async () => {
    const withOrigin = await request(app).options('/api/posts/').set('Origin', spa);
    expect([withOrigin.status, withOrigin.body, withOrigin.headers['access-control-allow-origin']]).toEqual([200, { metadata: true }, spa]);
    expect(withOrigin.headers['access-control-allow-methods']).toBe('DELETE, GET, OPTIONS, PATCH, POST, PUT');
    const withoutOrigin = await request(app).options('/api/posts/');
    expect([withoutOrigin.status, withoutOrigin.body]).toEqual([200, { metadata: true }]);
  });
});
