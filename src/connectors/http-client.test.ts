import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsConfig } from '../config/schema.js';
import { createHttpClient, type HttpClientOptions, type RequestCompleteInfo } from './http-client.js';
import { HttpError, type HttpClient } from './http-types.js';
import { actionsSettings } from '../../test/helpers/actions-settings.js';

// Real loopback servers and a real client; nothing is mocked (aesthetics.md §9.6).
const servers: Server[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

function client(overrides: Partial<ActionsConfig> = {}, options: HttpClientOptions = {}): HttpClient {
  const created = createHttpClient(actionsSettings(overrides), options);
  clients.push(created);
  return created;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ url: string; port: number; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('createHttpClient: requests', () => {
  it('sends JSON with basic auth and parses the JSON reply', async () => {
    let seen: { method?: string; type?: string; auth?: string; body?: string } = {};
    const target = await serve((req, res, body) => {
      seen = { method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, body };
      res.setHeader('X-Answer', '42');
      res.end(JSON.stringify({ ok: true }));
    });
    const completed: RequestCompleteInfo[] = [];
    const http = client({}, { onRequestComplete: (info) => completed.push(info) });
    const response = await http.requestOk({
      url: `${target.url}/hook`,
      method: 'POST',
      json: { a: 1 },
      basicAuth: { username: 'u', password: 'p' },
    });
    expect(response.json()).toEqual({ ok: true });
    expect(response.headers['x-answer']).toBe('42');
    expect(seen).toEqual({
      method: 'POST',
      type: 'application/json',
      auth: `Basic ${Buffer.from('u:p').toString('base64')}`,
      body: '{"a":1}',
    });
    expect(completed).toEqual([
      { method: 'POST', host: `127.0.0.1:${target.port}`, status: 200, durationMs: expect.any(Number) },
    ]);
  });

  it('drops connection-level headers that undici refuses, and refuses a wrong Content-Length', async () => {
    const target = await serve((req, res) => res.end(String(req.headers['x-kept'])));
    const http = client();
    const response = await http.request({
      url: target.url,
      headers: { Connection: 'upgrade', Upgrade: 'h2c', 'X-Kept': 'yes' },
    });
    expect(response.text()).toBe('yes');
    const error = await rejection(
      http.request({ url: target.url, method: 'POST', body: 'abc', headers: { 'Content-Length': '10' } }),
    );
    expect(error).toMatchObject({ kind: 'network', retryable: false });
  });

  it('resolves for error statuses, and requestOk turns them into non-retryable status errors', async () => {
    const target = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('{"error":"no such thing"}');
    });
    const http = client();
    expect((await http.request({ url: target.url })).status).toBe(404);
    const error = await rejection(http.requestOk({ url: `${target.url}/x?token=secret`, method: 'PUT' }));
    expect(error).toMatchObject({ kind: 'status', status: 404, retryable: false });
    expect(error.endpoint).toBe(`PUT ${target.url}/x`);
    expect(error.message).toContain('no such thing');
    expect(error.message).not.toContain('secret');
  });

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [422, false],
  ])('classifies status %i as retryable=%s', async (status, retryable) => {
    const target = await serve((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const error = await rejection(client().requestOk({ url: target.url }));
    expect(error).toMatchObject({ kind: 'status', status, retryable });
  });

  it('parses Retry-After in seconds and as an HTTP date, and X-RateLimit-Reset', async () => {
    const inTwoMinutes = new Date(Math.ceil(Date.now() / 1000) * 1000 + 120_000);
    const replies = [
      { status: 429, header: ['Retry-After', '120'] },
      { status: 503, header: ['Retry-After', inTwoMinutes.toUTCString()] },
      { status: 429, header: ['X-RateLimit-Reset', String(inTwoMinutes.getTime() / 1000)] },
    ];
    let index = 0;
    const target = await serve((_req, res) => {
      const reply = replies[index++];
      res.statusCode = reply?.status ?? 500;
      if (reply) res.setHeader(reply.header[0] ?? '', reply.header[1] ?? '');
      res.end();
    });
    const http = client();
    for (let i = 0; i < replies.length; i += 1) {
      const error = await rejection(http.requestOk({ url: target.url }));
      expect(error.retryable).toBe(true);
      expect(Math.abs((error.retryAt?.getTime() ?? 0) - inTwoMinutes.getTime())).toBeLessThan(2_000);
    }
  });

  it('cuts HTML error pages to their title and long bodies to about 200 characters', async () => {
    const target = await serve((req, res) => {
      res.statusCode = 502;
      if (req.url === '/html') {
        res.setHeader('content-type', 'text/html');
        res.end(
          `<html><head><title>502 Bad Gateway</title><style>x{}</style></head><body>${'<p>x</p>'.repeat(5000)}</body></html>`,
        );
      } else {
        res.end('e'.repeat(100_000));
      }
    });
    const http = client();
    const html = await rejection(http.requestOk({ url: `${target.url}/html` }));
    expect(html.bodyExcerpt).toBe('502 Bad Gateway');
    const long = await rejection(http.requestOk({ url: `${target.url}/long` }));
    expect(long.bodyExcerpt?.length).toBeLessThanOrEqual(200);
    expect(long.message.length).toBeLessThan(300);
  });

  it('throws invalid_json with a bounded excerpt', async () => {
    const target = await serve((_req, res) =>
      res.end(`<html><title>Login</title></html>${'z'.repeat(5000)}`),
    );
    const response = await client().request({ url: target.url });
    let error: unknown;
    try {
      response.json();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      kind: 'invalid_json',
      status: 200,
      retryable: false,
      bodyExcerpt: 'Login',
    });
  });

  it('reports a refused connection as a retryable network error', async () => {
    const target = await serve((_req, res) => res.end());
    servers.splice(0).forEach((server) => server.close());
    const error = await rejection(client().request({ url: target.url }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });
});

describe('createHttpClient: limits', () => {
  it('aborts a streamed body as soon as it passes maxResponseContentLength', async () => {
    const total = 20 * 1024 * 1024;
    let written = 0;
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const target = await serve((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      res.on('close', markClosed);
      // Writes only as fast as the client reads (backpressure), so `written` tracks what it took.
      const pump = (): void => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const error = await rejection(client({ maxResponseContentLength: '100kb' }).request({ url: target.url }));
    expect(error).toMatchObject({ kind: 'response_too_large', retryable: false });
    await closed;
    expect(written).toBeLessThan(total / 4);
  });

  it('refuses a declared Content-Length above the limit without reading the body', async () => {
    const target = await serve((_req, res) => {
      res.setHeader('content-length', String(5_000_000));
      res.write('x'.repeat(1000));
    });
    const error = await rejection(client({ maxResponseContentLength: '1mb' }).request({ url: target.url }));
    expect(error).toMatchObject({ kind: 'response_too_large', status: 200 });
  });

  it('times out after responseTimeout, and timeoutMs may only raise it', async () => {
    const target = await serve((req, res) => {
      if (req.url === '/never') return;
      setTimeout(() => res.end('late'), 300);
    });
    const http = client({ responseTimeout: 150 });
    const started = Date.now();
    const error = await rejection(http.request({ url: `${target.url}/never`, timeoutMs: 10 }));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await http.request({ url: `${target.url}/slow`, timeoutMs: 2_000 })).text()).toBe('late');
  });

  it('honours the caller abort signal', async () => {
    const target = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(client().request({ url: target.url, signal: controller.signal }));
    expect(error.kind).toBe('aborted');
  });
});

describe('createHttpClient: redirects', () => {
  it('follows redirects, re-checking each hop and dropping credentials across origins', async () => {
    const last = await serve((req, res) =>
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null })),
    );
    const first = await serve((_req, res) => {
      res.statusCode = 302;
      // localhost and 127.0.0.1 are different origins, so the Authorization header must go.
      res.setHeader('location', `http://localhost:${last.port}/final`);
      res.end();
    });
    const response = await client().requestOk({
      url: first.url,
      method: 'POST',
      body: 'x',
      headers: { Authorization: 'Bearer t' },
    });
    expect(response.json()).toEqual({ method: 'GET', auth: null });
    expect(response.url).toBe(`http://localhost:${last.port}/final`);
  });

  it('refuses a redirect to a host outside allowedHosts without calling it', async () => {
    const forbidden = await serve((_req, res) => res.end('should not be reached'));
    const start = await serve((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${forbidden.port}/steal?x=1` }).end();
    });
    const http = client({ allowedHosts: ['localhost'] });
    const error = await rejection(http.request({ url: `http://localhost:${start.port}/` }));
    expect(error).toMatchObject({ kind: 'host_not_allowed', retryable: false });
    expect(error.message).toBe(
      `target url "http://127.0.0.1:${forbidden.port}/steal" is not added to the Kibana config xpack.actions.allowedHosts`,
    );
    expect(forbidden.requests).toHaveLength(0);
  });

  it('stops after maxRedirects hops', async () => {
    const loop = await serve((_req, res) => res.writeHead(301, { location: '/again' }).end());
    const error = await rejection(client().request({ url: loop.url, maxRedirects: 2 }));
    expect(error).toMatchObject({ kind: 'status', status: 301, retryable: false });
    expect(loop.requests).toHaveLength(3);
  });
});
