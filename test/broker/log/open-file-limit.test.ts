// The open-file limit check: /proc/<pid>/limits parsing, the descriptors a set of logs needs, and
// when that is a shortage worth a warning at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESCRIPTOR_RESERVE, descriptorShortage, descriptorsForLogs, isOutOfDescriptors, parseOpenFileLimit, readOpenFileLimit,
} from '../../../broker/log/open-file-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test('the soft "Max open files" limit is read; unlimited or missing is undefined', () => {
  assert.equal(parseOpenFileLimit(LIMITS), 1024);
  assert.equal(parseOpenFileLimit(LIMITS.replace('1024   ', 'unlimited')), undefined);
  assert.equal(parseOpenFileLimit('Limit Soft Hard\n'), undefined);
  assert.equal(parseOpenFileLimit('Max open files            lots   lots   files\n'), undefined);
});

test('this process has a limit on Linux', { skip: process.platform !== 'linux' }, () => {
  assert.ok((readOpenFileLimit() ?? 0) > 0);
});

test('a log needs three descriptors plus one per older segment; a shortage is reported past the limit', () => {
  assert.equal(descriptorsForLogs([1, 1, 3]), 3 + 3 + 5);
  // 300 one-segment partitions fit 1,024 with the reserve; 400 do not.
  assert.equal(descriptorShortage(Array(300).fill(1), 1024), undefined);
  assert.deepEqual(descriptorShortage(Array(400).fill(1), 1024), { needed: 1200 + DESCRIPTOR_RESERVE, limit: 1024 });
  assert.equal(descriptorShortage(Array(400).fill(1), undefined), undefined);
});

test('EMFILE and ENFILE are running out of descriptors; other errors are not', () => {
  assert.equal(isOutOfDescriptors(Object.assign(new Error('x'), { code: 'EMFILE' })), true);
  assert.equal(isOutOfDescriptors(Object.assign(new Error('x'), { code: 'ENFILE' })), true);
  assert.equal(isOutOfDescriptors(Object.assign(new Error('x'), { code: 'ENOENT' })), false);
  assert.equal(isOutOfDescriptors(undefined), false);
});
