// Where the consumer-group tests run: a real broker process for the data, and for the groups either
// the in-process fake coordinator (fakeGroupCluster: until the broker side exists) or the brokers
// themselves (groupCluster: real broker processes serving the Groups service). Both give a bootstrap
// address and an admin; everything is stopped in t.after.
import { Admin, Producer } from '../../client/index.js';
import { useBrokers, type BrokerProcess, type ClusterNodeProcess } from '../helpers/launcher.js';
import { freePort } from '../client/helpers/client-broker.js';
import { startFakeCoordinator, type FakeCoordinator } from './fake-coordinator/fake-coordinator.js';
import type { FakeGroupsConfig } from './fake-coordinator/group-state.js';

type TestContext = { after(fn: () => Promise<void> | void): void };

export interface GroupTestCluster {
  bootstrap: string;
  admin: Admin;
  /** The broker processes. */
  brokers: BrokerProcess[];
  createTopic(name: string, partitions: number, replicationFactor?: number): Promise<void>;
  /** Produces `count` records `${prefix}-${i}` spread over the topic's partitions (keyless, round-robin). */
  produce(topic: string, count: number, prefix?: string): Promise<void>;
}

/** Group settings of the brokers in tests (Kafka's names): sessions of seconds, not minutes. */
export const GROUP_TEST_CONFIG: Readonly<Record<string, string>> = {
  'group.consumer.session.timeout.ms': '6000',
  'group.consumer.min.session.timeout.ms': '1000',
  'group.consumer.heartbeat.interval.ms': '500',
  'group.consumer.min.heartbeat.interval.ms': '100',
  'offsets.topic.num.partitions': '10',
};

function withHelpers(bootstrap: string, brokers: BrokerProcess[], t: TestContext): GroupTestCluster {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  const producer = new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 1, partitioner: 'round-robin' });
  t.after(async () => {
    await producer.close();
    await admin.close();
  });
  return {
    bootstrap,
    admin,
    brokers,
    createTopic: async (name, partitions, replicationFactor = 1) => {
      await admin.createTopics([{ name, numPartitions: partitions, replicationFactor }]);
    },
    produce: async (topic, count, prefix = 'r') => {
      await producer.sendMany(topic, Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}` })));
    },
  };
}

/** One real broker for data, the fake coordinator for groups (clients bootstrap from the fake). */
export async function fakeGroupCluster(t: TestContext, config: Partial<FakeGroupsConfig> = {}): Promise<GroupTestCluster & { fake: FakeCoordinator }> {
  const port = await freePort();
  const broker = await useBrokers(t).start({ config: { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'auto.create.topics.enable': 'false' } });
  const fake = await startFakeCoordinator({ brokerAddress: broker.address, config });
  t.after(() => fake.stop());
  const cluster = withHelpers(fake.bootstrap, [broker], t);
  return {
    ...cluster,
    // A broker's metadata image knows a topic once it is created; the fake learns it by asking.
    createTopic: async (name, partitions, replicationFactor) => {
      await cluster.createTopic(name, partitions, replicationFactor);
      await fake.refreshTopics();
    },
    fake,
  };
}

/** Real broker processes serving the Groups service: one broker, or a cluster of n. */
export async function groupCluster(t: TestContext, n = 1, config: Record<string, string> = {}): Promise<GroupTestCluster & { nodes: ClusterNodeProcess[] }> {
  const launcher = useBrokers(t);
  const settings = { ...GROUP_TEST_CONFIG, 'auto.create.topics.enable': 'false', 'offsets.topic.replication.factor': String(Math.min(n, 3)), ...config };
  if (n === 1) {
    const port = await freePort();
    const broker = await launcher.start({ config: { listeners: `PLAINTEXT://127.0.0.1:${port}`, ...settings } });
    return { ...withHelpers(broker.address, [broker], t), nodes: [] };
  }
  const nodes = await launcher.cluster(n, { config: settings });
  return { ...withHelpers(nodes.map((b) => b.address).join(','), nodes, t), nodes };
}

/** Waits until check() holds, polling every 50 ms; fails with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
