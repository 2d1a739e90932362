// Djoser 2's endpoints: the users viewset (register, me, set_password, set_username, list, detail) and
// token login/logout, with Djoser's serializers' fields, order and messages.
import { z } from 'zod';
import { NotFound, PermissionDenied, ValidationError } from '../../rest/errors.js';
import { charField, described, emailField } from '../../rest/fields/index.js';
import { orderingFilter } from '../../rest/filters/index.js';
import { pageNumberPagination, type PageQuery } from '../../rest/pagination/index.js';
import { IsAuthenticated, permission } from '../../rest/permissions/index.js';
import type { ParameterDocs } from '../../rest/openapi/index.js';
import { partialOf, validate, validateRequest } from '../../rest/serializers/index.js';
import { tokenKey, userFromCredentials, type AuthToken, type TokenService } from '../../rest/authentication/token.js';
import type { Authenticator } from '../../rest/authentication/index.js';
import { parsePk } from '../../rest/views/viewset.js';
import { postForm, serializerInfo } from '../../rest/views/metadata.js';
import type { Handler, RequestContext, ViewForm, ViewSpec } from '../../rest/views/api-view.js';
import { passwordErrors, type PasswordValidator } from './password-validation.js';
import {
  isValidUsername,
  requestUser,
  usernameMaxLength,
  usernameMessage,
  usernameTaken,
  UsernameTaken,
  type User,
  type Users,
} from './users.js';

const invalidPassword = 'Invalid password.';

// The serializers' representations, for the OpenAPI document; the email is blank when the user has none.
const email = z.string().max(254);
const username = z.string().max(usernameMaxLength);
const userResponse = z.object({ email, id: z.int(), username }).meta({ id: 'User' });
const userCreateResponse = z.object({ email, username, id: z.int() }).meta({ id: 'UserCreate' });
const tokenCreateResponse = z.object({ auth_token: tokenKey }).meta({ id: 'TokenCreate' });

/** The project's default pagination (refsite's StandardPageNumberPagination: PAGE_SIZE 10, ?page_size up to 100). */
const pagination = pageNumberPagination({ pageSize: 10, maxPageSize: 100 });
const userPage = pagination.pageSchema(userResponse).meta({ id: 'PaginatedUserList' });
/**
 * The project's default OrderingFilter on Djoser's list: with no ordering_fields, DRF orders by
 * the serializer's readable fields (UserSerializer: email, id, username). By id otherwise, as
 * Django's unordered User queryset comes in practice.
 */
const userOrdering = orderingFilter({ fields: ['email', 'id', 'username'], default: ['id'] });

/** Djoser's UserSerializer: REQUIRED_FIELDS + (USER_ID_FIELD, LOGIN_FIELD); only email is writable. */
const representUser = (user: User): z.output<typeof userResponse> => ({ email: user.email, id: user.id, username: user.username });
const userRequest = z.object({ email: emailField({ maxLength: 254, allowBlank: true }).optional() }).meta({ id: 'UserRequest' });
/**
 * UserSerializer as SimpleMetadata describes it, with the User model's labels and help text. OPTIONS
 * on every route of Djoser's UserViewSet shows these fields as its `actions` (the `metadata` action
 * gets the viewset's default serializer, even on set_password), and so do the browsable API's forms.
 */
const userSerializerFields = serializerInfo(
  z.object({ email: described(userRequest.shape.email, { label: 'Email address' }) }),
  z.object({
    email,
    id: z.int(),
    username: described(z.string(), { helpText: 'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.' }),
  }),
);

/** Djoser's UserCreateSerializer, whose representation is email, username, id. */
const userCreateRequest = z
  .object({
    email: emailField({ maxLength: 254, allowBlank: true }).optional(),
    username: charField({ maxLength: usernameMaxLength, validators: [(v) => (isValidUsername(v) ? undefined : usernameMessage)] }),
    password: charField(),
  })
  .meta({ id: 'UserCreateRequest' });

/** Djoser's TokenCreateSerializer: both fields optional, a missing one simply fails to log in. */
const tokenCreateRequest = z
  .object({ password: charField().optional(), username: charField().optional() })
  .meta({ id: 'TokenCreateRequest' });
const currentPasswordRequest = z.object({ current_password: charField() }).meta({ id: 'CurrentPasswordRequest' });
const setPasswordRequest = z.object({ new_password: charField(), current_password: charField() }).meta({ id: 'SetPasswordRequest' });
/** Djoser's SetUsernameSerializer: the model's username field, renamed new_username (so it comes last). */
const setUsernameRequest = z
  .object({ current_password: charField(), new_username: userCreateRequest.shape.username })
  .meta({ id: 'SetUsernameRequest' });

/** What a user detail route (by id, or /me/) accepts and answers; `description` is the OpenAPI document's only. */
function detailDocs(parameters: readonly ParameterDocs[], description: string): ViewSpec['docs'] {
  return {
    GET: { description, parameters, responses: { 200: userResponse } },
    PUT: { description, parameters, request: userRequest, responses: { 200: userResponse } },
    PATCH: { description, parameters, request: partialOf(userRequest).meta({ id: 'PatchedUserRequest' }), responses: { 200: userResponse } },
    DELETE: { description, parameters, request: currentPasswordRequest, responses: { 204: null } },
  };
}
const byPkParameter: ParameterDocs = {
  name: 'pk',
  in: 'path',
  description: 'A unique integer value identifying this user.',
  schema: { type: 'integer' },
  rejects: 404,
  example: 1,
};

interface DjoserDependencies {
  users: Users;
  tokens: TokenService;
  /** The token scheme: logging out revokes the token that authenticated the request. */
  tokenAuthentication: Authenticator;
  passwordValidators: readonly PasswordValidator[];
}

export function djoserViews({ users, tokens, tokenAuthentication, passwordValidators }: DjoserDependencies) {
  // UniqueValidator on the username, run once the field itself is valid.
  const registration = userCreateRequest.extend({
    username: userCreateRequest.shape.username.superRefine(async (username, issues) => {
      if (await users.usernameExists(username)) issues.addIssue({ code: 'custom', message: usernameTaken });
    }),
  });

  /** CurrentPasswordSerializer.validate_current_password: checked against the caller's password. */
  const currentPassword = (ctx: RequestContext) => ({
    current_password: charField().superRefine(async (password, issues) => {
      if (!(await users.checkPassword(ctx.requireUser.id, password))) issues.addIssue({ code: 'custom', message: invalidPassword });
    }),
  });

  // The model's UniqueValidator, on the username as given (set_username stores it so).
  const newUsername = setUsernameRequest.shape.new_username.superRefine(async (username, issues) => {
    if ((await users.byUsername(username)) !== null) issues.addIssue({ code: 'custom', message: usernameTaken });
  });

  /** The object of a detail route: Djoser's get_object, or the caller for /me/. */
  type Target = (ctx: RequestContext) => Promise<User>;
  const me: Target = async (ctx) => requestUser(ctx);
  // Djoser's get_object and CurrentUserOrAdmin: a non-admin reaches only their own account. With
  // HIDE_USERS, its permission_denied makes that refusal 404 for retrieve and update, but DELETE of
  // another existing user stays 403. The caller is already loaded, with every field the representation needs.
  const byPk: Target = async (ctx) => {
    const id = parsePk(ctx.req.params.pk);
    const caller = requestUser(ctx);
    if (caller.id === id) return caller;
    if (!caller.isStaff && ctx.method !== 'DELETE') throw new NotFound();
    const user = await users.byId(id);
    if (!user) throw new NotFound();
    if (!caller.isStaff) throw new PermissionDenied();
    return user;
  };

  /** Djoser's metadata action: CurrentUserOrAdmin (a user, and the object's owner or an admin), then UserSerializer. */
  const userForm = (method: ViewForm['method'], object: Target = me): ViewForm => ({
    method,
    fields: userSerializerFields,
    object,
  });

  const detailHandlers = (target: Target): ViewSpec['handlers'] => {
    const update: Handler = async (ctx) => {
      const user = await target(ctx);
      const { email } = validate(userRequest, ctx.data(), { partial: ctx.method === 'PATCH' });
      return { body: representUser(email === undefined ? user : await users.updateEmail(user.id, email)) };
    };
    return {
      GET: async (ctx) => ({ body: representUser(await target(ctx)) }),
      PUT: update,
      PATCH: update,
      // Djoser's UserDeleteSerializer; the account's tokens and sessions go with it.
      DELETE: async (ctx) => {
        const user = await target(ctx);
        await validateRequest(currentPasswordRequest.extend(currentPassword(ctx)), ctx.data(), ctx);
        await users.delete(user.id);
        return { status: 204 };
      },
    };
  };

  // The names and (empty) descriptions are DRF's get_view_name/get_view_description for Djoser's
  // UserViewSet, which has no docstring, as OPTIONS shows them; the OpenAPI document has its own.
  const userList: ViewSpec = {
    name: 'User List',
    form: userForm('POST'),
    // Djoser's per-action permissions: user_create is AllowAny, user_list needs a user.
    permissions: [permission({ hasPermission: (ctx) => ctx.method === 'POST' || ctx.user !== null })],
    handlers: {
      // Djoser's HIDE_USERS: staff list everyone, others only themselves (already loaded), in pages.
      GET: async (ctx) => {
        const caller = requestUser(ctx);
        const query: PageQuery<User> = caller.isStaff
          ? { count: () => users.count(), page: (skip, take) => users.page(userOrdering.orderBy!({ ctx }) ?? [], skip, take) }
          : { count: async () => 1, page: async (skip, take) => ({ count: 1, rows: [caller].slice(skip, skip + take) }) };
        return { body: await pagination.paginate(ctx, query, representUser) };
      },
      POST: async (ctx) => {
        const data = await validateRequest(registration, ctx.data(), ctx);
        const email = data.email ?? '';
        const errors = passwordErrors(passwordValidators, data.password, { username: data.username, email });
        if (errors.length > 0) throw new ValidationError({ password: errors });
        try {
          const user = await users.create({ username: data.username, email, password: data.password });
          return { status: 201, body: { email: user.email, username: user.username, id: user.id } satisfies z.output<typeof userCreateResponse> };
        } catch (error) {
          if (error instanceof UsernameTaken) throw new ValidationError({ username: [usernameTaken] });
          throw error;
        }
      },
    },
    docs: {
      GET: {
        action: 'list',
        description: 'Lists users: admins see everyone, others only themselves.',
        parameters: [...pagination.parameters, ...userOrdering.parameters],
        responses: { 200: userPage },
      },
      POST: { description: 'Registers a user (anyone may).', request: userCreateRequest, responses: { 201: userCreateResponse } },
    },
  };

  return {
    userList,
    userDetail: {
      name: 'User Instance',
      permissions: [IsAuthenticated],
      form: userForm('PUT', byPk),
      handlers: detailHandlers(byPk),
      docs: detailDocs([byPkParameter], 'A user by id: admins reach everyone, others only themselves (another user is 404; 403 to DELETE, as Djoser). DELETE needs current_password.'),
    } satisfies ViewSpec,
    me: {
      // An extra action's name: its function's, made pretty (DRF's @action default).
      name: 'Me',
      permissions: [IsAuthenticated],
      form: userForm('PUT', me),
      handlers: detailHandlers(me),
      docs: detailDocs([], 'The authenticated user: read, change the email, or delete the account (with current_password).'),
    } satisfies ViewSpec,
    setPassword: {
      name: 'Set password',
      permissions: [IsAuthenticated],
      form: userForm('POST'),
      handlers: {
        POST: async (ctx) => {
          const user = requestUser(ctx);
          const { new_password } = await validateRequest(setPasswordRequest.extend(currentPassword(ctx)), ctx.data(), ctx);
          const errors = passwordErrors(passwordValidators, new_password, user);
          if (errors.length > 0) throw new ValidationError({ new_password: errors });
          await users.setPassword(user.id, new_password);
          return { status: 204 };
        },
      },
      docs: {
        POST: {
          description: "Changes the caller's password. Every token, session and refresh token of the user is revoked.",
          request: setPasswordRequest,
          responses: { 204: null },
        },
      },
    } satisfies ViewSpec,
    setUsername: {
      name: 'Set username',
      permissions: [IsAuthenticated],
      form: userForm('POST'),
      handlers: {
        POST: async (ctx) => {
          const user = requestUser(ctx);
          const { new_username } = await validateRequest(
            setUsernameRequest.extend({ ...currentPassword(ctx), new_username: newUsername }),
            ctx.data(),
            ctx,
          );
          try {
            await users.setUsername(user.id, new_username);
          } catch (error) {
            if (error instanceof UsernameTaken) throw new ValidationError({ new_username: [usernameTaken] });
            throw error;
          }
          return { status: 204 };
        },
      },
      docs: {
        POST: { description: "Changes the caller's username (current_password confirms it).", request: setUsernameRequest, responses: { 204: null } },
      },
    } satisfies ViewSpec,
    tokenLogin: {
      name: 'Token Create',
      description: 'Use this endpoint to obtain user authentication token.',
      form: postForm(tokenCreateRequest),
      handlers: {
        POST: async (ctx) => {
          const user = await userFromCredentials(ctx, users, tokenCreateRequest);
          await users.recordLogin(user.id);
          return { body: { auth_token: await tokens.issue(user.id) } satisfies z.output<typeof tokenCreateResponse> };
        },
      },
      docs: { POST: { request: tokenCreateRequest, responses: { 200: tokenCreateResponse } } },
    } satisfies ViewSpec,
    tokenLogout: {
      name: 'Token Destroy',
      description: 'Use this endpoint to logout user (remove user authentication token).',
      permissions: [IsAuthenticated],
      handlers: {
        POST: async (ctx) => {
          if (ctx.authenticator === tokenAuthentication) await tokens.revoke(ctx.auth as AuthToken);
          else await tokens.revokeAllOf(ctx.requireUser.id);
          return { status: 204 };
        },
      },
      docs: {
        POST: {
          description:
            "Use this endpoint to logout user (remove user authentication token). Revokes the token that authenticated the request; with another scheme, all of the user's tokens.",
          responses: { 204: null },
        },
      },
    } satisfies ViewSpec,
  };
}
