// DRF's BrowsableAPIRenderer: the answer as an HTML page for a person with a browser. The
// response with its status line and headers, links made clickable, pagination links, the
// formats, a login or logout link, and forms for the writes the caller may make (built from the
// serializer's fields, as OPTIONS describes them). Only requests that chose HTML pay for any of it.
import { STATUS_CODES } from 'node:http';
import { readCookie } from '../authentication/cookies.js';
import { mayPerform } from '../views/api-view.js';
import { urlResolver, type Resolved } from '../views/router.js';
import { preservedFormatQuery } from '../renderers/negotiation.js';
import { html, type Html } from './html.js';
import type { FieldInfo, HttpMethod, RenderContext, Renderer, RequestContext, Route, ViewForm, ViewSpec } from '../types.js';

export interface BrowsablePages {
  /** Shown in the navigation bar and the titles. */
  title: string;
  /** The API root the brand links to ('/api/'). */
  rootPath: string;
  loginPath: string;
  logoutPath: string;
  /** Where the stylesheet and the script are served ('/static/rest_framework/'). */
  staticPath: string;
}

/** The frame every page shares; `nav` is the right of the navigation bar (login or logout). */
export function layout(pages: BrowsablePages, title: string, content: Html, nav?: Html): string {
  return `<!DOCTYPE html>\n${html`<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} – ${pages.title}</title>
  <link rel="stylesheet" href="${pages.staticPath}browsable-api.css">
  <script src="${pages.staticPath}browsable-api.js" defer></script>
</head>
<body>
  <header class="navbar"><a class="brand" href="${pages.rootPath}">${pages.title}</a><nav class="user">${nav}</nav></header>
  <main>${content}</main>
</body>
</html>`.text}\n`;
}

// A JSON string holding an absolute http(s) URL (no quote or backslash inside: no escape to undo).
const urlString = /"(https?:\/\/[^"\\\s]+)"/g;

/** The body pretty-printed as DRF does (indent 4), each URL in it a link. */
function prettyBody(body: unknown): Html[] {
  const text = JSON.stringify(body, null, 4);
  const parts: Html[] = [];
  let last = 0;
  for (const match of text.matchAll(urlString)) {
    parts.push(html`${text.slice(last, match.index)}"<a href="${match[1]}" rel="nofollow">${match[1]}</a>"`);
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return parts;
}

/**
 * DRF's get_breadcrumbs: the path itself, then each shorter one (without its trailing slash, then
 * up to the previous slash), every one that resolves to a view other than the last one listed,
 * linked with the request's `format` parameter kept (`/api/posts/5.api` → Api Root › Post List › Post Instance).
 */
function breadcrumbResolver(routes: () => readonly Route[]) {
  let resolve: ((path: string) => Resolved<ViewSpec> | null) | undefined;
  return (path: string, formatQuery: string): { href: string; name: string }[] => {
    resolve ??= urlResolver(routes(), ([, view]) => view);
    const crumbs: { href: string; name: string }[] = [];
    let last: ViewSpec | undefined;
    for (let url = path; url !== ''; url = url.endsWith('/') ? url.replace(/\/+$/, '') : url.slice(0, url.lastIndexOf('/') + 1)) {
      const view = resolve(url)?.value;
      if (view && view !== last) {
        crumbs.unshift({ href: `${url}${formatQuery}`, name: view.name });
        last = view;
      }
    }
    return crumbs;
  };
}

/** The value a form field starts with. */
function initialValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function input(name: string, info: FieldInfo, value: string): Html {
  const id = `field-${name}`;
  switch (info.type) {
    case 'string':
      return info.max_length === undefined
        ? html`<textarea id="${id}" name="${name}">${value}</textarea>`
        : html`<input type="text" id="${id}" name="${name}" maxlength="${info.max_length}" value="${value}">`;
    case 'email':
      return html`<input type="email" id="${id}" name="${name}" value="${value}">`;
    case 'integer':
      return html`<input type="number" id="${id}" name="${name}" value="${value}">`;
    case 'decimal':
      return html`<input type="text" inputmode="decimal" id="${id}" name="${name}" value="${value}">`;
    case 'datetime':
      return html`<input type="text" id="${id}" name="${name}" placeholder="YYYY-MM-DDThh:mm[:ss][Z]" value="${value}">`;
    default:
      return html`<input type="text" id="${id}" name="${name}" value="${value}">`;
  }
}

interface FormState {
  url: string;
  csrfToken: string;
  /** Values to start from (the object for PUT, the rejected submission after a 400). */
  values: Record<string, unknown>;
  /** Field errors of a rejected submission. */
  errors: Record<string, unknown>;
}

/** DRF's two forms for a write: the fields (sent as multipart) and the raw body. */
function writeForms(form: ViewForm, state: FormState, name: string): Html {
  const writable = form.fields.filter(([, info]) => !info.read_only);
  const fields = writable.map(([field, info]) => {
    const errors = state.errors[field];
    return html`<div class="field">
  <label for="field-${field}">${info.label}</label>
  ${input(field, info, initialValue(state.values[field]))}
  ${Array.isArray(errors) ? html`<ul class="errors">${errors.map((error) => html`<li>${String(error)}</li>`)}</ul>` : ''}
</div>`;
  });
  const raw = JSON.stringify(Object.fromEntries(writable.map(([field]) => [field, state.values[field] ?? ''])), null, 4);
  // A POST is an ordinary form submission; PUT and PATCH go through the script (browsers send no such forms).
  const htmlMethod = form.method === 'POST' ? '' : form.method;
  const rawMethods: HttpMethod[] = form.method === 'POST' ? ['POST'] : ['PUT', 'PATCH'];
  return html`<section class="forms">
<form class="html-form" method="post" action="${state.url}" enctype="multipart/form-data" data-method="${htmlMethod || null}" novalidate>
  <fieldset>
    <legend>HTML form</legend>
    <input type="hidden" name="csrfmiddlewaretoken" value="${state.csrfToken}">
    ${fields}
    <div class="form-actions"><button class="btn" type="submit" title="Make a ${form.method} request on the ${name} resource">${form.method}</button></div>
  </fieldset>
</form>
<form class="raw-form" method="post" action="${state.url}">
  <fieldset>
    <legend>Raw data</legend>
    <div class="field">
      <label for="raw-content-type">Media type</label>
      <select id="raw-content-type" name="_content_type">
        <option value="application/json" selected>application/json</option>
        <option value="application/x-www-form-urlencoded">application/x-www-form-urlencoded</option>
      </select>
    </div>
    <div class="field">
      <label for="raw-content">Content</label>
      <textarea id="raw-content" name="_content" rows="10">${raw}</textarea>
    </div>
    <div class="form-actions">${rawMethods.map((method) => html`<button class="btn" type="submit" data-method="${method}">${method}</button>`)}</div>
  </fieldset>
</form>
</section>`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The submitted body when it could be read (to show it again with its errors). */
function submitted(ctx: RequestContext): Record<string, unknown> {
  try {
    const data = ctx.data();
    return isRecord(data) ? data : {};
  } catch {
    return {};
  }
}

async function forms(ctx: RequestContext, form: ViewForm | undefined, status: number, body: unknown, name: string): Promise<Html | null> {
  if (!form || !(await mayPerform(ctx, form.method, form.object))) return null;
  const url = ctx.req.originalUrl;
  const csrfToken = readCookie(ctx.req, 'csrftoken') ?? '';
  const rejected = ctx.method === form.method && status === 400 && isRecord(body);
  const values = rejected ? submitted(ctx) : form.method === 'PUT' && status === 200 && isRecord(body) ? body : {};
  return writeForms(form, { url, csrfToken, values, errors: rejected ? body : {} }, name);
}

export function browsableApiRenderer(pages: BrowsablePages, routes: () => readonly Route[]): Renderer {
  const breadcrumbs = breadcrumbResolver(routes);
  return {
    mediaType: 'text/html',
    format: 'api',
    contentType: 'text/html; charset=utf-8',
    async render(body, { ctx, view, status, headers }: RenderContext) {
      const { req } = ctx;
      const path = req.path;
      const url = req.originalUrl;
      const withFormat = (format: string) => `${path}?${ctx.query.with({ format })}`;
      const shown = { ...headers, 'Content-Type': 'application/json' };
      const headerLines = Object.keys(shown)
        .sort()
        .map((header) => html`<b>${header}:</b> ${shown[header as keyof typeof shown]}\n`);
      const form = view.form;
      const deletable = view.handlers.DELETE !== undefined && (await mayPerform(ctx, 'DELETE', form?.object));
      const page = isRecord(body) && 'next' in body && 'previous' in body ? body : null;
      const link = (href: unknown, label: string) =>
        typeof href === 'string' ? html`<a class="btn secondary" href="${href}" rel="nofollow">${label}</a>` : html`<span class="disabled">${label}</span>`;
      const next = encodeURIComponent(path);
      const nav = ctx.user
        ? html`<span class="username">${ctx.user.username}</span><a href="${pages.logoutPath}?next=${next}">Log out</a>`
        : html`<a href="${pages.loginPath}?next=${next}">Log in</a>`;
      const content = html`
<ol class="breadcrumb">${breadcrumbs(path, preservedFormatQuery(ctx.query)).map(({ href, name }) => html`<li><a href="${href}">${name}</a></li>`)}</ol>
<div class="toolbar">
  ${view.handlers.GET ? html`<a class="btn" href="${url}" rel="nofollow">GET</a>` : ''}
  ${(ctx.policies.renderers ?? []).map((renderer) => html`<a class="btn secondary" href="${withFormat(renderer.format)}" rel="nofollow">${renderer.format}</a>`)}
  <form action="${url}" data-method="OPTIONS"><button class="btn secondary" type="submit">OPTIONS</button></form>
  ${deletable ? html`<form action="${url}" data-method="DELETE"><button class="btn danger" type="submit">DELETE</button></form>` : ''}
</div>
<h1>${view.name}</h1>
${view.description ? html`<div class="description">${view.description}</div>` : ''}
${page ? html`<nav class="pagination" aria-label="pagination">${link(page.previous, '« Previous')}${link(page.next, 'Next »')}</nav>` : ''}
<pre class="request"><b>${ctx.req.method}</b> ${url}</pre>
<pre class="response"><span class="meta"><b>HTTP ${status} ${STATUS_CODES[status] ?? ''}</b>
${headerLines}</span>${body === undefined ? '' : html`\n${prettyBody(body)}`}</pre>
${await forms(ctx, form, status, body, view.name)}`;
      return layout(pages, view.name, content, nav);
    },
  };
}
