// `npm run bench`: the built server in its own process, loaded by autocannon over
// loopback, one scenario after another. Prints requests/second and latency.
//   BENCH_DATABASE_URL=postgresql://…  benchmark on PostgreSQL (default: a fresh SQLite file)
//   BENCH_DURATION=10 BENCH_CONNECTIONS=16  seconds per scenario, concurrent connections
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PasswordHasher } from '../src/apps/accounts/passwords.js';
import { projectRoot } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { startServer } from '../tests/support/instances.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function seed(url: string): Promise<void> {
  await migrate(url);
  const db = openDatabase(url);
  const password = await new PasswordHasher(4).hash('bench-password-1');
  const user = await db.prisma.user.upsert({ where: { username: 'bench' }, create: { username: 'bench', password }, update: { password } });
  await db.prisma.post.createMany({ data: Array.from({ length: 100 }, (_, i) => ({ title: `Post ${i}`, body: `Body of post ${i}`, ownerId: user.id })) });
  await db.prisma.transaction.createMany({
    data: Array.from({ length: 50 }, (_, i) => ({ userId: user.id, amountCents: BigInt(i * 137), description: `Purchase ${i}` })),
  });
  await db.close();
}

interface Scenario {
  name: string;
  path: string;
  method?: 'GET' | 'POST';
  body?: string;
  auth?: boolean;
}

async function main(): Promise<void> {
  console.log('Building…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  const tempDir = mkdtempSync(join(tmpdir(), 'drf-express-bench-'));
  const url = process.env.BENCH_DATABASE_URL ?? `file:${join(tempDir, 'bench.sqlite3')}`;
  await seed(url);

  // With WEB_CONCURRENCY, wait for every worker to listen before loading them.
  const workers = process.env.WEB_CONCURRENCY === 'auto' ? availableParallelism() : Number(process.env.WEB_CONCURRENCY ?? 1) || 1;
  const server = await startServer(
    {
      NODE_ENV: 'production',
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      DATABASE_URL: url,
      SECRET_KEY: 'bench-secret-key-bench-secret-key-bench-secret-key',
      BCRYPT_ROUNDS: '4',
      // The throttles still count every request (their cost is measured) but never refuse one.
      THROTTLE_ANON_RATE: '100000000/day',
      THROTTLE_USER_RATE: '100000000/day',
    },
    workers,
    { entry: join(projectRoot, 'dist', 'src', 'server.js') },
  );
  const base = server.baseUrl;
  try {
    const login = await fetch(`${base}/api/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }),
    });
    const { access } = (await login.json()) as { access: string };
    const postId = ((await (await fetch(`${base}/api/posts/?page_size=1`)).json()) as { results: { id: number }[] }).results[0]!.id;

    const scenarios: Scenario[] = [
      { name: 'GET /api/ (root)', path: '/api/' },
      { name: 'GET /api/posts/ (anonymous, page of 10)', path: '/api/posts/' },
      { name: `GET /api/posts/${postId}/`, path: `/api/posts/${postId}/` },
      { name: 'GET /api/posts/?search=post 4', path: '/api/posts/?search=post+4' },
      { name: 'GET /api/transactions/ (JWT, limit 5)', path: '/api/transactions/', auth: true },
      {
        name: 'POST /api/transactions/ (JWT)',
        path: '/api/transactions/',
        method: 'POST',
        body: '{"amount": "12.50", "description": "bench"}',
        auth: true,
      },
    ];
    console.log(`\n${connections} connections, ${duration} s per scenario, ${url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}\n`);
    console.log('scenario'.padEnd(46), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7));
    for (const scenario of scenarios) {
      const result = await autocannon({
        url: `${base}${scenario.path}`,
        method: scenario.method ?? 'GET',
        connections,
        duration,
        headers: {
          ...(scenario.auth ? { authorization: `Bearer ${access}` } : {}),
          ...(scenario.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(scenario.body ? { body: scenario.body } : {}),
      });
      const errors = result.errors + result.timeouts + result.non2xx;
      console.log(
        scenario.name.padEnd(46),
        result.requests.average.toFixed(0).padStart(8),
        result.latency.p50.toFixed(1).padStart(8),
        result.latency.p99.toFixed(1).padStart(8),
        String(errors).padStart(7),
      );
    }
  } finally {
    await server.stop();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
