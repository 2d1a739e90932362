// The browsable API as a project mounts it: the renderer every view offers after JSON, the
// login/logout pages (DRF's rest_framework.urls at /api-auth/) and the static files.
import type { RequestHandler } from 'express';
import { browsableApiAssets } from './assets.js';
import { loginPages, type LoginPagesOptions } from './login.js';
import { browsableApiRenderer, type BrowsablePages } from './page.js';
import type { Renderer, Route } from '../types.js';

export interface BrowsableApiOptions extends LoginPagesOptions {
  title: string;
  rootPath: string;
  /** The URL table, for breadcrumbs (read on the first page rendered). */
  routes: () => readonly Route[];
}

export function browsableApi(options: BrowsableApiOptions): { renderer: Renderer; assets: [string, RequestHandler][] } {
  const pages: BrowsablePages = {
    title: options.title,
    rootPath: options.rootPath,
    loginPath: '/api-auth/login/',
    logoutPath: '/api-auth/logout/',
    staticPath: '/static/rest_framework/',
  };
  return {
    renderer: browsableApiRenderer(pages, options.routes),
    assets: [...loginPages(pages, options), [pages.staticPath, browsableApiAssets]],
  };
}
