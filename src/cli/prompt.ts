// Questions for interactive commands: prompts on stdout, answers read line by line from
// stdin, a terminal or a pipe (so scripts and tests can answer). On a terminal, hidden
// answers (passwords) are not echoed.
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CommandError } from './command.js';

export class Prompter {
  private readonly answers: string[] = [];
  private readonly waiting: ((line: string | null) => void)[] = [];
  private ended = false;
  private muted = false;
  private readonly terminal = process.stdin.isTTY === true;
  private readonly lines: Interface;

  constructor() {
    // readline echoes what is typed through this stream, which drops it while muted.
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.muted) process.stdout.write(chunk);
        done();
      },
    });
    this.lines = createInterface({ input: process.stdin, output: echo, terminal: this.terminal });
    this.lines.on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.answers.push(line);
    });
    const end = () => {
      this.ended = true;
      for (const next of this.waiting.splice(0)) next(null);
    };
    this.lines.on('close', end);
    this.lines.on('SIGINT', () => this.lines.close()); // Ctrl-C on a terminal
  }

  /** The next line typed; CommandError("Operation cancelled.") when input ends first (Ctrl-C, Ctrl-D, end of pipe). */
  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    process.stdout.write(question);
    this.muted = options.hidden === true;
    const answer =
      this.answers.length > 0 ? this.answers.shift()! : this.ended ? null : await new Promise<string | null>((resolve) => this.waiting.push(resolve));
    if (this.muted && this.terminal) process.stdout.write('\n');
    this.muted = false;
    if (answer === null) throw new CommandError('Operation cancelled.');
    return answer;
  }

  close(): void {
    this.lines.close();
  }
}
