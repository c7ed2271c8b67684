// The ServiceNow simulator's own ceiling: POST incident (Table API) and the Elastic ITSM import set,
// each next to a bare node:http receiver measured the same way in the same run. autocannon runs in
// a child process so the load generator never shares the simulator's event loop (on two cores they
// still share the machine, which the baseline row makes visible). 127.0.0.1 only, bounded time.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { demoSeed, startServiceNowSimulator } from '../simulators/servicenow/index.js';
import type { Bench, BenchRow } from './types.js';

const TARGET = 10_000;
const CONNECTIONS = 32;

export interface SimulatorBenchOptions {
  /** Measured seconds per case (default 4, or BENCH_SIM_SECONDS). */
  seconds?: number;
  /** Unmeasured warm-up seconds per case (default 1). */
  warmupSeconds?: number;
}

interface CannonResult {
  perSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  /** CPU time this process (the server) spent per request: robust when other work shares the cores. */
  cpuMicrosPerRequest: number;
}

interface Case {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// What Kibana's ITSM connector sends in table mode (261 bytes) and in import-set mode (283 bytes).
const INCIDENT_BODY = JSON.stringify({
  short_description: 'a title',
  description: 'a description',
  category: 'software',
  subcategory: 'os',
  correlation_id: 'rule-1:alert-1',
  correlation_display: null,
  severity: '1',
  urgency: '1',
  impact: '1',
  caller_id: 'itil.user',
  opened_by: 'itil.user',
});
const IMPORT_BODY = JSON.stringify(
  Object.fromEntries(
    Object.entries(JSON.parse(INCIDENT_BODY) as Record<string, unknown>).map(([k, v]) => [`u_${k}`, v]),
  ),
);

function basicHeader(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

/** Runs autocannon's CLI in a child process and reads its JSON summary. */
function cannon(c: Case, seconds: number): Promise<CannonResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST', '-b', c.body];
  for (const [name, value] of Object.entries(c.headers)) args.push('-H', `${name}=${value}`);
  args.push(c.url);
  return new Promise((resolve, reject) => {
    const cpuBefore = process.cpuUsage();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err.slice(0, 500)}`));
      try {
        const json = JSON.parse(out) as {
          requests: { average: number; total: number };
          non2xx: number;
          errors: number;
        };
        const used = process.cpuUsage(cpuBefore);
        const total = json.requests.total;
        resolve({
          perSecond: json.requests.average,
          total,
          non2xx: json.non2xx,
          errors: json.errors,
          cpuMicrosPerRequest: total > 0 ? (used.user + used.system) / total : 0,
        });
      } catch (e) {
        reject(new Error(`unreadable autocannon output: ${(e as Error).message}`));
      }
    });
  });
}

async function measure(c: Case, seconds: number, warmup: number): Promise<CannonResult> {
  if (warmup > 0) await cannon(c, warmup);
  return cannon(c, seconds);
}

/** The baseline: reads the body and answers 201 with a small JSON document, nothing else. */
async function bareReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = '{"result":{"sys_id":"0123456789abcdef0123456789abcdef"}}';
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function row(name: string, r: CannonResult, baseline: number | undefined, withTarget: boolean): BenchRow {
  const value = Math.round(r.perSecond);
  return {
    name: r.non2xx + r.errors > 0 ? `${name} (${r.non2xx} non-2xx, ${r.errors} errors)` : name,
    value,
    unit: 'req/s',
    ...(baseline ? { ratio: Math.round((value / baseline) * 100) / 100 } : {}),
    ...(withTarget
      ? { target: `>= ${TARGET.toLocaleString('en-US')} req/s`, met: value >= TARGET && r.non2xx === 0 }
      : {}),
  };
}

function cpuNote(name: string, r: CannonResult): string {
  const micros = Math.max(r.cpuMicrosPerRequest, 1);
  return `${name} ${micros.toFixed(0)} µs (≈ ${Math.round(1e6 / micros).toLocaleString('en-US')} req/s per core)`;
}

export function createServiceNowSimulatorBench(options: SimulatorBenchOptions = {}): Bench {
  return async () => {
    const seconds = options.seconds ?? Number(process.env.BENCH_SIM_SECONDS ?? 4);
    const warmup = options.warmupSeconds ?? 2;
    const json = { 'Content-Type': 'application/json', Accept: 'application/json' };

    const bare = await bareReceiver();
    let baseline: CannonResult;
    try {
      baseline = await measure({ url: bare.url, headers: json, body: INCIDENT_BODY }, seconds, warmup);
    } finally {
      await bare.close();
    }

    // A small request log: the log is part of the simulator's work, but its size is not.
    const sim = await startServiceNowSimulator({ port: 0, requestLogLimit: 200 });
    let incident: CannonResult;
    let importSet: CannonResult;
    try {
      incident = await measure(
        {
          url: `${sim.url}/api/now/table/incident`,
          headers: { ...json, Authorization: basicHeader(demoSeed.connectors.tableApi) },
          body: INCIDENT_BODY,
        },
        seconds,
        warmup,
      );
      importSet = await measure(
        {
          url: `${sim.url}/api/now/import/x_elas2_inc_int_elastic_incident`,
          headers: { ...json, Authorization: basicHeader(demoSeed.connectors.itsm) },
          body: IMPORT_BODY,
        },
        seconds,
        warmup,
      );
    } finally {
      await sim.close();
    }

    const base = baseline.perSecond;
    return {
      title: 'ServiceNow simulator ceiling',
      rows: [
        row('bare node:http receiver (baseline)', baseline, base, false),
        row('simulator POST /api/now/table/incident', incident, base, true),
        row('simulator POST /api/now/import/x_elas2_inc_int_elastic_incident', importSet, base, true),
      ],
      notes: [
        `autocannon in a child process, ${CONNECTIONS} connections, ${seconds} s per case after ${warmup} s warm-up, 127.0.0.1.`,
        'Load generator and server share the machine (2 cores here); ratio is to the bare receiver in the same run.',
        `Server CPU per request (undisturbed by other load on the machine): ${cpuNote('bare', baseline)}, ` +
          `${cpuNote('POST incident', incident)}, ${cpuNote('import set', importSet)}.`,
      ],
    };
  };
}

export const benchServiceNowSimulator: Bench = createServiceNowSimulatorBench();
