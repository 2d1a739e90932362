// The races a database decides: a related row deleted between validation and the write,
// a row deleted by someone else before our update or delete. A fake table makes each happen.
import express from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Authenticator } from '../../src/rest/authentication/index.js';
import { errorHandler } from '../../src/rest/errors.js';
import { primaryKeyRelatedField } from '../../src/rest/fields/index.js';
import { pageNumberPagination } from '../../src/rest/pagination/index.js';
import { readBody } from '../../src/rest/parsers/index.js';
import { IsAuthenticated } from '../../src/rest/permissions/index.js';
import { DefaultRouter, mountRoutes } from '../../src/rest/views/router.js';
import { MissingReference, RowGone, type Table } from '../../src/rest/data/index.js';
import { modelViewSet } from '../../src/rest/views/viewset.js';

type Row = { id: number; partId: number };
const signedIn: Authenticator = {
  authenticate: async () => ({ user: { id: 1, username: 'u', isActive: true, isStaff: false, isSuperuser: false }, auth: null }),
};

function app(options: { model: Partial<Table<Row>>; partExists?: () => Promise<number> }) {
  const table: Table<Row> = {
    page: async () => ({ count: 0, rows: [] }),
    count: async () => 0,
    find: async () => ({ id: 1, partId: 2 }),
    create: async () => ({ id: 1, partId: 2 }),
    update: async () => ({ id: 1, partId: 2 }),
    delete: async () => undefined,
    ...options.model,
  };
  const viewset = modelViewSet({
    name: 'Thing',
    table,
    serializer: {
      input: z.object({ part: primaryKeyRelatedField({ table: { count: options.partExists ?? (async () => 1) } }) }),
      output: z.object({ id: z.int(), part: z.int() }),
      sources: { part: 'partId' },
    },
    permissions: [IsAuthenticated],
    pagination: pageNumberPagination({ pageSize: 10 }),
  });
  const server = express();
  server.use(readBody(1024));
  const defaults = { authenticators: [signedIn], permissions: [], throttles: [] };
  mountRoutes(server, new DefaultRouter().register('things', viewset).urls(), defaults);
  const errors: string[] = [];
  server.use(errorHandler((error) => errors.push(String(error))));
  return { http: request(server), errors };
}

describe('modelViewSet under races', () => {
  it('a related row deleted after validation: the write is refused and answered as a bad pk', async () => {
    const partExists = vi.fn().mockResolvedValueOnce(1).mockResolvedValue(0);
    const create = vi.fn().mockRejectedValue(new MissingReference());
    const { http, errors } = app({ model: { create }, partExists });
    const response = await http.post('/things/').send({ part: 7 });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ part: ['Invalid pk "7" - object does not exist.'] });
    expect(partExists).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([]);
  });

  it('the same on update', async () => {
    const partExists = vi.fn().mockResolvedValueOnce(1).mockResolvedValue(0);
    const update = vi.fn().mockRejectedValue(new MissingReference());
    const { http } = app({ model: { update }, partExists });
    const response = await http.patch('/things/1/').send({ part: 7 });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ part: ['Invalid pk "7" - object does not exist.'] });
  });

  it('a row deleted by someone else meanwhile is a 404', async () => {
    const { http } = app({ model: { delete: vi.fn().mockRejectedValue(new RowGone()) } });
    const response = await http.delete('/things/1/');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: 'Not found.' });
  });
});
