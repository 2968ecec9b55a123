// Runs the `strait` CLI as a child process to completion, with optional stdin (and working directory),
// and returns its exit code and output; a run that outlives timeoutMs is killed and fails the test.
import { spawn } from 'node:child_process';
import { CLI_MAIN } from './launcher.js';

export interface StraitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runStrait(args: string[], input?: string, timeoutMs = 20_000, options: { cwd?: string } = {}): Promise<StraitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strait ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': output still in the pipes is read before the result is given.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
