// Where the consumer-group tests run: real broker processes serving the Groups service, one
// (groupCluster(t), or proxiedGroupBroker(t) behind a fault proxy) or a cluster of n
// (groupCluster(t, n)). Each gives a bootstrap address and an admin; everything is stopped in t.after.
import { Admin, AdminOperationError, ErrorCode, Producer, StraitError, type ConsumerGroupDescription } from '../../client/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { useBrokers, type BrokerProcess, type ClusterNodeProcess } from '../helpers/launcher.js';
import { freePort } from '../client/helpers/client-broker.js';

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

/**
 * One broker that clients reach only through a FaultProxy (it advertises the proxy's address, so
 * metadata and FindCoordinator send every connection, group streams included, through it): for
 * tests that cut a member's links while its broker stays up.
 */
export async function proxiedGroupBroker(t: TestContext, config: Record<string, string> = {}): Promise<GroupTestCluster & { broker: BrokerProcess; proxy: FaultProxy }> {
  const proxy = await FaultProxy.start();
  const settings = { ...GROUP_TEST_CONFIG, 'auto.create.topics.enable': 'false', 'offsets.topic.replication.factor': '1', ...config };
  let broker: BrokerProcess;
  try {
    broker = await useBrokers(t).start({ config: { ...settings, 'advertised.listeners': `PLAINTEXT://${proxy.address}` } });
  } catch (err) {
    await proxy.close();
    throw err;
  }
  proxy.setTarget(broker.address);
  const cluster = withHelpers(proxy.address, [broker], t);
  // After hooks run in the order they were added: the proxy closes last.
  t.after(() => proxy.close());
  return { ...cluster, broker, proxy };
}

/** The group's description, or undefined while the group does not exist (yet). */
export async function described(admin: Admin, group: string): Promise<ConsumerGroupDescription | undefined> {
  try {
    return (await admin.describeGroups([group]))[0];
  } catch (err) {
    const cause = err instanceof AdminOperationError ? err.failures[0]!.error : err;
    if (cause instanceof StraitError && (cause.code === ErrorCode.GROUP_ID_NOT_FOUND || cause.retriable)) return undefined;
    throw err;
  }
}

/** Waits until check() holds, polling every 50 ms; fails with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
