// `strait mirror status --config F [--json]`: each enabled flow's topics with per-partition lag in
// records and seconds, the newest heartbeat and the newest checkpoint (mirror/status.ts).
import pino from 'pino';
import { mirrorStatus, type FlowStatus } from '../../mirror/index.js';
import { flag, intOption, parseCommand, requiredString } from '../cli-args.js';
import type { CliCommand } from '../command.js';
import { formatTable } from '../table.js';
import { readMirrorConfig } from './mirror-config-file.js';

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
} as const;

const ago = (nowMs: number, atMs: number): string => `${new Date(atMs).toISOString()} (${(Math.max(0, nowMs - atMs) / 1000).toFixed(1)} s ago)`;

export function formatStatus(flows: readonly FlowStatus[], nowMs: number): string {
  if (flows.length === 0) return 'no flow is enabled in the config\n';
  const out: string[] = [];
  for (const f of flows) {
    out.push(`flow ${f.source}->${f.target}`);
    const rows = f.topics.flatMap((t) => t.partitions.map((p) => [
      t.topic, p.partition, t.remoteExists ? t.remoteTopic : `${t.remoteTopic} (missing)`, p.logEndOffset, p.mirroredOffset ?? '-', p.lagRecords,
      p.lagSeconds === undefined ? '?' : p.lagSeconds.toFixed(1),
    ]));
    out.push(rows.length === 0
      ? '  no source topic to mirror'
      : formatTable(['TOPIC', 'PARTITION', 'REMOTE-TOPIC', 'LOG-END-OFFSET', 'MIRRORED-OFFSET', 'LAG', 'LAG-SECONDS'], rows).split('\n').map((l) => `  ${l}`).join('\n'));
    out.push(`  last heartbeat: ${f.lastHeartbeatMs === undefined ? 'none' : ago(nowMs, f.lastHeartbeatMs)}`);
    for (const h of f.upstreamHeartbeats) out.push(`  upstream heartbeat from ${h.origin}: ${ago(nowMs, h.timestampMs)}`);
    const cp = f.lastCheckpoint;
    out.push(`  last checkpoint: ${cp === undefined ? 'none' : `group ${cp.checkpoint.group} ${cp.checkpoint.topic}-${cp.checkpoint.partition} upstream ${cp.checkpoint.upstream} downstream ${cp.checkpoint.downstream}, ${ago(nowMs, cp.writtenAtMs)}`}`);
    for (const e of f.errors) out.push(`  error: ${e}`);
  }
  return out.join('\n') + '\n';
}

export const mirrorStatusCommand: CliCommand = {
  name: 'status',
  options: OPTIONS,
  help: {
    summary: 'Show each flow\'s topics, per-partition lag in records and seconds, the newest heartbeat and checkpoint.',
    usage: ['mirror status --config FILE [--json] [--timeout-ms N]'],
    options: [
      ['--config FILE', 'the mirror\'s mm2.properties or mirror.yaml'],
      ['--json', 'print the status as JSON'],
      ['--timeout-ms N', 'how long a cluster may take to answer (default 10000)'],
    ],
    notes: [
      'MIRRORED-OFFSET is the next source offset the newest offset sync shows mirrored (exact to within offset.flush.interval.ms);',
      'LAG-SECONDS is the age of the oldest record not yet mirrored. A cluster that does not answer is listed as an error.',
    ],
  },
  run: async (argv) => {
    const { values } = parseCommand(argv, OPTIONS);
    const config = readMirrorConfig(requiredString(values, 'config'));
    const timeoutMs = intOption(values, 'timeout-ms', 1);
    const flows = await mirrorStatus(config, { logger: pino({ level: 'silent' }), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    process.stdout.write(flag(values, 'json') ? `${JSON.stringify(flows, null, 2)}\n` : formatStatus(flows, Date.now()));
    return flows.some((f) => f.errors.length > 0) ? 1 : 0;
  },
};
