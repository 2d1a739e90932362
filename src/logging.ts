// The process's logger (pino): JSON lines in production (LOG_FORMAT=json), readable lines in
// development (pretty), at LOG_LEVEL. The pretty lines come from a small formatter here
// rather than pino-pretty, so a production install (no devDependencies) runs either format.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogSettings } from './config.js';

interface LogLine {
  level: string;
  time: number;
  msg?: string;
  reqId?: string;
  userId?: number | null;
  err?: { stack?: string; message?: string };
}

/** `12:00:01 INFO  GET /api/posts/ 200 (3 ms, user 7, req 5f0c…)` and the stack of an error below it. */
export function prettyLine(json: string): string {
  const line = JSON.parse(json) as LogLine & { duration?: number };
  const time = new Date(line.time).toTimeString().slice(0, 8);
  const details = [
    line.duration !== undefined ? `${line.duration} ms` : undefined,
    line.userId ? `user ${line.userId}` : undefined,
    line.reqId ? `req ${line.reqId}` : undefined,
  ].filter(Boolean);
  const stack = line.err?.stack ? `\n${line.err.stack.replace(/^/gm, '    ')}` : '';
  return `${time} ${line.level.toUpperCase().padEnd(5)} ${line.msg ?? ''}${details.length > 0 ? ` (${details.join(', ')})` : ''}${stack}\n`;
}

/** Writes each JSON line as prettyLine shows it. */
function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return { write: (json: string) => void out.write(prettyLine(json)) };
}

/** The logger: to `destination` (default: standard output) in the configured format. */
export function createLogger(settings: LogSettings, destination: NodeJS.WritableStream = process.stdout): Logger {
  const options = { level: settings.level, formatters: { level: (label: string) => ({ level: label }) } };
  if (settings.format === 'pretty') return pino(options, prettyStream(destination));
  return pino(options, destination === process.stdout ? pino.destination(1) : destination);
}
