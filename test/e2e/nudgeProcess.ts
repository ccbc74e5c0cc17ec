import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'nudge.js');

export interface RunningNudge {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line printed so far. */
  readonly logs: Record<string, unknown>[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  // Only what a user would set: nothing of the test runner's environment leaks into config.
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', ...env };
}

/** Starts `nudge serve` (or `nudge <args>`) on a free port and resolves once it says where it listens. */
export async function startNudge(env: Record<string, string>, timeoutMs = 20_000, args: readonly string[] = ['serve']): Promise<RunningNudge> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: environment({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nudge did not start in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`nudge exited with ${code} before listening; stderr: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.url === 'string' && String(entry.msg).includes('listening on')) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });

  return {
    url,
    child,
    logs,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a one-shot `nudge …` command to completion. */
export function runNudge(args: readonly string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, env: environment(env), encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
