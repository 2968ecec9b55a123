// One broker process for the benchmarks, on a fresh data dir, with the same launcher the tests use.
import { startBroker, type BrokerProcess } from '../test/helpers/launcher.js';

export async function withBroker<T>(run: (broker: BrokerProcess) => Promise<T>): Promise<T> {
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
