// Questions for interactive commands: prompts on stdout, answers read line by line from
// stdin, a terminal or a pipe (so scripts and tests can answer). On a terminal, hidden
// answers (passwords) are not echoed.
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CommandError } from './manage.js';

export class Prompter {
  private readonly answers: string[] = [];
  private readonly waiting: ((line: string | null) => void)[] = [];
  private ended = false;
  private muted = false;
  private readonly terminal: boolean;
  private readonly lines: Interface;

  constructor(
    input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stdout,
  ) {
    this.terminal = input.isTTY === true;
    // readline echoes what is typed through this stream, which drops it while muted.
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.muted) output.write(chunk);
        done();
      },
    });
    this.lines = createInterface({ input, output: echo, terminal: this.terminal });
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
    this.output.write(question);
    this.muted = options.hidden === true;
    const answer =
      this.answers.length > 0 ? this.answers.shift()! : this.ended ? null : await new Promise<string | null>((resolve) => this.waiting.push(resolve));
    if (this.muted && this.terminal) this.output.write('\n');
    this.muted = false;
    if (answer === null) throw new CommandError('Operation cancelled.');
    return answer;
  }

  close(): void {
    this.lines.close();
  }
}
