// DRF's ModelViewSet: list/create/retrieve/update/partial_update/destroy from one
// declaration. Every query goes through the declared scope (the queryset), so an
// object outside it is a 404 exactly like one that does not exist.
import type { z } from 'zod';
import { all, and, eq, MissingReference, RowGone, StillReferenced, type Condition, type Ordering, type Table } from '../data/index.js';
import { NotFound, ValidationError } from '../errors.js';
import { maxAutoId } from '../fields/index.js';
import type { FilterBackend } from '../filters/index.js';
import { serializerInfo } from './metadata.js';
import { errorDetail } from '../openapi/index.js';
import type { Paginator } from '../pagination/index.js';
import { partialOf, validateRequest, type Validated } from '../serializers/index.js';
import { checkPermissions } from './api-view.js';
import type { Handler, HttpMethod, OperationDocs, ParameterDocs, Policies, RequestContext, ViewForm, ViewSpec } from '../types.js';

export interface Serializer<Row, Input extends z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  /** The writable fields; read-only ones are simply absent, so clients cannot set them. */
  input: Input;
  /** Every field of the representation (what represent() returns, checked by the compiler), for the OpenAPI document. */
  output: Output;
  /** The API representation of a row, fields in DRF's declared order. */
  represent(row: Row): z.output<Output>;
  /** API field names → table columns (e.g. amount → amount_cents); identity when omitted. */
  toModel?(data: Partial<Validated<Input>>): Record<string, unknown>;
  /** Model columns a create sets when the body leaves their field out (Django's field defaults, e.g. blank text). */
  defaults?: Record<string, unknown>;
}

export type Action = 'list' | 'create' | 'retrieve' | 'update' | 'partial_update' | 'destroy';

export interface ModelViewSetOptions<Row, Input extends z.ZodObject, Output extends z.ZodObject> extends Partial<Policies> {
  /** Model name for view names ("Post" → "Post List", "Post Instance"). */
  name: string;
  /** The table (its related fields for the representation joined in). */
  table: Table<Row>;
  serializer: Serializer<Row, Input, Output>;
  /** The queryset: rows the caller may see at all (e.g. only their own). */
  scope?: (ctx: RequestContext) => Condition;
  pagination: Paginator;
  filters?: readonly FilterBackend[];
  /** Columns set by the server on create (DRF's perform_create: owner = request.user). */
  onCreate?: (ctx: RequestContext) => Record<string, unknown>;
  /**
   * Rows of another model that refer to this one and forbid deleting it (Django's
   * on_delete=PROTECT, enforced by the foreign key): `name` is their model's, `count`
   * how many refer to a row. Deleting such a row answers 400 instead of a server error.
   */
  protectedBy?: { name: string; count: (id: number) => Promise<number> };
}

/**
 * The OwnedModel mixin: a row belongs to the user who created it (`column` is set from
 * the caller) and each caller's queryset is their own rows only.
 */
export function ownedBy(column: string): Required<Pick<ModelViewSetOptions<unknown, z.ZodObject, z.ZodObject>, 'scope' | 'onCreate'>> {
  return {
    scope: (ctx) => eq(column, ctx.requireUser.id),
    onCreate: (ctx) => ({ [column]: ctx.requireUser.id }),
  };
}

export interface ViewSet {
  readonly name: string;
  readonly list: ViewSpec;
  readonly detail: ViewSpec;
}

/** A URL id that is not a positive integer within the id column names no object: 404, as get_object_or_404. */
export function parsePk(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,10}$/.test(raw) || Number(raw) > maxAutoId) throw new NotFound();
  return Number(raw);
}

/** The row was deleted between our read and our write: a 404, not a 500. */
function goneIsNotFound(error: unknown): never {
  if (error instanceof RowGone) throw new NotFound();
  throw error;
}

export function modelViewSet<Row, Input extends z.ZodObject, Output extends z.ZodObject>(
  options: ModelViewSetOptions<Row, Input, Output>,
): ViewSet {
  const { table, serializer, pagination } = options;
  const filters = options.filters ?? [];
  const toModel = serializer.toModel ?? ((data) => data as Record<string, unknown>);
  const { protectedBy } = options;
  const scope = (ctx: RequestContext): Condition => options.scope?.(ctx) ?? all;

  async function filteredQuery(ctx: RequestContext): Promise<{ where: Condition; orderBy: Ordering[] }> {
    const env = { ctx };
    const conditions = [scope(ctx)];
    let orderBy: Ordering[] = [];
    for (const backend of filters) {
      const where = await backend.where?.(env);
      if (where) conditions.push(where);
      orderBy = backend.orderBy?.(env) ?? orderBy;
    }
    return { where: and(...conditions), orderBy };
  }

  /** DRF's get_object: scoped lookup, then object permissions. */
  async function getObject(ctx: RequestContext): Promise<Row> {
    const id = parsePk(ctx.req.params.id);
    const row = await table.find(and(scope(ctx), eq('id', id)));
    if (row === null) throw new NotFound();
    await checkPermissions(ctx, row);
    return row;
  }

  async function input(ctx: RequestContext, partial: boolean) {
    const data: Partial<Validated<Input>> = await validateRequest(serializer.input, ctx.data(), ctx, { partial });
    return toModel(data);
  }

  /**
   * Writes validated input. A related row deleted since validation makes the foreign key
   * refuse the write: validating again names the field, as if it had been gone all along.
   */
  async function write<T>(ctx: RequestContext, partial: boolean, query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof MissingReference) await input(ctx, partial);
      throw error;
    }
  }

  /** DRF's perform_destroy; rows still referred to (protectedBy) answer 400, however the race goes. */
  async function performDestroy(id: number, retried = false): Promise<void> {
    try {
      await table.delete(id);
    } catch (error) {
      if (!(error instanceof StillReferenced) || !protectedBy) return goneIsNotFound(error);
      const count = await protectedBy.count(id);
      // The referring rows went away in the meantime: the delete may go through now.
      if (count === 0 && !retried) return performDestroy(id, true);
      throw new ValidationError(
        `Cannot delete this ${options.name.toLowerCase()}: it is referenced by ${count} ${protectedBy.name}${count === 1 ? '' : 's'}.`,
      );
    }
  }

  const list: Handler = async (ctx) => {
    const { where, orderBy } = await filteredQuery(ctx);
    const page = await pagination.paginate(
      ctx,
      {
        count: () => table.count(where),
        fetch: (skip, take) => table.list(where, orderBy, skip, take),
      },
      (row) => serializer.represent(row),
    );
    return { body: page };
  };

  const create: Handler = async (ctx) => {
    const data = { ...serializer.defaults, ...(await input(ctx, false)), ...options.onCreate?.(ctx) };
    const row = await write(ctx, false, () => table.create(data));
    return { status: 201, body: serializer.represent(row) };
  };

  const update = (partial: boolean): Handler => async (ctx) => {
    const { id } = (await getObject(ctx)) as { id: number };
    const data = await input(ctx, partial);
    const row = await write(ctx, partial, () => table.update(id, data).catch(goneIsNotFound));
    return { body: serializer.represent(row) };
  };

  const retrieve: Handler = async (ctx) => ({ body: serializer.represent(await getObject(ctx)) });

  const destroy: Handler = async (ctx) => {
    const { id } = (await getObject(ctx)) as { id: number };
    await performDestroy(id);
    return { status: 204 };
  };

  // The OpenAPI description, named as drf-spectacular names its components.
  const { name } = options;
  const representation = serializer.output.meta({ id: name });
  const request = serializer.input.meta({ id: `${name}Request` });
  const patchRequest = partialOf(serializer.input).meta({ id: `Patched${name}Request` });
  const page = pagination.pageSchema(representation).meta({ id: `Paginated${name}List` });
  const byId: ParameterDocs[] = [
    {
      name: 'id',
      in: 'path',
      description: `A unique integer value identifying this ${name.toLowerCase()}.`,
      schema: { type: 'integer' },
      rejects: 404,
      example: 1,
    },
  ];
  const listParameters = [...pagination.parameters, ...filters.flatMap((backend) => backend.parameters)];

  // Each action: its route, method, handler and docs.
  const one = `a ${name.toLowerCase()}`;
  const many = `${name.toLowerCase()}s`;
  const operations: [Action, 'list' | 'detail', HttpMethod, Handler, OperationDocs][] = [
    ['list', 'list', 'GET', list, { action: 'list', summary: `List ${many}`, parameters: listParameters, responses: { 200: page } }],
    ['create', 'list', 'POST', create, { summary: `Create ${one}`, request, responses: { 201: representation } }],
    ['retrieve', 'detail', 'GET', retrieve, { summary: `Retrieve ${one}`, parameters: byId, responses: { 200: representation } }],
    ['update', 'detail', 'PUT', update(false), { summary: `Replace ${one}`, parameters: byId, request, responses: { 200: representation } }],
    [
      'partial_update',
      'detail',
      'PATCH',
      update(true),
      { summary: `Update part of ${one}`, parameters: byId, request: patchRequest, responses: { 200: representation } },
    ],
    [
      'destroy',
      'detail',
      'DELETE',
      destroy,
      { summary: `Delete ${one}`, parameters: byId, responses: protectedBy ? { 204: null, 400: errorDetail } : { 204: null } },
    ],
  ];
  const routeOf = (route: 'list' | 'detail') => {
    const enabled = operations.filter(([, r]) => r === route);
    return {
      handlers: Object.fromEntries(enabled.map(([, , method, handler]) => [method, handler])),
      docs: Object.fromEntries(enabled.map(([, , method, , docs]) => [method, docs])),
    };
  };

  const policies: Partial<Policies> = {
    ...(options.authenticators ? { authenticators: options.authenticators } : {}),
    ...(options.permissions ? { permissions: options.permissions } : {}),
    ...(options.throttles ? { throttles: options.throttles } : {}),
  };

  // OPTIONS `actions` and the browsable API's forms: POST on the list, PUT on an object.
  const fields = serializerInfo(serializer.input, serializer.output);
  const listForm: ViewForm = { method: 'POST', fields };
  const detailForm: ViewForm = { method: 'PUT', fields, object: getObject };

  return {
    name,
    list: { ...policies, name: `${name} List`, ...routeOf('list'), form: listForm },
    detail: { ...policies, name: `${name} Instance`, ...routeOf('detail'), form: detailForm },
  };
}
