// Reading a benchmark's numeric settings from the environment (BENCH_SCALE, BENCH_ROUNDS, ...): a value
// out of range stops the run with the variable named, before any process is started.
export function envNumber(key: string, fallback: number, valid: (n: number) => boolean): number {
  const n = Number(process.env[key] ?? String(fallback));
  if (!valid(n)) {
    console.error(`${key} is out of range: ${process.env[key]}`);
    process.exit(1);
  }
  return n;
}
