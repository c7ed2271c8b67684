/* eslint-disable no-console -- a command-line script: its report goes to the terminal */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSchema } from '../src/store/db.js';
import { request } from 'undici';

/**
 * Crash test of the delivery queue (issue 6): `casebridge serve` runs as a child process and is
 * killed with SIGKILL at random moments, several times, while deliveries are enqueued and run.
 * After the last restart every delivery must be done, none lost, and the target must hold no
 * duplicate tickets. The target is a loopback receiver that, like ServiceNow with a correlation
 * id, looks a ticket up before creating it: the queue is at-least-once, the ticket exactly-once.
 *
 *   npm run chaos -- --deliveries 10000 [--kills 8] [--dialect postgres]
 *
 * The suite runs the same function with fewer deliveries (test/integration/queue-crash.test.ts).
 */
export interface ChaosOptions {
  dialect: 'sqlite' | 'postgres';
  deliveries: number;
  kills: number;
  postgresUrl?: string;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  deliveries: number;
  succeeded: number;
  dead: number;
  /** Correlation ids with a ticket at the target. */
  tickets: number;
  /** Correlation ids the target saw more than once (re-sent after a crash; no second ticket). */
  resent: number;
  requests: number;
  kills: number;
  restarts: number;
  durationMs: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');

/** The target: one ticket per correlation id, however often it is sent. */
async function startTarget() {
  const creates = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      const { c } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { c: string };
      creates.set(c, (creates.get(c) ?? 0) + 1);
      // A little latency, so kills land while requests are in flight.
      setTimeout(
        () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}'),
        Math.random() * 5,
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    creates,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'casebridge-chaos-'));
  const schema = `cb_chaos_${randomBytes(5).toString('hex')}`;
  const postgresUrl =
    options.postgresUrl ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const target = await startTarget();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    CHAOS_CHILD_ROLE: 'service',
    CASEBRIDGE_DATA_DIR: dataDir,
    CASEBRIDGE_DATABASE__URL:
      options.dialect === 'sqlite' ? `sqlite:${join(dataDir, 'casebridge.db')}` : postgresUrl,
    ...(options.dialect === 'postgres' ? { CASEBRIDGE_DATABASE__SCHEMA: schema } : {}),
    CASEBRIDGE_ENCRYPTION__KEY: 'chaos-encryption-key-0123456789-abcdefgh',
    CASEBRIDGE_LOG_LEVEL: 'error',
    NODE_NO_WARNINGS: '1',
    CASEBRIDGE_SERVER__PORT: String(port),
    // Short leases so killed work comes back quickly; enough attempts that kills cannot kill a delivery.
    CASEBRIDGE_QUEUE__LEASE_DURATION: '1500',
    CASEBRIDGE_QUEUE__MAINTENANCE_INTERVAL: '250',
    CASEBRIDGE_QUEUE__POLL_INTERVAL: '100',
    CASEBRIDGE_QUEUE__RETRY__BASE_DELAY: '50',
    CASEBRIDGE_QUEUE__RETRY__MIN_DELAY: '10',
    CASEBRIDGE_ACTIONS__RUN__MAX_ATTEMPTS: '10',
  };

  let child: ChildProcess | undefined;
  let restarts = 0;
  const startChild = async (): Promise<void> => {
    const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
    child = spawn(process.execPath, [viteNode, join(here, 'chaos.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: root,
    });
    for (let i = 0; i < 600; i += 1) {
      if (child.exitCode !== null) throw new Error(`casebridge exited with ${child.exitCode} during start`);
      try {
        const res = await request(`${base}/api/status`);
        await res.body.dump();
        if (res.statusCode === 200) return;
      } catch {
        // not up yet
      }
      await sleep(25);
    }
    throw new Error('casebridge did not come up within 15 s');
  };
  const kill = async (): Promise<void> => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill('SIGKILL');
    });
  };

  try {
    await startChild();
    const apiKey = readFileSync(join(dataDir, 'initial-api-key'), 'utf8').trim();
    const headers = { authorization: `ApiKey ${apiKey}`, 'content-type': 'application/json' };
    const call = async (
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
    ): Promise<{ status: number; json: unknown }> => {
      const res = await request(`${base}${path}`, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, json: await res.body.json() };
    };
    const created = await call('POST', '/api/actions/connector', {
      name: 'chaos target',
      connector_type_id: '.webhook',
      config: { url: target.url, hasAuth: false, method: 'post' },
    });
    const connectorId = (created.json as { id: string }).id;

    // Enqueue with an idempotency key per correlation id: a request lost to a kill is sent
    // again, and the key makes sure it is stored once.
    let next = 0;
    const enqueuer = async (): Promise<void> => {
      for (let i = next++; i < options.deliveries; i = next++) {
        const body = {
          connector_id: connectorId,
          params: { body: JSON.stringify({ c: `c-${i}` }) },
          idempotency_key: `c-${i}`,
          key: `k-${i % 50}`,
        };
        for (;;) {
          try {
            if ((await call('POST', '/api/casebridge/deliveries', body)).status === 202) break;
          } catch {
            // the service is down: wait for the restart
          }
          await sleep(20);
        }
      }
    };
    const enqueueing = Promise.all(Array.from({ length: 8 }, enqueuer));

    for (let k = 0; k < options.kills; k += 1) {
      await sleep(300 + Math.random() * 900);
      await kill();
      log(`kill ${k + 1}/${options.kills}: killed with SIGKILL, restarting`);
      await startChild();
      restarts += 1;
    }
    await enqueueing;
    log(`all ${options.deliveries} deliveries accepted; waiting for them to finish`);

    let succeeded = 0;
    let dead = 0;
    const deadline = Date.now() + 120_000 + options.deliveries * 20;
    while (Date.now() < deadline) {
      const count = async (status: string) =>
        (
          (await call('GET', `/api/casebridge/deliveries?status=${status}&per_page=1`)).json as {
            total: number;
          }
        ).total;
      succeeded = await count('succeeded');
      dead = await count('dead');
      if (succeeded + dead >= options.deliveries) break;
      await sleep(200);
    }
    const resent = [...target.creates.values()].filter((n) => n > 1).length;
    return {
      deliveries: options.deliveries,
      succeeded,
      dead,
      tickets: target.creates.size,
      resent,
      requests: target.requests(),
      kills: options.kills,
      restarts,
      durationMs: Date.now() - started,
    };
  } finally {
    await kill();
    await target.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (options.dialect === 'postgres') {
      await dropSchema(postgresUrl, schema);
    }
  }
}

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

if (process.env.CHAOS_CHILD_ROLE === 'service') {
  // The child: exactly `casebridge serve`, configured through the environment above.
  const { runCli } = await import('../src/cli/main.js');
  await runCli([process.execPath, 'casebridge', 'serve']);
} else if (process.env.VITEST === undefined) {
  // Run from the command line (the suite imports runChaos under vitest instead).
  const report = await runChaos({
    dialect: arg('dialect') === 'postgres' ? 'postgres' : 'sqlite',
    deliveries: Number(arg('deliveries') ?? 2000),
    kills: Number(arg('kills') ?? 5),
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(report, null, 2));
  const ok =
    report.succeeded === report.deliveries && report.tickets === report.deliveries && report.dead === 0;
  console.log(ok ? 'chaos: every delivery done once, no ticket twice' : 'chaos: FAILED');
  process.exitCode = ok ? 0 : 1;
}
