import { expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows, testProvider } from '../support/databases.js';

describeWithDatabase('transactions', () => {
  const t = useTestApp();

  async function client() {
    const user = await t.createUser();
    return { user, auth: await t.bearer(user) };
  }

  /** Sends a raw JSON text, so number literals reach the server exactly as written. */
  const postRaw = (auth: Record<string, string>, json: string) =>
    t.http.post('/api/transactions/').set(auth).set('Content-Type', 'application/json').send(json);

  it('requires authentication for every action', async () => {
    for (const response of [
      await t.http.get('/api/transactions/'),
      await t.http.post('/api/transactions/').send({ amount: '1.00', description: 'x' }),
      await t.http.get('/api/transactions/1/'),
      await t.http.delete('/api/transactions/1/'),
    ]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail: 'Authentication credentials were not provided.' });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
  });

  it('creates with the caller as user, amount serialized with exactly two places', async () => {
    const { user, auth } = await client();
    const response = await t.http
      .post('/api/transactions/')
      .set(auth)
      .send({ amount: 12.5, description: 'lunch', user: 999999, timestamp: '2000-01-01T00:00:00Z' });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual(['id', 'user', 'amount', 'description', 'timestamp']);
    expect(response.body).toMatchObject({ user: user.id, amount: '12.50', description: 'lunch' });
    expect(response.body.timestamp).not.toBe('2000-01-01T00:00:00Z');
  });

  it('keeps money exact end to end', async () => {
    const { auth } = await client();
    const cases: [string, string][] = [
      ['99999999.99', '99999999.99'],
      ['0.10', '0.10'],
      ['"0.10"', '0.10'],
      ['0.1', '0.10'],
      ['-99999999.99', '-99999999.99'],
      ['"  42 "', '42.00'],
      ['7', '7.00'],
      ['0.30000000000000004'.slice(0, 4), '0.30'],
    ];
    for (const [literal, expected] of cases) {
      const created = await postRaw(auth, `{"amount": ${literal}, "description": "exact"}`);
      expect(created.status, literal).toBe(201);
      expect(created.body.amount).toBe(expected);
      const read = await t.http.get(`/api/transactions/${created.body.id}/`).set(auth);
      expect(read.body.amount).toBe(expected);
    }
    // Sums in the database are exact too: 0.10 + 0.20 is 0.30, not 0.30000000000000004.
    const stored = await t.db.kysely.selectFrom('transactions_transaction').select('amount_cents as amountCents').where('description', '=', 'exact').execute();
    expect(stored.map((r) => r.amountCents)).toContain(9999999999n);
  });

  it('reads amounts as DRF does: Python\'s Decimal() syntax, and a JSON number as the float Python reads', async () => {
    const { auth } = await client();
    const cases: [string, string][] = [
      ['"1.25e2"', '125.00'],
      ['"1E+1"', '10.00'],
      ['"1_000.5"', '1000.50'],
      ['"\u0661\u0662.\u0665"', '12.50'],
      ['"\\u001c7\\u0085"', '7.00'],
      ['1e3', '1000.00'],
      ['1.0000', '1.00'],
      ['12.500', '12.50'],
    ];
    for (const [literal, expected] of cases) {
      const created = await postRaw(auth, `{"amount": ${literal}, "description": "python"}`);
      expect(created.status, literal).toBe(201);
      expect(created.body.amount, literal).toBe(expected);
    }
  });

  it('takes the description as optional and blank, as the model (CharField(max_length=255, blank=True))', async () => {
    const user = await t.createUser();
    const auth = await t.bearer(user);
    const left = await t.http.post('/api/transactions/').set(auth).send({ amount: '3.00' });
    expect(left.status).toBe(201);
    expect(left.body).toMatchObject({ amount: '3.00', description: '' });
    const blank = await t.http.post('/api/transactions/').set(auth).send({ amount: '4.00', description: '  ' });
    expect(blank.status).toBe(201);
    expect(blank.body).toMatchObject({ description: '' });
  });

  it('rejects bad amounts with DRF messages and writes nothing', async () => {
    const { user, auth } = await client();
    const cases: [string, string][] = [
      ['1.234', 'Ensure that there are no more than 2 decimal places.'],
      ['"12.500"', 'Ensure that there are no more than 2 decimal places.'],
      ['123456789.12', 'Ensure that there are no more than 10 digits in total.'],
      ['12345678901', 'Ensure that there are no more than 10 digits in total.'],
      ['"123456789"', 'Ensure that there are no more than 8 digits before the decimal point.'],
      ['"abc"', 'A valid number is required.'],
      ['"NaN"', 'A valid number is required.'],
      ['"Infinity"', 'A valid number is required.'],
      ['"\\ufeff7"', 'A valid number is required.'],
      ['1e400', 'A valid number is required.'],
      ['"1e999"', 'Ensure that there are no more than 10 digits in total.'],
      ['"0e9"', 'Ensure that there are no more than 8 digits before the decimal point.'],
      ['1E-5', 'Ensure that there are no more than 2 decimal places.'],
      ['""', 'A valid number is required.'],
      ['true', 'A valid number is required.'],
      ['[1]', 'A valid number is required.'],
      ['null', 'This field may not be null.'],
      [`"${'1'.repeat(1001)}"`, 'String value too large.'],
    ];
    for (const [literal, message] of cases) {
      const response = await postRaw(auth, `{"amount": ${literal}, "description": "bad"}`);
      expect(response.status, literal).toBe(400);
      expect(response.body, literal).toEqual({ amount: [message] });
    }
    const nan = await postRaw(auth, '{"amount": NaN, "description": "bad"}');
    expect(nan.status).toBe(400);
    expect(nan.body).toEqual({ detail: "JSON parse error - Out of range float values are not JSON compliant: 'NaN'" });
    const missing = await t.http.post('/api/transactions/').set(auth).send({});
    expect(missing.body).toEqual({ amount: ['This field is required.'] });
    const tooLong = await t.http.post('/api/transactions/').set(auth).send({ amount: '1.00', description: 'x'.repeat(256) });
    expect(tooLong.body).toEqual({ description: ['Ensure this field has no more than 255 characters.'] });
    expect(await countRows(t.db, 'transactions_transaction', { user_id: user.id })).toBe(0);
  });

  it('accepts form-encoded bodies as DRF does', async () => {
    const { auth } = await client();
    const response = await t.http.post('/api/transactions/').set(auth).type('form').send({ amount: '3.30', description: 'form' });
    expect(response.status).toBe(201);
    expect(response.body.amount).toBe('3.30');
  });

  it('shows, changes and deletes only the caller\'s own transactions', async () => {
    const alice = await client();
    const bob = await client();
    const { body: mine } = await t.http.post('/api/transactions/').set(alice.auth).send({ amount: '5.00', description: 'mine' });
    const url = `/api/transactions/${mine.id}/`;
    for (const response of [
      await t.http.get(url).set(bob.auth),
      await t.http.put(url).set(bob.auth).send({ amount: '1.00', description: 'x' }),
      await t.http.patch(url).set(bob.auth).send({ amount: '1.00' }),
      await t.http.delete(url).set(bob.auth),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: 'Not found.' });
    }
    const bobList = await t.http.get('/api/transactions/').set(bob.auth);
    expect(bobList.body).toMatchObject({ count: 0, results: [] });

    const patched = await t.http.patch(url).set(alice.auth).send({ amount: '6.10', user: bob.user.id });
    expect(patched.body).toMatchObject({ amount: '6.10', description: 'mine', user: alice.user.id });
    const put = await t.http.put(url).set(alice.auth).send({ amount: '7', description: 'all new' });
    expect(put.body).toMatchObject({ amount: '7.00', description: 'all new' });
    expect(put.body.timestamp).toBe(mine.timestamp);
    expect((await t.http.delete(url).set(alice.auth)).status).toBe(204);
    expect((await t.http.get(url).set(alice.auth)).status).toBe(404);
  });

  it('paginates with limit/offset: default 5, max 20, DRF links', async () => {
    const { user, auth } = await client();
    const base = Date.parse('2031-01-01T00:00:00Z');
    await t.db.kysely
      .insertInto('transactions_transaction')
      .values(
        Array.from({ length: 23 }, (_, i) => ({
          user_id: user.id,
          amount_cents: BigInt(i * 100),
          description: `t${i}`,
          timestamp: new Date(base + i * 1000),
        })),
      )
      .execute();
    const first = await t.http.get('/api/transactions/').set(auth);
    const host = first.request.url.replace(/\/api\/.*$/, '');
    expect(first.body.count).toBe(23);
    expect(first.body.results.map((r: { description: string }) => r.description)).toEqual(['t22', 't21', 't20', 't19', 't18']);
    expect(first.body.next).toBe(`${host}/api/transactions/?limit=5&offset=5`);
    expect(first.body.previous).toBeNull();

    const middle = await t.http.get('/api/transactions/?offset=7&limit=5').set(auth);
    expect(middle.body.next).toBe(`${host}/api/transactions/?limit=5&offset=12`);
    expect(middle.body.previous).toBe(`${host}/api/transactions/?limit=5&offset=2`);
    const nearStart = await t.http.get('/api/transactions/?offset=3&limit=5').set(auth);
    expect(nearStart.body.previous).toBe(`${host}/api/transactions/?limit=5`);

    const capped = await t.http.get('/api/transactions/?limit=1000').set(auth);
    expect(capped.body.results).toHaveLength(20);
    expect(capped.body.next).toBe(`${host}/api/transactions/?limit=20&offset=20`);
    const end = await t.http.get('/api/transactions/?limit=20&offset=20').set(auth);
    expect(end.body.results).toHaveLength(3);
    expect(end.body.next).toBeNull();
    const past = await t.http.get('/api/transactions/?offset=100').set(auth);
    expect(past.body).toMatchObject({ count: 23, next: null, results: [] });
    for (const bad of ['limit=abc', 'limit=0', 'limit=-3', 'offset=abc&limit=x']) {
      const response = await t.http.get(`/api/transactions/?${bad}`).set(auth);
      expect(response.status, bad).toBe(200);
      expect(response.body.results, bad).toHaveLength(5);
    }
  });

  it('reads limit and offset as Python\'s int(), and carries an offset beyond 2^53 exactly in the links', async () => {
    const { user, auth } = await client();
    await t.db.kysely
      .insertInto('transactions_transaction')
      .values(Array.from({ length: 23 }, (_, i) => ({ user_id: user.id, amount_cents: 100n, description: `t${i}`, timestamp: new Date(Date.UTC(2031, 0, 1, 0, 0, i)) })))
      .execute();
    const page = async (query: string) => {
      const response = await t.http.get(`/api/transactions/?${query}`).set(auth);
      const host = response.request.url.replace(/\/api\/.*$/, '');
      const link = (url: string | null) => url?.replace(host, '') ?? null;
      return { status: response.status, next: link(response.body.next), previous: link(response.body.previous), results: response.body.results?.length };
    };
    expect(await page('limit=%D9%A3')).toEqual({ status: 200, next: '/api/transactions/?limit=3&offset=3', previous: null, results: 3 });
    expect(await page('offset=1_0')).toEqual({ status: 200, next: '/api/transactions/?limit=5&offset=15', previous: '/api/transactions/?limit=5&offset=5', results: 5 });
    expect(await page('offset=%C2%853')).toMatchObject({ next: '/api/transactions/?limit=5&offset=8', previous: '/api/transactions/?limit=5' });
    expect(await page('offset=%1C3&limit=%EF%BB%BF3')).toMatchObject({ next: '/api/transactions/?limit=5&offset=5', previous: null }); // both the defaults
    // DRF has no bound on offset: Python's integers are exact, so are the links.
    for (const offset of ['9007199254740993', '9223372036854775815', '9'.repeat(60)]) {
      expect(await page(`offset=${offset}`), offset).toEqual({
        status: 200,
        next: null,
        previous: `/api/transactions/?limit=5&offset=${BigInt(offset) - 5n}`,
        results: 0,
      });
    }
    expect(await page('offset=9007199254740993&limit=20')).toMatchObject({ previous: '/api/transactions/?limit=20&offset=9007199254740973' });
  });

  it('filters by amount and timestamp ranges, with django-filter errors for bad values', async () => {
    const { user, auth } = await client();
    await t.db.kysely
      .insertInto('transactions_transaction')
      .values([
        { user_id: user.id, amount_cents: 1000n, description: 'ten', timestamp: new Date('2024-01-01T00:00:00Z') },
        { user_id: user.id, amount_cents: 1250n, description: 'twelve fifty', timestamp: new Date('2024-02-01T00:00:00Z') },
        { user_id: user.id, amount_cents: -500n, description: 'refund', timestamp: new Date('2024-03-01T00:00:00Z') },
      ])
      .execute();
    const descriptions = async (query: string) =>
      (await t.http.get(`/api/transactions/?${query}`).set(auth)).body.results.map((r: { description: string }) => r.description).sort();
    expect(await descriptions('amount=12.5')).toEqual(['twelve fifty']);
    expect(await descriptions('amount=12.50')).toEqual(['twelve fifty']);
    expect(await descriptions('amount=12.505')).toEqual([]);
    expect(await descriptions('amount__gte=10')).toEqual(['ten', 'twelve fifty']);
    expect(await descriptions('amount__gte=10.001')).toEqual(['twelve fifty']);
    expect(await descriptions('amount__lte=-4.999')).toEqual(['refund']);
    expect(await descriptions('amount__gte=-5&amount__lte=10')).toEqual(['refund', 'ten']);
    expect(await descriptions('amount__lte=999999999999999999999999')).toHaveLength(3);
    expect(await descriptions('amount__gt=10')).toEqual(['twelve fifty']);
    expect(await descriptions('amount__gt=9.999')).toEqual(['ten', 'twelve fifty']);
    expect(await descriptions('amount__gt=-5.001')).toEqual(['refund', 'ten', 'twelve fifty']);
    expect(await descriptions('amount__lt=10')).toEqual(['refund']);
    expect(await descriptions('amount__lt=10.001')).toEqual(['refund', 'ten']);
    expect(await descriptions('amount__lt=-4.999')).toEqual(['refund']);
    expect(await descriptions('amount__lt=-5')).toEqual([]);
    expect(await descriptions('amount__gt=999999999999999999999999')).toEqual([]);
    expect(await descriptions('timestamp__gte=2024-01-15T00:00')).toEqual(['refund', 'twelve fifty']);
    expect(await descriptions('timestamp__gte=%202024-01-15T00:00%20')).toEqual(['refund', 'twelve fifty']); // stripped, as Django's form field
    expect(await descriptions('timestamp__lte=2024-02-01T00:00:00Z')).toEqual(['ten', 'twelve fifty']);
    expect(await descriptions('timestamp__gte=2024-02-01T01:00:00%2B02:00')).toEqual(['refund', 'twelve fifty']);
    // A bound finer than the stored milliseconds lies between two stored values: rows at exactly
    // 2024-02-01T00:00:00.000 are before .000001 (DRF, on microsecond columns, agrees).
    expect(await descriptions('timestamp__gte=2024-02-01T00:00:00.000001Z')).toEqual(['refund']);
    expect(await descriptions('timestamp__lte=2024-02-01T00:00:00.000999Z')).toEqual(['ten', 'twelve fifty']);
    expect(await descriptions('amount=')).toHaveLength(3);

    const bad = await t.http.get('/api/transactions/?amount=abc&timestamp__gte=yesterday&amount__lte=1e&amount__gt=x&amount__lt=-&timestamp__lte=2024-01-01').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      amount: ['Enter a number.'],
      amount__lte: ['Enter a number.'],
      amount__gt: ['Enter a number.'],
      amount__lt: ['Enter a number.'],
      timestamp__gte: ['Enter a valid date/time.'],
      timestamp__lte: ['Enter a valid date/time.'],
    });
  });

  it('reads amount filters as forms.DecimalField (Decimal()): exponents, `_`, Unicode digits, Python whitespace; at most 1e50', async () => {
    const { user, auth } = await client();
    await t.db.kysely
      .insertInto('transactions_transaction')
      .values([
        { user_id: user.id, amount_cents: 100000n, description: 'thousand', timestamp: new Date('2024-01-01T00:00:00Z') },
        { user_id: user.id, amount_cents: 30000n, description: 'three hundred', timestamp: new Date('2024-02-01T00:00:00Z') },
        { user_id: user.id, amount_cents: 1250n, description: 'twelve fifty', timestamp: new Date('2024-03-01T00:00:00Z') },
      ])
      .execute();
    const descriptions = async (query: string) =>
      (await t.http.get(`/api/transactions/?${query}`).set(auth)).body.results.map((r: { description: string }) => r.description).sort();
    for (const thousand of ['1e3', '1E%2B3', '1_000', '1__000', '_1000_', '0.1e4', '%EF%BC%91e%D9%A3']) {
      expect(await descriptions(`amount__gte=${thousand}`), thousand).toEqual(['thousand']);
    }
    for (const threeHundred of ['%D9%A3%D9%A0%D9%A0', '%1C300%C2%85', '+300.00+', '3e2', '30000e-2']) {
      expect(await descriptions(`amount=${threeHundred}`), threeHundred).toEqual(['three hundred']);
    }
    expect(await descriptions('amount__lt=1250e-2')).toEqual([]);
    expect(await descriptions('amount__lte=1250e-2')).toEqual(['twelve fifty']);
    expect(await descriptions('amount__gte=-1e999999')).toHaveLength(3);
    expect(await descriptions('amount__gt=0.1e-999999')).toHaveLength(3);
    expect(await descriptions('amount__lt=-1e60')).toEqual([]);
    // django-filter's NumberFilter validates MaxValueValidator(1e50): the float 1e50 itself passes, exactly.
    expect(await descriptions('amount__lt=100000000000000007629769841091887003294964970946560')).toHaveLength(3);
    const bad = await t.http
      .get('/api/transactions/?amount=Infinity&amount__gte=1e51&amount__lte=%EF%BB%BF300&amount__gt=100000000000000007629769841091887003294964970946561&amount__lt=1e99999999999999999999')
      .set(auth);
    expect({ status: bad.status, body: bad.body }).toEqual({
      status: 400,
      body: {
        amount: ['Enter a number.'],
        amount__gte: ['Ensure this value is less than or equal to 1e+50.'],
        amount__lte: ['Enter a number.'],
        amount__gt: ['Ensure this value is less than or equal to 1e+50.'],
        amount__lt: ['Enter a number.'],
      },
    });
    // The datetime filters strip as Python does: U+001C and U+0085 go, U+FEFF stays (and is refused).
    expect(await descriptions('timestamp__gte=%1C2024-02-15T00:00%C2%85')).toEqual(['twelve fifty']);
    const feff = await t.http.get('/api/transactions/?timestamp__gte=%EF%BB%BF2024-02-15T00:00').set(auth);
    expect({ status: feff.status, body: feff.body }).toEqual({ status: 400, body: { timestamp__gte: ['Enter a valid date/time.'] } });
  });

  it('searches descriptions and orders by whitelisted fields', async () => {
    const { auth } = await client();
    for (const [amount, description] of [
      ['3.00', 'Coffee beans'],
      ['1.00', 'coffee to go'],
      ['2.00', 'Tea'],
    ]) {
      await t.http.post('/api/transactions/').set(auth).send({ amount, description });
    }
    const list = async (query: string) =>
      (await t.http.get(`/api/transactions/?${query}`).set(auth)).body.results.map((r: { description: string }) => r.description);
    expect(await list('search=COFFEE')).toEqual(['coffee to go', 'Coffee beans']);
    expect(await list('search=coffee beans')).toEqual(['Coffee beans']);
    expect(await list('ordering=amount')).toEqual(['coffee to go', 'Tea', 'Coffee beans']);
    expect(await list('ordering=-amount')).toEqual(['Coffee beans', 'Tea', 'coffee to go']);
    expect(await list('ordering=description')).toEqual(['Tea', 'coffee to go', 'Coffee beans']); // not orderable: newest first
  });

  it('runs a constant number of queries per list, whatever the limit', async () => {
    const { user, auth } = await client();
    await t.db.kysely
      .insertInto('transactions_transaction')
      .values(Array.from({ length: 30 }, (_, i) => ({ user_id: user.id, amount_cents: BigInt(i), description: 'q', timestamp: new Date() })))
      .execute();
    const counts: number[] = [];
    for (const limit of [1, 5, 20]) {
      t.queries.reset();
      const response = await t.http.get(`/api/transactions/?limit=${limit}`).set(auth);
      expect(response.body.results).toHaveLength(limit);
      counts.push(t.queries.count);
    }
    // user (authentication), then the page and its count: one statement on PostgreSQL, two on SQLite (in-process)
    expect(counts).toEqual(testProvider === 'postgresql' ? [2, 2, 2] : [3, 3, 3]);
  });
});
