import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress, parseBootstrapServers } from '../../../client/cluster/bootstrap.js';
import { InvalidConfigError } from '../../../client/cluster/config-values.js';

test('parses host:port lists, trimming blanks, IPv6 in brackets', () => {
  assert.deepEqual(parseBootstrapServers(' a:1, 127.0.0.1:9092 ,[::1]:19092,'), [
    { host: 'a', port: 1 },
    { host: '127.0.0.1', port: 9092 },
    { host: '::1', port: 19092 },
  ]);
  assert.deepEqual(parseBootstrapServers(['h:2']), [{ host: 'h', port: 2 }]);
  assert.equal(formatAddress({ host: '::1', port: 5 }), '[::1]:5');
  assert.equal(formatAddress({ host: 'h', port: 5 }), 'h:5');
});

test('rejects entries without a port, bad ports and empty lists with InvalidConfigError', () => {
  for (const bad of ['', ' , ', 'host', 'host:', 'host:0', 'host:65536', 'host:abc', 'a:1:2']) {
    assert.throws(() => parseBootstrapServers(bad), (err: InvalidConfigError) => err instanceof InvalidConfigError && err.key === 'bootstrap.servers', bad);
  }
});
