// /metrics, /healthz and /readyz of a real broker process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrokers } from '../../helpers/launcher.js';
import { brokerClient } from '../../helpers/grpc-clients.js';
import { batchOf, fetchPartition, produce, randomTopic } from '../../helpers/broker-calls.js';

test('metrics, health and readiness endpoints answer', async (t) => {
  const broker = await useBrokers(t).start();
  const client = brokerClient(broker.address);
  t.after(() => client.close());
  const base = `http://127.0.0.1:${broker.metricsPort}`;
  const topic = randomTopic('m');
  await produce(client, topic, 0, batchOf(['a', 'b', 'c']));
  await fetchPartition(client, topic, 0, 0);

  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const value = (line: RegExp): number => {
    const m = text.split('\n').find((l) => line.test(l));
    assert.ok(m, `no line matching ${line}`);
    return Number(m.split(' ').pop());
  };
  assert.equal(value(new RegExp(`^strait_broker_messages_in_total\\{topic="${topic}"\\}`)), 3);
  assert.ok(value(new RegExp(`^strait_broker_bytes_in_total\\{topic="${topic}"\\}`)) > 0);
  assert.ok(value(new RegExp(`^strait_broker_bytes_out_total\\{topic="${topic}"\\}`)) > 0);
  assert.equal(value(new RegExp(`^strait_log_end_offset\\{topic="${topic}",partition="0"\\}`)), 3);
  assert.equal(value(new RegExp(`^strait_log_start_offset\\{topic="${topic}",partition="0"\\}`)), 0);
  assert.ok(value(new RegExp(`^strait_log_size_bytes\\{topic="${topic}",partition="0"\\}`)) > 0);
  assert.equal(value(/^strait_broker_partitions /), 1);
  assert.equal(value(/^strait_broker_under_replicated_partitions /), 0);
  assert.equal(value(/^strait_broker_offline_partitions /), 0);
  assert.equal(value(/^strait_broker_active_controller /), 1);
  assert.equal(value(/^strait_broker_requests_total\{rpc="Produce",error="NONE"\}/), 1);
  assert.ok(value(/^strait_broker_request_duration_seconds_count\{rpc="Fetch"\}/) >= 1);
  assert.match(text, /^process_cpu_user_seconds_total /m, 'default Node metrics are on');
});
