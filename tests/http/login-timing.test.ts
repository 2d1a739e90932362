// Login takes as long for an unknown username as for a known one with a wrong password,
// so response times do not tell which usernames exist. The hash is made costly here
// (bcrypt cost 8, some 15-40 ms per check) so that a missing check would stand out
// against the rest of a request (about 1-3 ms).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

describeWithDatabase('login timing', () => {
  let t: TestApp;
  let known: { username: string };
  beforeAll(async () => {
    t = await createTestApp({ bcryptRounds: 8 });
    known = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Interleaved samples (alternating which goes first), so load on the machine hits both kinds alike. */
  async function sample(kinds: Record<string, () => Promise<unknown>>, rounds: number): Promise<Record<string, number>> {
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    const names = Object.keys(kinds);
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const start = performance.now();
        await kinds[name]!();
        times[name]!.push(performance.now() - start);
      }
    }
    return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  }

  it.each(['/auth/token/login/', '/api/auth/session/', '/api/token/'])('%s: an unknown username costs what a wrong password costs', async (path) => {
    const login = (username: string) => t.http.post(path).send({ username, password: 'not the password' });
    const medians = await sample(
      {
        unknownUser: () => login('nobody-has-this-name'),
        wrongPassword: () => login(known.username),
        // No password check at all (a missing field stops the request before any lookup).
        noCheck: () => t.http.post(path).send({ username: known.username }),
      },
      15,
    );
    // Medians of 15 interleaved samples shrug off the outliers a loaded machine produces. A
    // factor of two either way is generous for two requests doing the same work, yet tight
    // against a missing hash check: that request would take a small fraction of the other.
    const ratio = medians.unknownUser! / medians.wrongPassword!;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    // The comparison means something only if the hash check is most of a login's cost: then
    // a login skipping it would take less than half as long, and fail the bound above.
    expect(medians.wrongPassword!).toBeGreaterThan(2 * medians.noCheck!);
  });
});
