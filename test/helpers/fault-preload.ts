// Test-only preload (`node --import`) that makes a real broker process meet an error no request
// caused, the way a bug in a timer or a forgotten promise would. On SIGUSR2 it schedules, from a
// timer, a throw (STRAIT_TEST_FAULT unset or 'throw') or a promise rejection nobody handles
// (STRAIT_TEST_FAULT=reject). Production code has no hook for this: only the tests that pass this
// module to node load it.
process.on('SIGUSR2', () => {
  const fault = process.env['STRAIT_TEST_FAULT'] ?? 'throw';
  setTimeout(() => {
    if (fault === 'reject') void Promise.reject(new Error('injected fault: a rejection nobody handles'));
    else throw new Error('injected fault: an exception nobody catches');
  }, 0);
});
