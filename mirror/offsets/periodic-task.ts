// A piece of work run every interval (MM2's Scheduler.scheduleRepeating): one run at a time, the next
// `intervalMs` after the previous one ended, a failure logged and counted and the work tried again at
// the next turn. stop() waits for a run in progress, so nothing is written after it resolves.
import type { Logger } from 'pino';

export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly logger: Logger,
  ) {}

  /** Runs the work now (when `immediately`) or after one interval, then every interval. */
  start(options: { immediately?: boolean } = {}): void {
    this.stopped = false;
    this.schedule(options.immediately ? 0 : this.intervalMs);
  }

  /** Runs the work now (after a run in progress), outside the schedule. */
  runNow(): Promise<void> {
    return this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce().then(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    while (this.running) await this.running;
    const run = this.work().catch((err: unknown) => {
      this.onError(err);
      this.logger.warn({ err, task: this.name }, `${this.name} failed; tried again in ${this.intervalMs} ms`);
    });
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
