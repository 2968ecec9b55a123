// One broker process for the benchmarks, on a fresh data dir, with the same launcher the tests use.
// BENCH_BROKER=127.0.0.1:PORT uses a broker started by hand instead (e.g. under `node --cpu-prof`);
// its topics must not exist yet.
import { startBroker } from '../test/helpers/launcher.js';

export interface BenchBroker {
  address: string;
}

export async function withBroker<T>(run: (broker: BenchBroker) => Promise<T>): Promise<T> {
  const external = process.env.BENCH_BROKER;
  if (external) return run({ address: external });
  const broker = await startBroker({
    config: {
      'auto.create.topics.enable': 'false',
      // Large segments: the benchmark measures the data path, not rolling.
      'log.segment.bytes': String(1024 * 1024 * 1024),
    },
  });
  try {
    return await run(broker);
  } finally {
    await broker.stop();
  }
}
