// One log line when a service the server needs becomes unavailable, and one when it is back,
// however many requests meet the outage in between (the database, Redis).

export class OutageLog {
  private down = false;

  constructor(private readonly log: (message: string) => void) {}

  /** The service failed: says `message()` unless this outage was already told. */
  lost(message: () => string): void {
    if (this.down) return;
    this.down = true;
    this.log(message());
  }

  /** The service answered: says `message` if it had been down. */
  regained(message: string): void {
    if (!this.down) return;
    this.down = false;
    this.log(message);
  }
}
