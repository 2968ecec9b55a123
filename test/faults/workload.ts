// The load a fault scenario puts on the target: N SDK producers sending unique values
// (`p<producer>-<seq>`) to one topic at a bounded total rate for a bounded time, with one send()
// promise per record. Each record's fate is kept: acknowledged with its (partition, offset), failed
// (and whether the producer said it may be written anyway), or still pending.
import { Producer, StraitError, type ProducerOptions } from '../../client/index.js';

export type Outcome =
  | { kind: 'pending' }
  | { kind: 'acked'; topic: string; partition: number; offset: number }
  /** straitError false: the promise rejected with something other than a StraitError. */
  | { kind: 'failed'; maybeWritten: boolean; straitError: boolean; name: string; message: string };

export interface Delivery {
  readonly value: string;
  readonly producer: number;
  /** ms after the load started. */
  readonly sentAtMs: number;
  outcome: Outcome;
  settledAtMs: number | undefined;
}

/** Producer keys other than bootstrap.servers, as a Kafka user writes them. */
export type ProducerSettings = Omit<ProducerOptions, 'bootstrap.servers'>;

export interface WorkloadOptions {
  bootstrap: string;
  topic: string;
  producers: number;
  producerSettings: ProducerSettings;
  /** Records per second, over all producers. */
  ratePerSecond: number;
  durationMs: number;
}

export interface ProducerCloseResult {
  producer: number;
  /** close() resolved before the bound. */
  closed: boolean;
  error: string | undefined;
  ms: number;
}

const TICK_MS = 5;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class Workload {
  readonly options: WorkloadOptions;
  readonly deliveries: Delivery[] = [];
  readonly producers: Producer[];
  /** Date.now() when the load started / stopped; 0 before. */
  startedAt = 0;
  stoppedAt = 0;
  private pending = 0;
  private readonly nextSeq: number[];

  constructor(options: WorkloadOptions) {
    if (options.producers < 1 || options.ratePerSecond <= 0 || options.durationMs <= 0) {
      throw new RangeError(`a workload needs producers >= 1, a positive rate and duration: ${JSON.stringify(options)}`);
    }
    this.options = options;
    this.producers = Array.from({ length: options.producers }, (_, i) =>
      new Producer({ ...options.producerSettings, 'bootstrap.servers': options.bootstrap, 'client.id': `fault-producer-${i}` }));
    this.nextSeq = this.producers.map(() => 0);
  }

  get pendingCount(): number {
    return this.pending;
  }

  private sendOne(producer: number): void {
    const seq = this.nextSeq[producer]!++;
    const delivery: Delivery = { value: `p${producer}-${seq}`, producer, sentAtMs: Date.now() - this.startedAt, outcome: { kind: 'pending' }, settledAtMs: undefined };
    this.deliveries.push(delivery);
    this.pending++;
    this.producers[producer]!.send(this.options.topic, { value: delivery.value }).then(
      (m) => this.settle(delivery, { kind: 'acked', topic: m.topic, partition: m.partition, offset: m.offset }),
      (err: unknown) => this.settle(delivery, err instanceof StraitError
        ? { kind: 'failed', maybeWritten: err.maybeWritten, straitError: true, name: err.name, message: err.message }
        : { kind: 'failed', maybeWritten: true, straitError: false, name: err instanceof Error ? err.name : typeof err, message: String(err) }),
    );
  }

  private settle(delivery: Delivery, outcome: Outcome): void {
    delivery.outcome = outcome;
    delivery.settledAtMs = Date.now() - this.startedAt;
    this.pending--;
  }

  /** Sends for durationMs at the rate, producers taking turns; resolves when the load stops. */
  async run(): Promise<void> {
    const { ratePerSecond, durationMs } = this.options;
    this.startedAt = Date.now();
    let sent = 0;
    let turn = 0;
    for (;;) {
      const elapsed = Math.min(Date.now() - this.startedAt, durationMs);
      const due = Math.floor((ratePerSecond * elapsed) / 1000);
      for (; sent < due; sent++, turn = (turn + 1) % this.producers.length) this.sendOne(turn);
      if (elapsed >= durationMs) break;
      await sleep(TICK_MS);
    }
    this.stoppedAt = Date.now();
  }

  /** Waits until every promise settled or boundMs passed; true when none is pending. */
  async settled(boundMs: number): Promise<boolean> {
    const deadline = Date.now() + boundMs;
    while (this.pending > 0 && Date.now() < deadline) await sleep(50);
    return this.pending === 0;
  }

  /** Closes every producer, each given boundMs to flush; reports those whose close() did not return. */
  async close(boundMs: number): Promise<ProducerCloseResult[]> {
    return Promise.all(this.producers.map(async (p, producer) => {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      // close(timeout) returns once its flush gives up; the extra slack only catches a close that hangs.
      const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), boundMs + 5_000)));
      try {
        const r = await Promise.race([p.close(boundMs).then(() => 'closed' as const), hung]);
        return { producer, closed: r === 'closed', error: undefined, ms: Date.now() - t0 };
      } catch (err) {
        return { producer, closed: false, error: err instanceof Error ? err.message : String(err), ms: Date.now() - t0 };
      } finally {
        clearTimeout(timer);
      }
    }));
  }

  /** Producer counters summed over the producers. */
  stats(): { requestsSent: number; batchesSent: number; batchesRetried: number; batchesFailed: number; epochBumps: number } {
    const total = { requestsSent: 0, batchesSent: 0, batchesRetried: 0, batchesFailed: 0, epochBumps: 0 };
    for (const p of this.producers) {
      const s = p.stats();
      total.requestsSent += s.requestsSent;
      total.batchesSent += s.batchesSent;
      total.batchesRetried += s.batchesRetried;
      total.batchesFailed += s.batchesFailed;
      total.epochBumps += s.epochBumps;
    }
    return total;
  }
}
