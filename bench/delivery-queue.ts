import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dropSchema } from '../src/store/db.js';
import { request } from 'undici';
import { percentile, runLoad } from './load.js';
import { rssMiB, startReceiver, startService, type ServiceProcess } from './processes.js';
import type { Bench, BenchRow } from './types.js';

const CONNECTIONS = 32;
const LOAD_MS = 5_000;
const BACKLOG = Number(process.env.BENCH_QUEUE_BACKLOG ?? 100_000);
const SMALL_BACKLOG = 10_000;
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Queue settings for throughput: wide batches and enough concurrency to keep the receiver busy. */
const queueEnv = {
  CASEBRIDGE_QUEUE__CONCURRENCY: '64',
  CASEBRIDGE_QUEUE__PER_CONNECTOR_CONCURRENCY: '64',
  CASEBRIDGE_QUEUE__BATCH_SIZE: '64',
  CASEBRIDGE_LOG_LEVEL: 'warn',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(
  service: ServiceProcess,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await request(`${service.url}${path}`, {
    method,
    headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.body.json();
}

async function createConnector(service: ServiceProcess, url: string): Promise<string> {
  const created = (await call(service, 'POST', '/api/actions/connector', {
    name: 'bench',
    connector_type_id: '.webhook',
    config: { url, hasAuth: false, method: 'post' },
  })) as { id: string };
  return created.id;
}

async function countStatus(service: ServiceProcess, status: string): Promise<number> {
  return (
    (await call(service, 'GET', `/api/casebridge/deliveries?status=${status}&per_page=1`)) as {
      total: number;
    }
  ).total;
}

/** Waits until `target` deliveries succeeded; returns when that happened (ms since epoch). */
async function waitSucceeded(service: ServiceProcess, target: number, onTick?: () => void): Promise<number> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if ((await countStatus(service, 'succeeded')) >= target) return Date.now();
    onTick?.();
    await sleep(100);
  }
  throw new Error(`deliveries did not finish: wanted ${target}`);
}

/** (b)/(c): enqueue through the API for LOAD_MS while the worker delivers; deliveries/s end to end. */
async function endToEnd(
  service: ServiceProcess,
  receiverUrl: string,
): Promise<{ perSecond: number; accepted: number; enqueuePerSecond: number }> {
  const connectorId = await createConnector(service, receiverUrl);
  const load = {
    url: `${service.url}/api/casebridge/deliveries`,
    method: 'POST' as const,
    headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      connector_id: connectorId,
      params: { body: '{"alert":"bench","severity":"high"}' },
    }),
  };
  await runLoad({ ...load, connections: 4, durationMs: 500 });
  const warm = await waitSucceeded(service, 0);
  const before = await countStatus(service, 'succeeded');
  const started = Math.max(warm, Date.now());
  const result = await runLoad({ ...load, connections: CONNECTIONS, durationMs: LOAD_MS });
  const accepted = result.requests - result.errors - result.non2xx;
  const done = await waitSucceeded(service, before + accepted);
  return { perSecond: accepted / ((done - started) / 1000), accepted, enqueuePerSecond: result.perSecond };
}

/** (d): a steady 200/s; latency from sending the enqueue request to the target receiving it. */
async function steadyLatency(service: ServiceProcess): Promise<{ p50: number; p99: number; n: number }> {
  const latencies: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { sent } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sent: number };
      latencies.push(performance.timeOrigin + performance.now() - sent);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const connectorId = await createConnector(
      service,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    );
    const total = 1_000;
    const start = performance.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i += 1) {
      const due = start + i * 5;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sent = performance.timeOrigin + performance.now();
      sends.push(
        call(service, 'POST', '/api/casebridge/deliveries', {
          connector_id: connectorId,
          params: { body: JSON.stringify({ sent }) },
        }),
      );
    }
    await Promise.all(sends);
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await sleep(50);
    // The first 100 warm the path (JIT, connections); they are not steady state.
    const sorted = latencies.slice(100).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  } finally {
    server.close();
  }
}

/** (e): fill a backlog with the workers off, then time the drain with workers on; max RSS meanwhile. */
async function drain(
  receiverUrl: string,
  backlog: number,
): Promise<{ perSecond: number; maxRss: number; fillPerSecond: number }> {
  const filler = await startService({
    ...queueEnv,
    CASEBRIDGE_QUEUE__ENABLED: 'false',
    CASEBRIDGE_ACTIONS__QUEUED__MAX: '2000000',
  });
  const connectorId = await createConnector(filler, receiverUrl);
  const body = JSON.stringify({ connector_id: connectorId, params: { body: '{"alert":"bench"}' } });
  const fillStart = Date.now();
  let queued = 0;
  while (queued < backlog) {
    const result = await runLoad({
      url: `${filler.url}/api/casebridge/deliveries`,
      method: 'POST',
      headers: { authorization: `ApiKey ${filler.apiKey}`, 'content-type': 'application/json' },
      body,
      connections: CONNECTIONS,
      durationMs: 1_000,
    });
    queued = await countStatus(filler, 'queued');
    if (result.errors + result.non2xx > 0 && result.requests === 0) throw new Error('enqueue failed');
  }
  const fillPerSecond = queued / ((Date.now() - fillStart) / 1000);
  await filler.stop();
  const service = await startService(queueEnv, filler.dataDir);
  try {
    const started = Date.now();
    let maxRss = 0;
    const done = await waitSucceeded(service, queued, () => {
      maxRss = Math.max(maxRss, rssMiB(service.pid));
    });
    return { perSecond: queued / ((done - started) / 1000), maxRss, fillPerSecond };
  } finally {
    await service.stop();
  }
}

/**
 * Issue 6's benchmark, in one run: (a) raw ceiling, (b) end-to-end on SQLite, (c) on PostgreSQL,
 * (d) p50/p99 accepted → delivered at 200/s, (e) RSS and drain rate with a large backlog against
 * a small one. Everything on 127.0.0.1.
 */
export const benchDeliveryQueue: Bench = async () => {
  const receiver = await startReceiver();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  try {
    const raw = {
      url: receiver.url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: '{"alert":"bench"}',
    };
    await runLoad({ ...raw, connections: 4, durationMs: 500 });
    const ceiling = await runLoad({ ...raw, connections: CONNECTIONS, durationMs: LOAD_MS });
    rows.push({
      name: '(a) raw undici → receiver (ceiling)',
      value: Math.round(ceiling.perSecond),
      unit: 'req/s',
      ratio: 1,
    });

    const sqlite = await startService(queueEnv);
    try {
      const b = await endToEnd(sqlite, receiver.url);
      const ratio = b.perSecond / ceiling.perSecond;
      rows.push({
        name: '(b) enqueue API → SQLite → worker → receiver',
        value: Math.round(b.perSecond),
        unit: 'deliveries/s',
        ratio: Math.round(ratio * 1000) / 1000,
        target: '≥ 0.25 of ceiling',
        met: ratio >= 0.25,
      });
      notes.push(
        `(b) ${b.accepted} deliveries accepted in ${LOAD_MS / 1000} s (${Math.round(b.enqueuePerSecond)} enqueues/s) and delivered while enqueueing went on.`,
      );
      const d = await steadyLatency(sqlite);
      rows.push({
        name: '(d) p50 accepted → delivered at 200/s (SQLite)',
        value: Math.round(d.p50 * 10) / 10,
        unit: 'ms',
      });
      rows.push({
        name: '(d) p99 accepted → delivered at 200/s (SQLite)',
        value: Math.round(d.p99 * 10) / 10,
        unit: 'ms',
        target: '≤ 50 ms',
        met: d.p99 <= 50,
      });
    } finally {
      await sqlite.stop();
    }

    const schema = `cb_bench_${randomBytes(4).toString('hex')}`;
    const postgres = await startService({
      ...queueEnv,
      CASEBRIDGE_DATABASE__URL: postgresUrl,
      CASEBRIDGE_DATABASE__SCHEMA: schema,
    });
    try {
      const c = await endToEnd(postgres, receiver.url);
      rows.push({
        name: '(c) enqueue API → PostgreSQL → worker → receiver',
        value: Math.round(c.perSecond),
        unit: 'deliveries/s',
        ratio: Math.round((c.perSecond / ceiling.perSecond) * 1000) / 1000,
        target: '≥ 2,500/s',
        met: c.perSecond >= 2_500,
      });
    } finally {
      await postgres.stop();
      await dropSchema(postgresUrl, schema);
    }

    const small = await drain(receiver.url, SMALL_BACKLOG);
    const large = await drain(receiver.url, BACKLOG);
    const within = large.perSecond / small.perSecond;
    rows.push({
      name: `(e) drain rate, ${SMALL_BACKLOG} queued (SQLite)`,
      value: Math.round(small.perSecond),
      unit: 'deliveries/s',
      ratio: 1,
    });
    rows.push({
      name: `(e) drain rate, ${BACKLOG} queued (SQLite)`,
      value: Math.round(large.perSecond),
      unit: 'deliveries/s',
      ratio: Math.round(within * 1000) / 1000,
      target: '≥ 0.80 of small backlog',
      met: within >= 0.8,
    });
    rows.push({
      name: `(e) max RSS while draining ${BACKLOG}`,
      value: Math.round(large.maxRss),
      unit: 'MiB',
      target: '≤ 200 MiB',
      met: large.maxRss <= 200,
    });
    notes.push(
      `(e) backlogs were filled with workers off (${Math.round(large.fillPerSecond)} enqueues/s), then drained by a fresh \`casebridge serve\`; BENCH_QUEUE_BACKLOG changes the large size.`,
    );
    notes.push(
      'Queue settings: concurrency 64, per-connector 64, batch 64; log level warn. Three processes share two cores: load generator, casebridge, receiver.',
    );
    return { title: 'Delivery queue (issue 6): throughput, latency, backlog', rows, notes };
  } finally {
    receiver.stop();
  }
};
