// Idempotent-producer sequence numbers: per partition, counting records, wrapping at 2^31 - 1 to 0
// as Kafka's brokers expect.
const MAX_SEQUENCE = 2147483647;

export function incrementSequence(sequence: number, increment: number): number {
  return sequence > MAX_SEQUENCE - increment ? increment - (MAX_SEQUENCE - sequence) - 1 : sequence + increment;
}

export class SequenceNumbers {
  private readonly next = new Map<string, number>();

  /** Takes `count` sequence numbers for a partition and returns the first. */
  take(topic: string, partition: number, count: number): number {
    const key = `${topic}\u0000${partition}`;
    const base = this.next.get(key) ?? 0;
    this.next.set(key, incrementSequence(base, count));
    return base;
  }

  peek(topic: string, partition: number): number {
    return this.next.get(`${topic}\u0000${partition}`) ?? 0;
  }

  /** A new producer id or epoch starts every partition at 0 again. */
  reset(): void {
    this.next.clear();
  }
}
