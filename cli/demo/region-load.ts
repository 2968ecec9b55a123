// The demo's producer for one region: keyed order records at a steady rate into the region's topic,
// through the SDK's idempotent producer with acks=all. It counts what was acknowledged and what failed,
// and drain() stops the load and waits until every record sent has one or the other, so a stop never
// leaves a record unaccounted for (today's one-broker demo reported records "failed" on Ctrl-C because
// the broker stopped before they were acknowledged).
import { Producer } from '../../client/index.js';

export interface LoadCounts {
  sent: number;
  acknowledged: number;
  failed: number;
  /** The first failure's message, if any. */
  firstError?: string;
}

const TICK_MS = 5;

export class RegionLoad {
  private readonly producer: Producer;
  private readonly counts: LoadCounts = { sent: 0, acknowledged: 0, failed: 0 };
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private settled: Promise<void> = Promise.resolve();
  private wakeSettled: (() => void) | undefined;

  constructor(readonly region: string, bootstrap: string, readonly topic: string, private readonly ratePerSec: number) {
    this.producer = new Producer({ 'bootstrap.servers': bootstrap, acks: 'all', 'linger.ms': 5, 'client.id': `strait-demo-${region}` });
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.sendDue(), TICK_MS);
  }

  /** What was sent, acknowledged and failed so far. */
  snapshot(): LoadCounts {
    return { ...this.counts };
  }

  private sendDue(): void {
    const due = Math.floor(((Date.now() - this.startedAt) * this.ratePerSec) / 1000);
    for (; this.counts.sent < due; this.counts.sent++) {
      const n = this.counts.sent;
      const customer = `customer-${n % 97}`;
      const value = JSON.stringify({ region: this.region, order: n, customer, amount: (n % 500) + 0.99 });
      this.producer.send(this.topic, { key: customer, value }).then(
        () => this.settle('acknowledged'),
        (err: unknown) => {
          this.counts.firstError ??= err instanceof Error ? err.message : String(err);
          this.settle('failed');
        },
      );
    }
  }

  private settle(outcome: 'acknowledged' | 'failed'): void {
    this.counts[outcome] += 1;
    if (this.counts.acknowledged + this.counts.failed === this.counts.sent) this.wakeSettled?.();
  }

  /** Stops sending, flushes, and resolves once every record sent was acknowledged or failed. */
  async drain(): Promise<LoadCounts> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.counts.acknowledged + this.counts.failed < this.counts.sent) {
      this.settled = new Promise<void>((resolve) => (this.wakeSettled = resolve));
    }
    await this.producer.flush();
    await this.settled;
    await this.producer.close();
    return this.snapshot();
  }
}
