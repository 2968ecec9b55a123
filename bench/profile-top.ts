// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`), to see
// where a benchmark run spends its CPU. Usage: node dist/bench/profile-top.js FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const file = url.replace(/^file:\/\//, '');
  const short = file.includes('node_modules/') ? file.slice(file.lastIndexOf('node_modules/') + 13) : path.relative(process.cwd(), file);
  return `${name} ${short}:${lineNumber + 1}`;
}

/** The package or source area a frame belongs to, for the by-area totals. */
function area(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName || '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + (url.includes('stream') || url.includes('net') ? 'streams/net' : url.includes('timers') || url.includes('task_queues') ? 'timers/ticks' : url.includes('http2') ? 'http2' : 'other');
  const m = /dist\/([^/]+\/[^/]+)\//.exec(url);
  return m ? m[1]! : url;
}

function main(): void {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? '25');
  if (!file) {
    console.error('usage: profile-top FILE.cpuprofile [N]');
    process.exit(1);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  const areaUs = new Map<string, number>();
  // (shares are of busy samples; idle samples are the process waiting for I/O)
  let total = 0;
  // Each sample counts once. Weighting samples by the time to the next one over-charges whatever
  // runs when the process loses the CPU or the sampler stalls: on this busy 2-core machine the sample
  // after a CRC32C call came 17 ms late on average, which made CRC look like 36% instead of 8%.
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = 1;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const key = label(node);
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    const a = area(node);
    areaUs.set(a, (areaUs.get(a) ?? 0) + delta);
    total += delta;
  }
  const idle = selfUs.get('(idle)') ?? 0;
  const busy = total - idle;
  const seconds = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1e6;
  console.log(`${path.basename(file)}: ${seconds.toFixed(2)} s, ${total} samples, ${busy} busy (${((100 * busy) / total).toFixed(0)}%)`);
  const rows = [...selfUs].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top);
  const print = ([name, n]: [string, number]): void => console.log(`${((100 * n) / busy).toFixed(1).padStart(5)}%  ${String(n).padStart(6)}  ${name}`);
  rows.forEach(print);
  console.log('by area:');
  [...areaUs].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 14).forEach(print);
}

main();
