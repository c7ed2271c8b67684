import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../helpers/test-app.js';

/** One request as a loopback receiver saw it. */
export interface Received {
  at: number;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the answer this long (a slow target). */
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

/**
 * A real HTTP target on 127.0.0.1 for queue tests: records every request and answers with
 * whatever `respond` decides (200 by default), so faults are scripted per request.
 */
export async function startReceiver(
  respond: (body: Record<string, unknown>, n: number) => Reply = () => ({ status: 200 }),
) {
  const received: Received[] = [];
  const state = { respond, inFlight: 0, maxInFlight: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      received.push({ at: Date.now(), body, headers: request.headers });
      const reply = state.respond(body, received.length);
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const send = () => {
        state.inFlight -= 1;
        if (reply.destroy) return request.socket.destroy();
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        response.end(reply.body ?? '{"ok":true}');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Config for quick queue tests: short poll, lease and retry delays, no jitter. */
export const fastQueueConfig: Record<string, unknown> = {
  'queue.pollInterval': 50,
  'queue.maintenanceInterval': 100,
  'queue.leaseDuration': 3_000,
  'queue.shutdownTimeout': 1_000,
  'queue.retry.baseDelay': 100,
  'queue.retry.minDelay': 10,
  'queue.retry.maxDelay': 1_000,
  'queue.retry.jitter': 'none',
  'actions.enabledActionTypes': ['*'],
};

export function api(t: TestApp) {
  return (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, auth = t.adminAuth) =>
    t.app.server.inject({
      method,
      url,
      headers: { authorization: auth, 'kbn-xsrf': 'true' },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

/** Creates a `.webhook` connector that posts to `url`; returns its id. */
export async function createWebhook(t: TestApp, url: string, name = 'queue target'): Promise<string> {
  const res = await api(t)('POST', '/api/actions/connector', {
    name,
    connector_type_id: '.webhook',
    config: { url, hasAuth: false, method: 'post' },
  });
  if (res.statusCode !== 200) throw new Error(`connector create failed: ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** Polls `check` every 20 ms until it returns true, for at most `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Status of every delivery, by id. */
export async function statuses(t: TestApp): Promise<Map<string, string>> {
  const rows = await t.testStore.store.db.selectFrom('deliveries').select(['id', 'status']).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}
