// Where throttles count requests: express-rate-limit's stores (fixed windows, atomic
// increments) behind a small interface. In memory, counts belong to one process; in
// Redis (rate-limit-redis: one Lua script per increment), every instance shares them.
import { MemoryStore, type Options } from 'express-rate-limit';
import type { RedisReply } from 'rate-limit-redis';
import { ServiceUnavailable } from '../errors.js';
import { OutageLog } from '../outage.js';

/** A key's count in the current window, this request included. */
export interface Hits {
  totalHits: number;
  resetTime: Date;
}

export interface Counter {
  /** Counts one request of `key`; null when the store is unreachable and failing open. */
  hit(key: string): Promise<Hits | null>;
}

export interface CounterStore {
  /** The counter of one named rate: each key counted in fixed windows of `windowSeconds`. */
  counter(name: string, windowSeconds: number): Counter;
  /** A store in another process (Redis): resolves when it answers (the readiness probe). */
  ping?(): Promise<unknown>;
  close(): Promise<void>;
}

/** express-rate-limit's stores read nothing of their options but the window. */
const windowOptions = (windowSeconds: number) => ({ windowMs: windowSeconds * 1000 }) as Options;

/**
 * MemoryStore resolves to its live record of the key, which later increments mutate:
 * read after an `await`, it could already include other requests' hits. Its increment
 * runs synchronously, so the record is copied right there.
 */
class SnapshotMemoryStore extends MemoryStore {
  override increment(key: string): Promise<Hits> {
    void super.increment(key);
    const { totalHits, resetTime } = this.current.get(key)!;
    return Promise.resolve({ totalHits, resetTime });
  }
}

/** Counts in this process only: exact for one process, per process with several. */
export function memoryCounters(): CounterStore {
  const stores: MemoryStore[] = [];
  return {
    counter(_name, windowSeconds) {
      const store = new SnapshotMemoryStore();
      store.init(windowOptions(windowSeconds));
      stores.push(store);
      return { hit: (key) => store.increment(key) };
    },
    async close() {
      for (const store of stores) store.shutdown();
    },
  };
}

export interface RedisCounterOptions {
  /** While Redis is unreachable: true lets requests through uncounted, false answers 503. */
  failOpen: boolean;
  /** Told once when Redis becomes unreachable, and once when it is back. */
  log: (message: string) => void;
  /** How long opening waits for the first connection before serving in outage mode. */
  connectTimeoutMs?: number;
}

/** Each Redis outage logged once, with its end. */
class Reachability {
  private readonly outage: OutageLog;

  constructor(
    private readonly where: string,
    private readonly options: RedisCounterOptions,
  ) {
    this.outage = new OutageLog(options.log);
  }

  lost(error: unknown): void {
    this.outage.lost(() => {
      const consequence = this.options.failOpen
        ? 'requests are not throttled (THROTTLE_FAIL_OPEN=true)'
        : 'throttled requests are answered 503 (THROTTLE_FAIL_OPEN=false)';
      return `Redis unreachable at ${this.where} (${error instanceof Error ? error.message : String(error)}): ${consequence} until it is back.`;
    });
  }

  regained(): void {
    this.outage.regained(`Redis reachable again at ${this.where}: throttling resumed.`);
  }
}

/**
 * Counters in Redis, shared by every instance pointing at it. The client never queues
 * a command while disconnected (a request must not wait for a reconnect): the command
 * fails at once, the outage policy answers, and the client reconnects by itself.
 */
export async function openRedisCounters(url: string, options: RedisCounterOptions): Promise<CounterStore> {
  // Loaded only when REDIS_URL is set: a process without it never pays for the client.
  const [{ Redis }, { RedisStore }] = await Promise.all([import('ioredis'), import('rate-limit-redis')]);
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1000),
  });
  const { host } = new URL(url);
  const reachability = new Reachability(host, options);
  client.on('error', (error) => reachability.lost(error));
  client.on('ready', () => reachability.regained());
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.connectTimeoutMs ?? 2000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  const sendCommand = (command: string, ...args: string[]) => client.call(command, args) as Promise<RedisReply>;

  return {
    counter(name, windowSeconds) {
      const store = new RedisStore({ sendCommand, prefix: `throttle:${name}:${windowSeconds}:` });
      // Loads the Lua script; after a failure it is loaded again, as a store whose
      // first load failed would otherwise keep failing after Redis is back.
      let initialized: Promise<void> | undefined;
      return {
        async hit(key) {
          try {
            await (initialized ??= store.init(windowOptions(windowSeconds)));
            const { totalHits, resetTime } = await store.increment(key);
            reachability.regained();
            return { totalHits, resetTime: resetTime ?? new Date(Date.now() + windowSeconds * 1000) };
          } catch (error) {
            initialized = undefined;
            reachability.lost(error);
            if (options.failOpen) return null;
            throw new ServiceUnavailable();
          }
        },
      };
    },
    ping: () => client.ping(),
    async close() {
      await client.quit().catch(() => undefined);
      client.disconnect();
    },
  };
}
