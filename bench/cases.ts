import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dropSchema } from '../src/store/db.js';
import { Pool, request } from 'undici';
import {
  demoSeed,
  startServiceNowSimulator,
  type ServiceNowSimulator,
} from '../simulators/servicenow/index.js';
import { percentile, runLoad } from './load.js';
import { startService, type ServiceProcess } from './processes.js';
import type { Bench, BenchRow } from './types.js';

const ROUNDS = Number(process.env.BENCH_CASES_ROUNDS ?? 60);
const WARM_ROUNDS = 5;
const COMMENTS = 20;
const CONNECTIONS = 16;
const DURATION_MS = 3_000;
const COMMENT_CASES = 50;
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * CPU time (user + system) of a process in ms, from /proc. Rates move with whatever else shares
 * the machine; CPU per request does not, so it tells whether a rate target is within reach: one
 * Node thread does at most 1,000,000 / (µs per request) requests a second.
 */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const ratio = (n: number): number => Math.round(n * 100) / 100;

const caseBody = (connector: object) =>
  JSON.stringify({
    title: 'bench case',
    description: 'a case from the benchmark',
    tags: ['bench'],
    owner: 'securitySolution',
    settings: { syncAlerts: false },
    connector,
  });

async function api(service: ServiceProcess, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) {
  const response = await request(`${service.url}${path}`, {
    method,
    headers: {
      authorization: `ApiKey ${service.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const parsed = (await response.body.json()) as Record<string, unknown>;
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(parsed)}`);
  return parsed;
}

/** One ServiceNow request as the simulator logged it, ready to send again. */
interface Replay {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
  body?: string;
}

function captured(sim: ServiceNowSimulator): Replay[] {
  return sim.requestLog.all().map((entry) => {
    const query = new URLSearchParams(entry.query).toString();
    return {
      method: entry.method as Replay['method'],
      path: query === '' ? entry.path : `${entry.path}?${query}`,
      ...(entry.body === undefined ? {} : { body: JSON.stringify(entry.body) }),
    };
  });
}

/**
 * The ceiling: the very requests a push made, sent again one after another (as the connector sends
 * them) with a bare undici pool, so what remains of the push's time is casebridge's own.
 */
async function replay(pool: Pool, auth: string, requests: Replay[]): Promise<number> {
  const started = performance.now();
  for (const one of requests) {
    const response = await pool.request({
      method: one.method,
      path: one.path,
      headers: { authorization: auth, accept: 'application/json', 'content-type': 'application/json' },
      ...(one.body === undefined ? {} : { body: one.body }),
    });
    await response.body.dump();
  }
  return performance.now() - started;
}

const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** Push latency of a case with 20 comments, first push and update push, beside the raw replay. */
async function pushLatency(rows: BenchRow[], notes: string[]): Promise<void> {
  const sim = await startServiceNowSimulator({ requestLogLimit: 200 });
  const service = await startService({ CASEBRIDGE_LOG_LEVEL: 'warn' });
  const login = demoSeed.connectors.itsm;
  const auth = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  const pool = new Pool(sim.url, { connections: 2 });
  const figures = {
    first: [] as number[],
    update: [] as number[],
    rawFirst: [] as number[],
    rawUpdate: [] as number[],
  };
  try {
    const connector = await api(service, 'POST', '/api/actions/connector', {
      name: 'bench ITSM',
      connector_type_id: '.servicenow',
      config: { apiUrl: sim.url, usesTableApi: false },
      secrets: login,
    });
    const caseConnector = { id: connector.id, name: 'bench ITSM', type: '.servicenow', fields: null };
    const comments = Array.from({ length: COMMENTS }, (_, i) => ({
      type: 'user',
      comment: `comment ${i + 1} of the benchmark case`,
      owner: 'securitySolution',
    }));
    for (let round = 0; round < ROUNDS + WARM_ROUNDS; round++) {
      const kase = await api(service, 'POST', '/api/cases', caseBody(caseConnector));
      const id = String(kase.id);
      await api(service, 'POST', `/internal/cases/${id}/attachments/_bulk_create`, comments);
      const push = () => api(service, 'POST', `/api/cases/${id}/connector/${String(connector.id)}/_push`);

      sim.requestLog.clear();
      const first = await timed(push);
      const firstRequests = captured(sim);
      const current = await api(service, 'GET', `/api/cases/${id}?includeComments=false`);
      await api(service, 'PATCH', '/api/cases', {
        cases: [{ id, version: current.version, title: `bench case, round ${round}` }],
      });
      await api(service, 'POST', `/api/cases/${id}/comments`, comments[0]);
      sim.requestLog.clear();
      const update = await timed(push);
      const updateRequests = captured(sim);
      const rawFirst = await replay(pool, auth, firstRequests);
      const rawUpdate = await replay(pool, auth, updateRequests);
      if (round < WARM_ROUNDS) continue;
      figures.first.push(first);
      figures.update.push(update);
      figures.rawFirst.push(rawFirst);
      figures.rawUpdate.push(rawUpdate);
      if (round === WARM_ROUNDS) {
        notes.push(
          `A first push sends ${firstRequests.length} ServiceNow requests (the incident, then one import per comment); the update push (new title, one new comment) sends ${updateRequests.length}.`,
        );
      }
    }
  } finally {
    await pool.close();
    await service.stop();
    await sim.close();
  }
  for (const phase of ['first', 'update'] as const) {
    const ours = [...figures[phase]].sort((a, b) => a - b);
    const raw = [...figures[phase === 'first' ? 'rawFirst' : 'rawUpdate']].sort((a, b) => a - b);
    const label = phase === 'first' ? 'first push (creates)' : 'update push';
    rows.push({
      name: `${label}: raw undici replay of the same requests (ceiling) p50 / p99`,
      value: round(percentile(raw, 50)),
      unit: `ms / ${round(percentile(raw, 99))} ms`,
      ratio: 1,
    });
    rows.push({
      name: `${label}: \`POST …/_push\` p50 / p99`,
      value: round(percentile(ours, 50)),
      unit: `ms / ${round(percentile(ours, 99))} ms`,
      ratio: ratio(percentile(ours, 50) / percentile(raw, 50)),
    });
    // Paired per round (the push minus the replay of its own requests), so a slow moment of the
    // shared machine in one series is not set against a quiet one in the other.
    const rawSeries = figures[phase === 'first' ? 'rawFirst' : 'rawUpdate'];
    const paired = figures[phase].map((ms, i) => ms - (rawSeries[i] ?? 0)).sort((a, b) => a - b);
    const overhead = percentile(paired, 99);
    rows.push({
      name: `${label}: overhead over the simulator's own time (paired per round) p50 / p99`,
      value: round(percentile(paired, 50)),
      unit: `ms / ${round(overhead)} ms`,
      target: 'p99 ≤ 5 ms',
      met: overhead <= 5,
    });
  }
}

/** Case creates (the load worker, one body) and comments (spread over cases) per second. */
async function apiThroughput(service: ServiceProcess, dialect: string, rows: BenchRow[], baseline?: number) {
  const headers = { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' };
  const none = { id: 'none', name: 'none', type: '.none', fields: null };
  const create = { url: `${service.url}/api/cases`, method: 'POST' as const, headers, body: caseBody(none) };
  // The HTTP, auth and routing floor of the same service: an authenticated read of one small row.
  const floor = await runLoad({
    url: `${service.url}/api/cases/configure?owner=securitySolution`,
    headers,
    connections: CONNECTIONS,
    durationMs: DURATION_MS,
  });
  rows.push({
    name: `authenticated \`GET /api/cases/configure\` (HTTP floor), ${dialect}`,
    value: Math.round(floor.perSecond),
    unit: `req/s (p50 ${round(floor.p50Ms)} ms, p99 ${round(floor.p99Ms)} ms)`,
  });
  await runLoad({ ...create, connections: 4, durationMs: 500 });
  const createCpu = cpuMs(service.pid);
  const creates = await runLoad({ ...create, connections: CONNECTIONS, durationMs: DURATION_MS });
  const cpuPerCreate = ((cpuMs(service.pid) - createCpu) * 1000) / Math.max(creates.requests, 1);

  const ids: string[] = [];
  for (let i = 0; i < COMMENT_CASES; i++)
    ids.push(String((await api(service, 'POST', '/api/cases', caseBody(none))).id));
  const pool = new Pool(service.url, { connections: CONNECTIONS });
  const body = JSON.stringify({
    type: 'user',
    comment: 'a comment from the benchmark',
    owner: 'securitySolution',
  });
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const commentCpu = cpuMs(service.pid);
  const deadline = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const id = ids[next++ % ids.length] ?? '';
        const started = performance.now();
        const response = await pool.request({
          method: 'POST',
          path: `/api/cases/${id}/comments`,
          headers,
          body,
        });
        await response.body.dump();
        if (response.statusCode === 200) latencies.push(performance.now() - started);
        else failed += 1;
      }
    }),
  );
  const cpuPerComment = ((cpuMs(service.pid) - commentCpu) * 1000) / Math.max(latencies.length, 1);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const commentRate = latencies.length / (DURATION_MS / 1000);
  rows.push({
    name: `case creates, ${dialect}`,
    value: Math.round(creates.perSecond),
    unit: `creates/s (p50 ${round(creates.p50Ms)} ms, p99 ${round(creates.p99Ms)} ms, errors ${creates.errors + creates.non2xx})`,
    ...(baseline === undefined ? { ratio: 1 } : { ratio: ratio(creates.perSecond / baseline) }),
    ...(dialect === 'SQLite' ? { target: '≥ 1,000/s', met: creates.perSecond >= 1_000 } : {}),
  });
  rows.push({
    name: `comments on ${COMMENT_CASES} cases, ${dialect}`,
    value: Math.round(commentRate),
    unit: `comments/s (p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, errors ${failed})`,
    ...(baseline === undefined ? {} : { ratio: ratio(commentRate / baseline) }),
  });
  rows.push({
    name: `casebridge CPU per case create / per comment, ${dialect}`,
    value: Math.round(cpuPerCreate),
    unit: `µs / ${Math.round(cpuPerComment)} µs`,
    ...(dialect === 'SQLite'
      ? { target: '≤ 1,000 µs (1,000 creates/s on one core)', met: cpuPerCreate <= 1_000 }
      : {}),
  });
  return creates.perSecond;
}

/**
 * Issue 8's benchmark: push latency of a case with 20 comments against the raw replay of the
 * same ServiceNow requests, and case API throughput (create, comment) on SQLite and PostgreSQL.
 * Ratios of the throughput rows are to SQLite's create rate measured in the same run.
 */
export const benchCases: Bench = async () => {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  await pushLatency(rows, notes);

  const sqlite = await startService({ CASEBRIDGE_LOG_LEVEL: 'warn' });
  let baseline: number;
  try {
    baseline = await apiThroughput(sqlite, 'SQLite', rows);
  } finally {
    await sqlite.stop();
  }
  const schema = `cb_bench_${randomBytes(4).toString('hex')}`;
  const postgres = await startService({
    CASEBRIDGE_LOG_LEVEL: 'warn',
    CASEBRIDGE_DATABASE__URL: postgresUrl,
    CASEBRIDGE_DATABASE__SCHEMA: schema,
  });
  try {
    await apiThroughput(postgres, 'PostgreSQL', rows, baseline);
  } finally {
    await postgres.stop();
    await dropSchema(postgresUrl, schema);
  }
  notes.push(
    `${ROUNDS} measured push rounds after ${WARM_ROUNDS} warm-up rounds (BENCH_CASES_ROUNDS), one at a time; each push is timed at the API client, each replay at the undici client.`,
    `Throughput: ${CONNECTIONS} connections, ${DURATION_MS / 1000} s per figure; every service, the simulator and the load on 127.0.0.1.`,
  );
  return { title: 'Cases (issue 8): push latency vs the raw replay, case API throughput', rows, notes };
};
