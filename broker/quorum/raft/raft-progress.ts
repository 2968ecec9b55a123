// What a leader knows about one follower's log (thesis §3.5, and etcd's progress states).
// Probing: the leader is searching for where the logs agree and sends one append at a time, so a
// lagging or reordered follower is not flooded with batches it will reject. Replicating: the logs
// agree up to matchIndex and appends are pipelined, nextIndex moving ahead of the acknowledgements.
export class PeerProgress {
  matchIndex = 0;
  probing = true;
  /** A probe is in flight: wait for its answer or the next heartbeat before sending another. */
  paused = false;
  /** The peer answered since the leader last checked its quorum. */
  recentlyActive = false;
  /** When the peer last answered (a leadership transfer goes only to a voter heard lately). */
  lastResponseMs = Number.NEGATIVE_INFINITY;

  constructor(public nextIndex: number) {}

  /** A success: the logs agree up to matchIndex. False when it tells nothing new. */
  acknowledge(matchIndex: number): boolean {
    this.probing = false;
    this.paused = false;
    this.nextIndex = Math.max(this.nextIndex, matchIndex + 1);
    if (matchIndex <= this.matchIndex) return false;
    this.matchIndex = matchIndex;
    return true;
  }

  /** A rejection: retry from hint, never below what is known to match nor above what was tried. */
  reject(hint: number, leaderLastIndex: number): void {
    this.probing = true;
    this.paused = false;
    this.nextIndex = Math.max(this.matchIndex + 1, Math.min(hint, this.nextIndex, leaderLastIndex + 1));
  }

  /** Records an append of `count` entries starting at nextIndex. */
  sent(count: number): void {
    if (this.probing) this.paused = true;
    else this.nextIndex += count;
  }
}
