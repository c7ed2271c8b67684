import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

/** Starts the trivial receiver (bench/processes/receiver.ts) in its own process. */
export async function startReceiver(): Promise<{ url: string; stop(): void }> {
  const child = fork(new URL('./processes/receiver.js', import.meta.url), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  url: string;
  apiKey: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on /api/status. */
  coldStartMs: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts `casebridge serve` as a real child process on a fresh data folder, exactly as a user
 * would, and waits for `/api/status` to answer 200.
 */
export async function startService(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<ServiceProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'casebridge-bench-'));
  const port = await freePort();
  const bin = new URL('../../bin/casebridge.js', import.meta.url).pathname;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--port', String(port)], {
    env: {
      ...process.env,
      CASEBRIDGE_DATA_DIR: dir,
      CASEBRIDGE_DATABASE__URL: `sqlite:${join(dir, 'casebridge.db')}`,
      CASEBRIDGE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let coldStartMs = 0;
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`casebridge exited with ${child.exitCode} during start`);
    try {
      const response = await request(`${url}/api/status`);
      await response.body.dump();
      if (response.statusCode === 200) {
        coldStartMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (coldStartMs === 0) throw new Error('casebridge did not answer /api/status within 5 s');
  const apiKey = readFileSync(join(dir, 'initial-api-key'), 'utf8').trim();
  return {
    url,
    apiKey,
    pid: child.pid ?? 0,
    coldStartMs,
    dataDir: dir,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
