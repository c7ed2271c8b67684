import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsConfig } from '../config/schema.js';
import { createHttpClient } from './http-client.js';
import { HttpError, type HttpClient, type HttpRequest } from './http-types.js';
import { actionsSettings } from '../../test/helpers/actions-settings.js';

// TLS and proxy behaviour over real sockets on 127.0.0.1, with the test CA in test/fixtures/tls.
const fixtures = join(import.meta.dirname, '../../test/fixtures/tls');
const pem = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const ca = pem('ca.pem');

const servers: Server[] = [];
const sockets: Socket[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  sockets.splice(0).forEach((socket) => socket.destroy());
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

function client(overrides: Partial<ActionsConfig> = {}, warnings: string[] = []): HttpClient {
  const created = createHttpClient(actionsSettings(overrides), { warn: (message) => warnings.push(message) });
  clients.push(created);
  return created;
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** An https server that answers with the client certificate's CN (if any). */
async function tlsServer(name: 'server' | 'wrong-host', extra: ServerOptions = {}) {
  let handshakes = 0;
  const server = createHttpsServer(
    { key: pem(`${name}.key`), cert: pem(`${name}.pem`), ...extra },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ peer: peer.subject?.CN ?? null }));
    },
  );
  server.on('secureConnection', () => (handshakes += 1));
  const port = await listen(server);
  return { port, handshakes: () => handshakes };
}

/** A CONNECT-only forward proxy, recording each tunnel request. */
async function proxyServer(answer?: number) {
  const tunnels: Array<{ target: string; headers: IncomingHttpHeaders }> = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, downstream: Socket, head: Buffer) => {
    sockets.push(downstream);
    tunnels.push({ target: req.url ?? '', headers: req.headers });
    if (answer !== undefined) return void downstream.end(`HTTP/1.1 ${answer} Refused\r\n\r\n`);
    const match = /^(.*):(\d+)$/.exec(req.url ?? '');
    const upstream = connect(Number(match?.[2]), match?.[1] ?? '', () => {
      downstream.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(downstream).pipe(upstream);
    });
    sockets.push(upstream);
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, tunnels };
}

async function outcome(http: HttpClient, request: HttpRequest): Promise<unknown> {
  try {
    return (await http.requestOk(request)).json();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return { kind: (error as HttpError).kind, retryable: (error as HttpError).retryable };
  }
}

describe('createHttpClient: TLS verification', () => {
  it('refuses an unknown CA in full mode and trusts a connector CA', async () => {
    const { port } = await tlsServer('server');
    const http = client();
    const url = `https://127.0.0.1:${port}/`;
    expect(await outcome(http, { url })).toEqual({ kind: 'tls', retryable: false });
    expect(await outcome(http, { url, tls: { ca } })).toEqual({ peer: null });
  });

  it('applies verification modes: certificate skips only the hostname check, none skips both', async () => {
    const { port } = await tlsServer('wrong-host');
    const url = `https://127.0.0.1:${port}/`;
    const http = client();
    const tls = { kind: 'tls', retryable: false };
    expect(await outcome(http, { url, tls: { ca } })).toEqual(tls);
    expect(await outcome(http, { url, tls: { ca, verificationMode: 'certificate' } })).toEqual({
      peer: null,
    });
    expect(await outcome(http, { url, tls: { verificationMode: 'certificate' } })).toEqual(tls);
    expect(await outcome(http, { url, tls: { verificationMode: 'none' } })).toEqual({ peer: null });
    expect(
      await outcome(client({ ssl: { verificationMode: 'none', proxyVerificationMode: 'full' } }), { url }),
    ).toEqual({
      peer: null,
    });
  });

  it('uses customHostSettings by canonical protocol//host:port, reading CA files at creation', async () => {
    const { port } = await tlsServer('wrong-host');
    const http = client({
      customHostSettings: [
        {
          url: `https://localhost:${port}`,
          ssl: { certificateAuthoritiesFiles: join(fixtures, 'ca.pem'), verificationMode: 'certificate' },
        },
      ],
    });
    expect(await outcome(http, { url: `https://localhost:${port}/x` })).toEqual({ peer: null });
    // Another host name for the same server does not match the entry.
    expect(await outcome(http, { url: `https://127.0.0.1:${port}/x` })).toEqual({
      kind: 'tls',
      retryable: false,
    });
  });

  it('warns about unreadable CA files and duplicate entries', () => {
    const warnings: string[] = [];
    client(
      {
        customHostSettings: [
          { url: 'https://a.example', ssl: { certificateAuthoritiesFiles: ['/nonexistent/ca.pem'] } },
          { url: 'https://a.example:443/path' },
          { url: 'ftp://b.example' },
        ],
      },
      warnings,
    );
    expect(warnings.join('\n')).toMatch(/unable to read CA file "\/nonexistent\/ca.pem"/);
    expect(warnings.join('\n')).toMatch(/duplicate entry for "https:\/\/a.example:443"/);
    expect(warnings.join('\n')).toMatch(/ignoring entry "ftp:\/\/b.example"/);
  });

  it('reuses one agent (and its connection) for identical TLS options', async () => {
    const server = await tlsServer('server');
    const http = client();
    // A new agent per request would mean one handshake per request.
    for (let i = 0; i < 5; i += 1)
      await http.requestOk({ url: `https://127.0.0.1:${server.port}/`, tls: { ca } });
    expect(server.handshakes()).toBeLessThanOrEqual(2);
  });
});

describe('createHttpClient: mutual TLS', () => {
  const mtls: ServerOptions = { ca, requestCert: true, rejectUnauthorized: true };

  it('is refused without a client certificate', async () => {
    const { port } = await tlsServer('server', mtls);
    const result = await outcome(client(), { url: `https://127.0.0.1:${port}/`, tls: { ca } });
    expect(result).toMatchObject({ kind: expect.stringMatching(/^(tls|network)$/) });
  });

  it('presents a PEM certificate and key, or a PFX bundle', async () => {
    const { port } = await tlsServer('server', mtls);
    const url = `https://127.0.0.1:${port}/`;
    const http = client();
    const expected = { peer: 'casebridge test client' };
    expect(
      await outcome(http, { url, tls: { ca, cert: pem('client.pem'), key: pem('client.key') } }),
    ).toEqual(expected);
    const pfx = readFileSync(join(fixtures, 'client.pfx'));
    expect(await outcome(http, { url, tls: { ca, pfx, passphrase: 'fixture' } })).toEqual(expected);
  });

  it('presents the client identity from customHostSettings', async () => {
    const { port } = await tlsServer('server', mtls);
    const http = client({
      customHostSettings: [
        {
          url: `https://127.0.0.1:${port}`,
          ssl: {
            certificateAuthoritiesData: ca,
            certificateFile: join(fixtures, 'client.pem'),
            keyFile: join(fixtures, 'client.key'),
          },
        },
      ],
    });
    expect(await outcome(http, { url: `https://127.0.0.1:${port}/` })).toEqual({
      peer: 'casebridge test client',
    });
  });
});

describe('createHttpClient: proxies', () => {
  it('tunnels https through the global proxy with its headers', async () => {
    const { port } = await tlsServer('server');
    const proxy = await proxyServer();
    const http = client({ proxyUrl: proxy.url, proxyHeaders: { 'x-proxy-token': 'p1' } });
    expect(await outcome(http, { url: `https://localhost:${port}/`, tls: { ca } })).toEqual({ peer: null });
    expect(proxy.tunnels).toEqual([
      { target: `localhost:${port}`, headers: expect.objectContaining({ 'x-proxy-token': 'p1' }) },
    ]);
  });

  it('bypasses the proxy for proxyBypassHosts, and ignores proxyOnlyHosts when both are set', async () => {
    const { port } = await tlsServer('server');
    const proxy = await proxyServer();
    const warnings: string[] = [];
    const http = client(
      { proxyUrl: proxy.url, proxyBypassHosts: ['localhost'], proxyOnlyHosts: ['localhost'] },
      warnings,
    );
    await http.requestOk({ url: `https://localhost:${port}/`, tls: { ca } });
    expect(proxy.tunnels).toHaveLength(0);
    await http.requestOk({ url: `https://127.0.0.1:${port}/`, tls: { ca } });
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`127.0.0.1:${port}`]);
    expect(warnings.join('\n')).toMatch(/proxyOnlyHosts is ignored/);
  });

  it('uses the proxy only for proxyOnlyHosts', async () => {
    const { port } = await tlsServer('server');
    const proxy = await proxyServer();
    const http = client({ proxyUrl: proxy.url, proxyOnlyHosts: ['localhost'] });
    await http.requestOk({ url: `https://127.0.0.1:${port}/`, tls: { ca } });
    await http.requestOk({ url: `https://localhost:${port}/`, tls: { ca } });
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`localhost:${port}`]);
  });

  it('ignores an invalid proxy url with a warning', async () => {
    const { port } = await tlsServer('server');
    const warnings: string[] = [];
    const http = client({ proxyUrl: 'not a url' }, warnings);
    expect(await outcome(http, { url: `https://127.0.0.1:${port}/`, tls: { ca } })).toEqual({ peer: null });
    expect(warnings.join('\n')).toMatch(/proxyUrl is not a valid/);
  });

  it("lets a connector's proxy replace the global one", async () => {
    const { port } = await tlsServer('server');
    const own = await proxyServer();
    const http = client({ proxyUrl: 'http://127.0.0.1:1' });
    const result = await outcome(http, {
      url: `https://127.0.0.1:${port}/`,
      tls: { ca },
      proxy: { url: own.url },
    });
    expect(result).toEqual({ peer: null });
    expect(own.tunnels).toHaveLength(1);
  });

  it('tunnels plain http too, and classifies proxy refusals', async () => {
    const refusing = await proxyServer(407);
    const http = client({ proxyUrl: refusing.url });
    expect(await outcome(http, { url: 'http://127.0.0.1:9/' })).toEqual({ kind: 'proxy', retryable: false });
    expect(refusing.tunnels.map((t) => t.target)).toEqual(['127.0.0.1:9']);
    const dead = client({ proxyUrl: 'http://127.0.0.1:1' });
    expect(await outcome(dead, { url: 'http://127.0.0.1:9/' })).toEqual({ kind: 'proxy', retryable: true });
  });
});
