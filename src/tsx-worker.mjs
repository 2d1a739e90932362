// Where a worker thread starts when the server runs from source (`node --import tsx
// src/server.ts`, tests, `npm run dev`): Node 20 does not carry tsx's loader into worker
// threads, so this registers it, then runs the server module as a built worker would.
import { URL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
await import(new URL('./server.ts', import.meta.url).href);
