// Per assigned partition: where the application is (position), where the next fetch starts
// (fetchOffset, ahead of position while fetched data waits in `buffered`), and a seek generation that
// lets in-flight answers from before a seek be recognised and dropped.
import type { StraitError } from '../errors.js';
import type { CompletedFetch } from './completed-fetch.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset handed to the application; undefined until reset or seek. */
  position: number | undefined;
  /** Next offset to fetch. */
  fetchOffset: number | undefined;
  generation = 0;
  buffered: CompletedFetch[] = [];
  bufferedBytes = 0;
  highWatermark = -1;
  /** An error to raise from the next poll (e.g. OFFSET_OUT_OF_RANGE with auto.offset.reset=none). */
  error: StraitError | undefined;
  inFlight = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  seek(offset: number | undefined): void {
    this.position = offset;
    this.fetchOffset = offset;
    this.generation++;
    this.buffered = [];
    this.bufferedBytes = 0;
    this.error = undefined;
  }
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
