// Debian's Chromium for the browser tests (playwright-core): a throw-away profile, and every
// request to another host refused and recorded, so a test can assert nothing left this server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { projectRoot } from '../../src/config.js';
import { chromiumPath } from './global-setup.js';

/** Where screenshots are kept (gitignored). */
export const artifacts = join(projectRoot, 'test-artifacts');

export interface TestBrowser {
  context: BrowserContext;
  /** URLs of other hosts the pages asked for (refused). */
  offHost: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const offHost: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
  mkdirSync(artifacts, { recursive: true });
  return {
    context,
    offHost,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
