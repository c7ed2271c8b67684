import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import type { LoadOptions, LoadResult } from '../load.js';
import { percentile } from '../load.js';

const options = workerData as LoadOptions;
const url = new URL(options.url);
const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
const deadline = performance.now() + options.durationMs;

async function one(): Promise<void> {
  const started = performance.now();
  try {
    const response = await pool.request({
      path: url.pathname + url.search,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode >= 300) non2xx += 1;
    latencies.push(performance.now() - started);
  } catch {
    errors += 1;
  }
}

async function loop(): Promise<void> {
  while (performance.now() < deadline) await one();
}

const started = performance.now();
await Promise.all(Array.from({ length: options.connections }, () => loop()));
const elapsed = (performance.now() - started) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const result: LoadResult = {
  requests: latencies.length,
  errors,
  non2xx,
  perSecond: latencies.length / elapsed,
  p50Ms: percentile(latencies, 50),
  p99Ms: percentile(latencies, 99),
};
parentPort?.postMessage(result);
