// DRF's ModelViewSet: list/create/retrieve/update/partial_update/destroy from one
// declaration. Every query goes through the declared scope (the queryset), so an
// object outside it is a 404 exactly like one that does not exist.
import type { z } from 'zod';
import { NotFound } from './errors.js';
import type { FilterBackend, OrderBy, Where } from './filters.js';
import type { Paginator } from './pagination.js';
import { validate } from './serializers.js';
import { checkPermissions, type Handler, type Policies, type RequestContext, type ViewSpec } from './views.js';

/** The part of a Prisma model delegate a viewset uses (`db.post`, `db.transaction`, …). */
export interface ModelDelegate<Row> {
  findMany(args: { where: Where; orderBy?: OrderBy; skip: number; take: number; include?: object }): Promise<Row[]>;
  count(args: { where: Where }): Promise<number>;
  findFirst(args: { where: Where; include?: object }): Promise<Row | null>;
  create(args: { data: never; include?: object }): Promise<Row>;
  update(args: { where: { id: number }; data: never; include?: object }): Promise<Row>;
  delete(args: { where: { id: number } }): Promise<unknown>;
}

export interface Serializer<Row, Input extends z.ZodObject> {
  /** The writable fields; read-only ones are simply absent, so clients cannot set them. */
  input: Input;
  /** The API representation of a row, fields in DRF's declared order. */
  represent(row: Row): unknown;
  /** API field names → model columns (e.g. amount → amountCents); identity when omitted. */
  toModel?(data: Partial<z.output<Input>>): Record<string, unknown>;
  /** Cross-field or database checks (DRF's validate()); throws ValidationError. */
  validate?(data: Partial<z.output<Input>>, ctx: RequestContext): Promise<void>;
}

export type Action = 'list' | 'create' | 'retrieve' | 'update' | 'partial_update' | 'destroy';
const allActions: readonly Action[] = ['list', 'create', 'retrieve', 'update', 'partial_update', 'destroy'];

export interface ModelViewSetOptions<Row, Input extends z.ZodObject> extends Partial<Policies> {
  /** Model name for view names ("Post" → "Post List", "Post Instance"). */
  name: string;
  model: ModelDelegate<Row>;
  provider: 'sqlite' | 'postgresql';
  serializer: Serializer<Row, Input>;
  /** Relations loaded for the representation (Prisma `include`). */
  include?: object;
  /** The queryset: rows the caller may see at all (e.g. only their own). */
  scope?: (ctx: RequestContext) => Where;
  pagination: Paginator;
  filters?: readonly FilterBackend[];
  /** Model columns set by the server on create (DRF's perform_create: owner = request.user). */
  onCreate?: (ctx: RequestContext) => Record<string, unknown>;
  actions?: readonly Action[];
}

export interface ViewSet {
  readonly name: string;
  readonly list: ViewSpec;
  readonly detail: ViewSpec;
  /** Declarations the OpenAPI document is derived from. */
  readonly options: ModelViewSetOptions<unknown, z.ZodObject>;
}

/** A URL id that is not a positive integer names no object: 404, as get_object_or_404. */
export function parsePk(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw new NotFound();
  return Number(raw);
}

/** Prisma's P2025: the row was deleted between our read and our write — a 404, not a 500. */
function goneIsNotFound(error: unknown): never {
  if ((error as { code?: unknown }).code === 'P2025') throw new NotFound();
  throw error;
}

export function modelViewSet<Row, Input extends z.ZodObject>(options: ModelViewSetOptions<Row, Input>): ViewSet {
  const { model, serializer, include, pagination, provider } = options;
  const filters = options.filters ?? [];
  const actions = new Set(options.actions ?? allActions);
  const toModel = serializer.toModel ?? ((data) => data as Record<string, unknown>);
  const scope = (ctx: RequestContext): Where => options.scope?.(ctx) ?? {};

  async function filteredQuery(ctx: RequestContext): Promise<{ where: Where; orderBy: OrderBy }> {
    const env = { ctx, provider };
    const conditions = [scope(ctx)];
    let orderBy: OrderBy = [];
    for (const backend of filters) {
      const where = await backend.where?.(env);
      if (where) conditions.push(where);
      orderBy = backend.orderBy?.(env) ?? orderBy;
    }
    return { where: { AND: conditions }, orderBy };
  }

  /** DRF's get_object: scoped lookup, then object permissions. */
  async function getObject(ctx: RequestContext): Promise<Row> {
    const id = parsePk(ctx.req.params.pk);
    const row = await model.findFirst({ where: { AND: [scope(ctx), { id }] }, ...(include ? { include } : {}) });
    if (row === null) throw new NotFound();
    await checkPermissions(ctx, row);
    return row;
  }

  async function input(ctx: RequestContext, partial: boolean) {
    const data = validate(serializer.input, ctx.data(), { partial }) as Partial<z.output<Input>>;
    await serializer.validate?.(data, ctx);
    return toModel(data);
  }

  const list: Handler = async (ctx) => {
    const { where, orderBy } = await filteredQuery(ctx);
    const page = await pagination.paginate(
      ctx,
      {
        count: () => model.count({ where }),
        fetch: (skip, take) => model.findMany({ where, orderBy, skip, take, ...(include ? { include } : {}) }),
      },
      (row) => serializer.represent(row),
    );
    return { body: page };
  };

  const create: Handler = async (ctx) => {
    const data = { ...(await input(ctx, false)), ...options.onCreate?.(ctx) };
    const row = await model.create({ data: data as never, ...(include ? { include } : {}) });
    return { status: 201, body: serializer.represent(row) };
  };

  const update = (partial: boolean): Handler => async (ctx) => {
    const { id } = (await getObject(ctx)) as { id: number };
    const data = await input(ctx, partial);
    const row = await model.update({ where: { id }, data: data as never, ...(include ? { include } : {}) }).catch(goneIsNotFound);
    return { body: serializer.represent(row) };
  };

  const handlersFor = (entries: [Action, keyof ViewSpec['handlers'], Handler][]) =>
    Object.fromEntries(entries.filter(([action]) => actions.has(action)).map(([, method, handler]) => [method, handler]));

  const policies: Partial<Policies> = {
    ...(options.authenticators ? { authenticators: options.authenticators } : {}),
    ...(options.permissions ? { permissions: options.permissions } : {}),
    ...(options.throttles ? { throttles: options.throttles } : {}),
  };

  return {
    name: options.name,
    options: options as unknown as ModelViewSetOptions<unknown, z.ZodObject>,
    list: {
      ...policies,
      name: `${options.name} List`,
      handlers: handlersFor([
        ['list', 'GET', list],
        ['create', 'POST', create],
      ]),
    },
    detail: {
      ...policies,
      name: `${options.name} Instance`,
      handlers: handlersFor([
        ['retrieve', 'GET', async (ctx) => ({ body: serializer.represent(await getObject(ctx)) })],
        ['update', 'PUT', update(false)],
        ['partial_update', 'PATCH', update(true)],
        [
          'destroy',
          'DELETE',
          async (ctx) => {
            const { id } = (await getObject(ctx)) as { id: number };
            await model.delete({ where: { id } }).catch(goneIsNotFound);
            return { status: 204 };
          },
        ],
      ]),
    },
  };
}
