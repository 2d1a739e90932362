// The process logger's two formats (LOG_FORMAT) and LOG_LEVEL.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../src/logging.js';

describe('log formats', () => {
  function capture(format: 'json' | 'pretty', level: 'info' | 'warn' = 'info') {
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    return { logger: createLogger({ level, format }, out), text: () => text };
  }

  it('json: one JSON object per line, with the level by name', async () => {
    const { logger, text } = capture('json');
    logger.info({ method: 'GET', path: '/api/', status: 200, duration: 3, userId: 7, reqId: 'r1' }, 'GET /api/ 200');
    await new Promise((resolve) => setImmediate(resolve));
    const [line, ...rest] = text().trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(line!)).toMatchObject({ level: 'info', msg: 'GET /api/ 200', reqId: 'r1', userId: 7, time: expect.any(Number) });
  });

  it('pretty: a readable line, an error\'s stack indented below it', () => {
    const time = new Date(2024, 0, 1, 12, 0, 1).getTime();
    expect(prettyLine(JSON.stringify({ level: 'info', time, msg: 'GET /api/ 200', duration: 3, userId: 7, reqId: 'r1' }))).toBe(
      '12:00:01 INFO  GET /api/ 200 (3 ms, user 7, req r1)\n',
    );
    expect(prettyLine(JSON.stringify({ level: 'error', time, msg: 'GET /x failed: boom', err: { stack: 'Error: boom\n    at f (a.ts:1)' } }))).toBe(
      '12:00:01 ERROR GET /x failed: boom\n    Error: boom\n        at f (a.ts:1)\n',
    );
  });

  it('LOG_LEVEL drops the lines below it', async () => {
    const { logger, text } = capture('json', 'warn');
    logger.info('hidden');
    logger.warn('shown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).not.toContain('hidden');
    expect(text()).toContain('shown');
  });
});
