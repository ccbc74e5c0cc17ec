/**
 * `nudge serve` as a child process for benchmarks: on a free port, in a data folder of the
 * benchmark's, with only the variables it is given (nothing of the caller's environment leaks into
 * its configuration), ready when /health/ready answers.
 *
 *   const nudge = await startNudgeServer({ dataDir, env: { NUDGE_WRITE_KEYS: key } });
 *   …
 *   await nudge.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const repoRoot = resolve(import.meta.dirname, '..');

export interface ServerChild {
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL when it does not stop in time; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** The end of what it wrote to stderr. */
  stderr(): string;
}

/** Only what a user would set, plus the given variables. */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Keeps the end of a child's stderr and stops it: SIGTERM, then SIGKILL after `stopTimeoutMs`. */
export function watch(child: ChildProcess, name: string, stopTimeoutMs = 60_000): { stop: () => Promise<number | null>; stderr: () => string } {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        console.error(`${name} did not stop in ${stopTimeoutMs / 1_000} s; killing it`);
        child.kill('SIGKILL');
      }, stopTimeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `nudge serve` with LOG_LEVEL=warn (request logging stays out of the measurement, and with
 * it the "listening on" line: so the port is chosen here and readiness is polled).
 */
export async function startNudgeServer(options: { dataDir: string; env?: Record<string, string>; cpuProfDir?: string | undefined; readyTimeoutMs?: number }): Promise<ServerChild> {
  const port = await freePort();
  const nodeFlags = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`];
  const child = spawn(process.execPath, [...nodeFlags, join(repoRoot, 'bin', 'nudge.js'), 'serve'], {
    cwd: repoRoot,
    env: childEnvironment({ NUDGE_DATA_DIR: options.dataDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...options.env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const watched = watch(child, 'nudge');
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nudge exited with ${child.exitCode}: ${watched.stderr()}`);
    const ready = await fetch(`${url}/health/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await watched.stop();
      throw new Error(`nudge was not ready in ${timeoutMs / 1_000} s: ${watched.stderr()}`);
    }
    await delay(100);
  }
  return { url, process: child, stop: watched.stop, stderr: watched.stderr };
}
