// Probes for load balancers and orchestrators: /healthz says the process answers,
// /readyz that each dependency (the database, Redis) answers too, else 503. Neither
// authenticates nor throttles: a probe must never use up a client's quota or need a token.
import type { Request } from 'express';
import { z } from 'zod';
import { AllowAny } from '../permissions/index.js';
import type { Route, ViewSpec } from '../types.js';

/** A dependency's check: resolves when it answers, rejects (or hangs) otherwise. */
export type Probe = () => Promise<unknown>;

export interface HealthOptions {
  /** Checked by the readiness probe, by name (`database`, `redis`). */
  probes: Record<string, Probe>;
  /** A probe that has not answered by then counts as down. */
  timeoutMs?: number;
  /** Told why each failing probe failed (the response says only which). */
  onFailure?: (name: string, error: unknown, req: Request) => void;
}

const alive = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const checkState = z.enum(['ok', 'unavailable']);
const readiness = z
  .object({ status: checkState, checks: z.record(z.string(), checkState) })
  .meta({ id: 'Readiness', description: 'Each dependency: ok, or unavailable (then the status is 503).' });

/** The probes' own policies: nobody to authenticate, nothing to count. */
const unguarded = { authenticators: [], permissions: [AllowAny], throttles: [] } as const;

function withTimeout(probe: Probe, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([probe(), timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz` and `/readyz`, as routes of the URL table (so the document describes them). */
export function healthRoutes({ probes, timeoutMs = 2000, onFailure }: HealthOptions): Route[] {
  const names = Object.keys(probes);
  const healthz: ViewSpec = {
    name: 'Health',
    description: 'Liveness: 200 while the process answers requests. Never authenticated, never throttled.',
    ...unguarded,
    handlers: { GET: () => ({ body: { status: 'ok' } satisfies z.output<typeof alive> }) },
    docs: { GET: { responses: { 200: alive } } },
  };
  const readyz: ViewSpec = {
    name: 'Readiness',
    description: 'Readiness: 200 when every dependency of this server (its database; Redis when it has one) answers, else 503. Never authenticated, never throttled.',
    ...unguarded,
    handlers: {
      GET: async (ctx) => {
        const results = await Promise.allSettled(names.map((name) => withTimeout(probes[name]!, timeoutMs)));
        const checks = Object.fromEntries(
          results.map((result, i) => {
            if (result.status === 'rejected') onFailure?.(names[i]!, result.reason, ctx.req);
            return [names[i]!, result.status === 'fulfilled' ? 'ok' : 'unavailable'] as const;
          }),
        );
        const ready = results.every((result) => result.status === 'fulfilled');
        return { status: ready ? 200 : 503, body: { status: ready ? 'ok' : 'unavailable', checks } satisfies z.output<typeof readiness> };
      },
    },
    docs: { GET: { responses: { 200: readiness, 503: readiness } } },
  };
  return [
    ['/healthz', healthz],
    ['/readyz', readyz],
  ];
}
