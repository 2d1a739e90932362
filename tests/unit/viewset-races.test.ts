// The races a database decides: a related row deleted between validation and the write,
// a referring row created or deleted around a delete. A fake model makes each happen.
import express from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Authenticator } from '../../src/rest/authentication/index.js';
import { errorHandler } from '../../src/rest/errors.js';
import { primaryKeyRelatedField } from '../../src/rest/fields.js';
import { pageNumberPagination } from '../../src/rest/pagination.js';
import { readBody } from '../../src/rest/parsers/index.js';
import { IsAuthenticated } from '../../src/rest/permissions.js';
import { DefaultRouter, mountRoutes } from '../../src/rest/router.js';
import { modelViewSet, type ModelDelegate } from '../../src/rest/viewset.js';

type Row = { id: number; partId: number };
const foreignKeyViolation = () => Object.assign(new Error('Foreign key constraint violated'), { code: 'P2003' });
const signedIn: Authenticator = {
  authenticate: async () => ({ user: { id: 1, username: 'u', isActive: true, isStaff: false, isSuperuser: false }, auth: null }),
};

function app(options: { model: Partial<ModelDelegate<Row>>; partExists?: () => Promise<number>; referring?: () => Promise<number> }) {
  const model: ModelDelegate<Row> = {
    findMany: async () => [],
    count: async () => 0,
    findFirst: async () => ({ id: 1, partId: 2 }),
    create: async () => ({ id: 1, partId: 2 }),
    update: async () => ({ id: 1, partId: 2 }),
    delete: async () => ({}),
    ...options.model,
  };
  const viewset = modelViewSet({
    name: 'Thing',
    model,
    provider: 'sqlite',
    serializer: {
      input: z.object({ part: primaryKeyRelatedField({ model: { count: options.partExists ?? (async () => 1) } }) }),
      output: z.object({ id: z.int(), part: z.int() }),
      toModel: ({ part }) => ({ partId: part }),
      represent: (row: Row) => ({ id: row.id, part: row.partId }),
    },
    permissions: [IsAuthenticated],
    pagination: pageNumberPagination({ pageSize: 10 }),
    protectedBy: { name: 'part', count: options.referring ?? (async () => 0) },
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
    const create = vi.fn().mockRejectedValue(foreignKeyViolation());
    const { http, errors } = app({ model: { create }, partExists });
    const response = await http.post('/things/').send({ part: 7 });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ part: ['Invalid pk "7" - object does not exist.'] });
    expect(partExists).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([]);
  });

  it('the same on update', async () => {
    const partExists = vi.fn().mockResolvedValueOnce(1).mockResolvedValue(0);
    const update = vi.fn().mockRejectedValue(foreignKeyViolation());
    const { http } = app({ model: { update }, partExists });
    const response = await http.patch('/things/1/').send({ part: 7 });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ part: ['Invalid pk "7" - object does not exist.'] });
  });

  it('a row still referred to answers 400 with how many refer to it', async () => {
    const { http } = app({ model: { delete: vi.fn().mockRejectedValue(foreignKeyViolation()) }, referring: async () => 3 });
    const response = await http.delete('/things/1/');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: 'Cannot delete this thing: it is referenced by 3 parts.' });
  });

  it('referring rows gone by the time they are counted: the delete is tried once more', async () => {
    const remove = vi.fn().mockRejectedValueOnce(foreignKeyViolation()).mockResolvedValue({});
    const { http } = app({ model: { delete: remove }, referring: async () => 0 });
    expect((await http.delete('/things/1/')).status).toBe(204);
    expect(remove).toHaveBeenCalledTimes(2);
  });

  it('a row deleted by someone else meanwhile is a 404', async () => {
    const gone = Object.assign(new Error('Record to delete does not exist.'), { code: 'P2025' });
    const { http } = app({ model: { delete: vi.fn().mockRejectedValue(gone) } });
    const response = await http.delete('/things/1/');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: 'Not found.' });
  });
});
