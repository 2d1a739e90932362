// DRF's ModelViewSet: list/create/retrieve/update/partial_update/destroy from one
// declaration. Every query goes through the declared scope (the queryset), so an
// object outside it is a 404 exactly like one that does not exist.
import type { z } from 'zod';
import { all, and, eq, MissingReference, RowGone, type ColumnOf, type Condition, type FieldOf, type Ordering, type Table } from '../data/index.js';
import { NotFound } from '../errors.js';
import { parsePrimaryKey } from '../fields/index.js';
import type { FilterBackend } from '../filters/index.js';
import { serializerInfo } from './metadata.js';
import type { Paginator } from '../pagination/index.js';
import { partialOf, validateRequest } from '../serializers/index.js';
import { representer, toColumns, type ModelSerializer, type NoSources, type Sources } from '../serializers/model.js';
import { checkPermissions } from './api-view.js';
import type { Handler, HttpMethod, OperationDocs, ParameterDocs, Policies, Reply, RequestContext, ViewForm, ViewSpec } from '../types.js';

export type Action = 'list' | 'create' | 'retrieve' | 'update' | 'partial_update' | 'destroy';

/** A row a viewset serves: every model has an integer primary key. */
export type ModelRow = { id: number };

export interface ModelViewSetOptions<
  Row extends ModelRow,
  Input extends z.ZodObject,
  Output extends z.ZodObject,
  S extends Sources<Row, Input, Output> = NoSources,
> extends Partial<Policies> {
  /** Model name for view names ("Post" → "Post List", "Post Instance"). */
  name: string;
  /** The table (its related fields for the representation joined in). */
  table: Table<Row>;
  serializer: ModelSerializer<Row, Input, Output, S>;
  /** The queryset: rows the caller may see at all (e.g. only their own). */
  scope?: (ctx: RequestContext) => Condition<FieldOf<Row>>;
  pagination: Paginator;
  /** Filters on fields of Row (a filter on any other field does not compile). */
  filters?: readonly FilterBackend<FieldOf<Row>>[];
  /** Columns set by the server on create (DRF's perform_create: owner = request.user). */
  onCreate?: (ctx: RequestContext) => { readonly [Column in ColumnOf<Row>]?: Row[Column] };
}

/**
 * The OwnedModel mixin: a row belongs to the user who created it (`column` is set from
 * the caller) and each caller's queryset is their own rows only. It fits any table with
 * that column, checked where the viewset's row type is known.
 */
export function ownedBy<Column extends string>(column: Column) {
  return {
    scope: (ctx: RequestContext): Condition<Column> => eq(column, ctx.requireUser.id),
    onCreate: (ctx: RequestContext) => ({ [column]: ctx.requireUser.id }) as Record<Column, number>,
  };
}

export interface ViewSet {
  readonly name: string;
  readonly list: ViewSpec;
  readonly detail: ViewSpec;
}

/**
 * A URL id as get_object_or_404 looks it up, with Python's int() (so `٣`, `+3` and `%203` name
 * object 3); one that int() refuses, or that no row can have, is 404.
 */
export function parsePk(raw: unknown): number {
  const id = typeof raw === 'string' ? (parsePrimaryKey(raw)?.id ?? null) : null;
  if (id === null) throw new NotFound();
  return id;
}

/** The row was deleted between our read and our write: a 404, not a 500. */
function goneIsNotFound(error: unknown): never {
  if (error instanceof RowGone) throw new NotFound();
  throw error;
}

/** What the handlers of one viewset share, resolved once when the app is built. */
interface Model<Row extends ModelRow> {
  table: Table<Row>;
  input: z.ZodObject;
  represent: (row: Row) => Record<string, unknown>;
  toColumns: (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  defaults: Readonly<Record<string, unknown>> | undefined;
  scope: (ctx: RequestContext) => Condition<FieldOf<Row>>;
  filters: readonly FilterBackend<FieldOf<Row>>[];
  pagination: Paginator;
  onCreate: ((ctx: RequestContext) => Readonly<Record<string, unknown>>) | undefined;
}

/** The list's query: the scope and every filter's condition, the last ordering given. */
async function filteredQuery<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<{ where: Condition<FieldOf<Row>>; orderBy: Ordering<FieldOf<Row>>[] }> {
  const env = { ctx };
  const conditions = [model.scope(ctx)];
  let orderBy: Ordering<FieldOf<Row>>[] = [];
  for (const backend of model.filters) {
    const where = await backend.where?.(env);
    if (where) conditions.push(where);
    orderBy = backend.orderBy?.(env) ?? orderBy;
  }
  return { where: and(...conditions), orderBy };
}

/** DRF's get_object: scoped lookup, then object permissions. */
async function getObject<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<Row> {
  const id = parsePk(ctx.req.params.id);
  const row = await model.table.find(and(model.scope(ctx), eq('id', id)));
  if (row === null) throw new NotFound();
  await checkPermissions(ctx, row);
  return row;
}

/** The validated body, as the columns it is written to. */
async function input<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext, partial: boolean): Promise<Record<string, unknown>> {
  return model.toColumns(await validateRequest(model.input, ctx.data(), ctx, { partial }));
}

/**
 * Writes validated input. A related row deleted since validation makes the foreign key
 * refuse the write: validating again names the field, as if it had been gone all along.
 */
async function write<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext, partial: boolean, query: () => Promise<Row>): Promise<Row> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof MissingReference) await input(model, ctx, partial);
    throw error;
  }
}

// The actions, one function each, of the viewset's model (resolved once) and the request.

async function list<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<Reply> {
  const { where, orderBy } = await filteredQuery(model, ctx);
  const { table } = model;
  const page = await model.pagination.paginate(
    ctx,
    {
      count: () => table.count(where),
      page: (skip, take) => table.page(where, orderBy, skip, take),
    },
    model.represent,
  );
  return { body: page };
}

async function create<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<Reply> {
  const data = { ...model.defaults, ...(await input(model, ctx, false)), ...model.onCreate?.(ctx) };
  const row = await write(model, ctx, false, () => model.table.create(data));
  return { status: 201, body: model.represent(row) };
}

async function retrieve<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<Reply> {
  return { body: model.represent(await getObject(model, ctx)) };
}

async function update<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext, partial: boolean): Promise<Reply> {
  const { id } = await getObject(model, ctx);
  const data = await input(model, ctx, partial);
  const row = await write(model, ctx, partial, () => model.table.update(id, data).catch(goneIsNotFound));
  return { body: model.represent(row) };
}

async function destroy<Row extends ModelRow>(model: Model<Row>, ctx: RequestContext): Promise<Reply> {
  const { id } = await getObject(model, ctx);
  // DRF's perform_destroy. Rows that refer to it go with it or let go of it, as their foreign
  // keys say (Django's CASCADE, SET_NULL), in the same statement.
  await model.table.delete(id).catch(goneIsNotFound);
  return { status: 204 };
}

export function modelViewSet<Row extends ModelRow, Input extends z.ZodObject, Output extends z.ZodObject, S extends Sources<Row, Input, Output> = NoSources>(
  options: ModelViewSetOptions<Row, Input, Output, S>,
): ViewSet {
  const { name, serializer, pagination } = options;
  const filters = options.filters ?? [];
  const model: Model<Row> = {
    table: options.table,
    input: serializer.input,
    represent: representer(serializer),
    toColumns: toColumns(serializer),
    defaults: serializer.defaults,
    scope: options.scope ?? (() => all),
    filters,
    pagination,
    onCreate: options.onCreate,
  };

  // The OpenAPI description, named as drf-spectacular names its components.
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
    ['list', 'list', 'GET', (ctx) => list(model, ctx), { action: 'list', summary: `List ${many}`, parameters: listParameters, responses: { 200: page } }],
    ['create', 'list', 'POST', (ctx) => create(model, ctx), { summary: `Create ${one}`, request, responses: { 201: representation } }],
    ['retrieve', 'detail', 'GET', (ctx) => retrieve(model, ctx), { summary: `Retrieve ${one}`, parameters: byId, responses: { 200: representation } }],
    [
      'update',
      'detail',
      'PUT',
      (ctx) => update(model, ctx, false),
      { summary: `Replace ${one}`, parameters: byId, request, responses: { 200: representation } },
    ],
    [
      'partial_update',
      'detail',
      'PATCH',
      (ctx) => update(model, ctx, true),
      { summary: `Update part of ${one}`, parameters: byId, request: patchRequest, responses: { 200: representation } },
    ],
    [
      'destroy',
      'detail',
      'DELETE',
      (ctx) => destroy(model, ctx),
      { summary: `Delete ${one}`, parameters: byId, responses: { 204: null } },
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
  const detailForm: ViewForm = { method: 'PUT', fields, object: (ctx) => getObject(model, ctx) };

  return {
    name,
    list: { ...policies, name: `${name} List`, ...routeOf('list'), form: listForm },
    detail: { ...policies, name: `${name} Instance`, ...routeOf('detail'), form: detailForm },
  };
}
