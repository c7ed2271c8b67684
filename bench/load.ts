import { Worker } from 'node:worker_threads';

/**
 * A bounded load generator: `connections` undici clients send requests back to back for
 * `durationMs` and record each latency. It runs in a worker thread so it never shares the event
 * loop of the server being measured (the server may still share the machine's two cores, which is
 * why every figure is reported as a ratio to a baseline measured the same way in the same run).
 */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./processes/load-worker.js', import.meta.url), {
      workerData: options,
    });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with ${code}`));
    });
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
