// The server builds each request and response with the app's own prototypes (Express's
// app.request / app.response), so Express's per-request Object.setPrototypeOf changes nothing
// (an object whose prototype changes is slow in V8 for the rest of its life).
import express from 'express';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createHttpServer } from '../../src/http-server.js';

it('requests and responses are born with the app\'s prototypes, and still answer', async () => {
  const app = express();
  app.get('/ping', (req, res) => void res.json({ ok: req.get('host') !== undefined }));
  const { server, listen, drain } = createHttpServer(app, { headers: 5, request: 10, keepAlive: 5 });
  const born: boolean[] = [];
  server.prependListener('request', (req, res) => born.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response));
  const { port } = (await listen(0, '127.0.0.1')) as AddressInfo;
  const body = await new Promise<string>((resolve, reject) =>
    get(`http://127.0.0.1:${port}/ping`, { agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject),
  );
  expect(JSON.parse(body)).toEqual({ ok: true });
  expect(born).toEqual([true, true]);
  expect(await drain(1)).toBe(0);
});
