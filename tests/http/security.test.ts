// What Django's middleware does around the API, over HTTP: the default security headers on
// JSON and HTML answers, a CSP on pages, HSTS only when configured and only over HTTPS, and
// ALLOWED_HOSTS (400 for any other Host, a forwarded host honoured only from a trusted proxy).
import request from 'supertest';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

const djangoHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

describeWithDatabase('security headers', () => {
  const t = useTestApp();

  it('are Django\'s defaults on JSON answers, errors included, and nothing that constrains JSON clients', async () => {
    for (const response of [await t.http.get('/api/posts/'), await t.http.get('/api/transactions/'), await t.http.get('/nowhere/')]) {
      expect(response.headers).toMatchObject(djangoHeaders);
      expect(response.headers).not.toHaveProperty('strict-transport-security');
      expect(response.headers).not.toHaveProperty('cross-origin-resource-policy');
      expect(response.headers).not.toHaveProperty('x-powered-by');
    }
  });

  it('HTML pages carry a Content-Security-Policy allowing only this origin\'s scripts', async () => {
    const response = await t.http.get('/api/docs/');
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers).toMatchObject(djangoHeaders);
    const csp = Object.fromEntries(
      response.headers['content-security-policy']!.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
  });

  it('HSTS is sent when SECURE_HSTS_SECONDS is set, on HTTPS requests only (Django\'s SecurityMiddleware)', async () => {
    const hsts = { maxAge: 31536000, includeSubDomains: true, preload: false };
    const app = request(createApp(testConfig({ hsts, trustedProxies: ['loopback'] }), t.db));
    const overHttps = await app.get('/api/').set('X-Forwarded-Proto', 'https');
    expect(overHttps.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(overHttps.headers).toMatchObject(djangoHeaders);
    const overHttp = await app.get('/api/');
    expect(overHttp.headers).not.toHaveProperty('strict-transport-security');
    expect(overHttp.headers).toMatchObject(djangoHeaders);
  });
});

describeWithDatabase('ALLOWED_HOSTS', () => {
  const t = useTestApp({ allowedHosts: ['api.example.com', '.example.org', '127.0.0.1'] });

  it('answers 400 JSON for a Host not allowed, and links never name it', async () => {
    for (const host of ['evil.example', 'api.example.com.evil.example', 'example.com', 'localhost:8000', 'bad_host', '']) {
      const response = await t.unchecked.get('/api/').set('Host', host);
      expect(response.status, host).toBe(400);
      expect(response.body).toEqual({ detail: 'Invalid Host header.' });
      expect(response.headers).toMatchObject(djangoHeaders);
    }
    const refused = t.logs.filter((line) => line.level === 'warn' && line.msg.startsWith('Invalid HTTP_HOST header'));
    expect(refused.map((line) => line.msg)).toContain('Invalid HTTP_HOST header: "evil.example"');
  });

  it('serves allowed hosts: exact (any port, any case, trailing dot), and .example.org with its subdomains', async () => {
    for (const host of ['api.example.com', 'API.Example.com:8443', 'api.example.com.', 'example.org', 'deep.sub.example.org', '127.0.0.1:1234']) {
      const response = await t.http.get('/api/').set('Host', host);
      expect(response.status, host).toBe(200);
      expect((response.body as Record<string, string>).posts).toBe(`http://${host}/api/posts/`);
    }
  });

  it('health probes answer whatever the host (load balancers probe an address)', async () => {
    expect((await t.http.get('/healthz').set('Host', '10.1.2.3:8000')).status).toBe(200);
    expect((await t.http.get('/readyz/').set('Host', '10.1.2.3:8000')).status).toBe(200);
    expect((await t.unchecked.get('/api/').set('Host', '10.1.2.3:8000')).status).toBe(400);
  });

  it('a forwarded host counts only from a trusted proxy, and then names the links', async () => {
    // Untrusted peer: X-Forwarded-Host is ignored, the Host header decides.
    const ignored = await t.http.get('/api/').set('Host', 'api.example.com').set('X-Forwarded-Host', 'evil.example');
    expect(ignored.status).toBe(200);
    expect((ignored.body as Record<string, string>).posts).toBe('http://api.example.com/api/posts/');

    const behindProxy = request(createApp(testConfig({ allowedHosts: ['api.example.com'], trustedProxies: ['loopback'] }), t.db));
    const forwarded = await behindProxy
      .get('/api/')
      .set('Host', 'internal:8000')
      .set('X-Forwarded-Host', 'api.example.com')
      .set('X-Forwarded-Proto', 'https');
    expect(forwarded.status).toBe(200);
    expect((forwarded.body as Record<string, string>).posts).toBe('https://api.example.com/api/posts/');
    const spoofed = await behindProxy.get('/api/').set('Host', 'api.example.com').set('X-Forwarded-Host', 'evil.example');
    expect(spoofed.status).toBe(400);
  });

  it('`*` allows any host', async () => {
    const any = request(createApp(testConfig({ allowedHosts: ['*'] }), t.db));
    expect((await any.get('/api/').set('Host', 'whatever.example:81')).status).toBe(200);
  });
});
