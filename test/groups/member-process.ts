// A group member in its own process, for tests that kill members (node dist/test/groups/member-process.js
// '<json config>'). It subscribes, "processes" each record by appending `P <partition> <offset>` to
// its log file, then commits what it processed and appends `C <partition> <offset>` for each committed
// position once the commit is acknowledged. Synchronous appends reach the page cache at once, so a
// kill -9 leaves the log exactly as far as the member got. SIGTERM closes the consumer (revoke,
// commit, leave) and exits 0. It prints "ready" once it has joined its group.
import { appendFileSync } from 'node:fs';
import { Consumer } from '../../client/index.js';

export interface MemberProcessConfig {
  bootstrap: string;
  group: string;
  topic: string;
  log: string;
  instanceId?: string;
  /** Extra consumer options. */
  options?: Record<string, string>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as MemberProcessConfig;
const consumer = new Consumer({
  'bootstrap.servers': config.bootstrap,
  'group.id': config.group,
  'auto.offset.reset': 'earliest',
  'fetch.max.wait.ms': '100',
  'heartbeat.interval.ms': '200',
  ...(config.instanceId ? { 'group.instance.id': config.instanceId } : {}),
  ...config.options,
});
const log = (lines: string[]): void => {
  if (lines.length > 0) appendFileSync(config.log, lines.join('\n') + '\n');
};
let stopping = false;
let ready = false;
process.on('SIGTERM', () => {
  stopping = true;
});
consumer.subscribe([config.topic], {
  onPartitionsAssigned: (tps) => {
    log([`A ${tps.map((tp) => tp.partition).join(',')}`]);
    if (!ready) {
      ready = true;
      process.stdout.write('ready\n');
    }
  },
  onPartitionsRevoked: (tps) => log([`R ${tps.map((tp) => tp.partition).join(',')}`]),
  onPartitionsLost: (tps) => log([`L ${tps.map((tp) => tp.partition).join(',')}`]),
});

async function main(): Promise<void> {
  while (!stopping) {
    const records = await consumer.poll(100);
    if (records.length === 0) continue;
    log(records.map((r) => `P ${r.partition} ${r.offset}`));
    const last = new Map<number, number>();
    for (const r of records) last.set(r.partition, r.offset + 1);
    try {
      await consumer.commit();
      log([...last].map(([p, offset]) => `C ${p} ${offset}`));
    } catch (err) {
      // Not committed (the member's epoch moved, the coordinator moved): this work stays uncommitted
      // until the next commit, or the revocation's auto-commit, covers it.
      log([`E ${err instanceof Error ? err.name : String(err)}`]);
    }
  }
  await consumer.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`member failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  },
);
