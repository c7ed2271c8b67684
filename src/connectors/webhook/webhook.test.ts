import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsConfig } from '../../config/schema.js';
import type { ExecutionContext, TokenStore } from '../contract.js';
import { createHttpClient } from '../http-client.js';
import type { HttpClient } from '../http-types.js';
import { WebhookConfig, type WebhookConfigType, type WebhookSecretsType } from './schema.js';
import { webhookConnectorType as webhook } from './webhook.js';
import { actionsSettings } from '../../../test/helpers/actions-settings.js';

// Every call goes through a real createHttpClient to a real receiver on 127.0.0.1.
const fixtures = join(import.meta.dirname, '../../../test/fixtures/tls');
const pem = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

const servers: Server[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

function httpClient(overrides: Partial<ActionsConfig> = {}): HttpClient {
  const client = createHttpClient(actionsSettings(overrides));
  clients.push(client);
  return client;
}

function memoryTokens(): TokenStore & { sets: number } {
  const tokens = new Map<string, { token: string; expiresAt: Date }>();
  const store = {
    sets: 0,
    get: async (type: string) => tokens.get(type),
    set: async (type: string, token: string, expiresAt: Date) => {
      store.sets += 1;
      tokens.set(type, { token, expiresAt });
    },
    clear: async () => tokens.clear(),
  };
  return store;
}

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
  peer?: string;
}

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function receiver(reply: Reply = (_req, res) => res.end('{"received":true}'), tls = false) {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const cn = tls ? (req.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
      const peer = cn === undefined ? undefined : String(cn);
      seen.push({ method: req.method, url: req.url, headers: req.headers, body, ...(peer && { peer }) });
      reply(req, res, body);
    });
  };
  const tlsOptions = {
    key: pem('server.key'),
    cert: pem('server.pem'),
    ca: pem('ca.pem'),
    requestCert: true,
    rejectUnauthorized: true,
  };
  const server = tls ? createHttpsServer(tlsOptions, handler) : createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, seen };
}

function context(
  config: Partial<WebhookConfigType> & { url: string },
  secrets: WebhookSecretsType = {},
  http: HttpClient = httpClient(),
  tokens: TokenStore = memoryTokens(),
): ExecutionContext<WebhookConfigType, WebhookSecretsType> {
  return {
    connectorId: 'c1',
    connectorName: 'hook',
    config: Value.Default(WebhookConfig, { ...config }) as WebhookConfigType,
    secrets,
    http,
    tokens,
    logger: pino({ level: 'silent' }),
    source: 'http_request',
  };
}

describe('.webhook execute', () => {
  it('posts the body as JSON with the configured headers and returns the parsed reply', async () => {
    const target = await receiver();
    const result = await webhook.execute(
      context({ url: `${target.url}/hook`, headers: { 'X-Team': 'sec' }, hasAuth: false }),
      {
        body: '{"alert":"x"}',
      },
    );
    expect(result).toEqual({ status: 'ok', data: { received: true } });
    expect(target.seen[0]).toMatchObject({ method: 'POST', url: '/hook', body: '{"alert":"x"}' });
    expect(target.seen[0]?.headers).toMatchObject({ 'x-team': 'sec', 'content-type': 'application/json' });
    expect(target.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('returns text replies as text, sends no body with GET, and honours put', async () => {
    const target = await receiver((_req, res) => res.end('thanks'));
    expect(await webhook.execute(context({ url: target.url, method: 'put' }), { body: 'b' })).toEqual({
      status: 'ok',
      data: 'thanks',
    });
    await webhook.execute(context({ url: target.url, method: 'get' }), { body: 'ignored' });
    expect(target.seen.map((s) => [s.method, s.body])).toEqual([
      ['PUT', 'b'],
      ['GET', ''],
    ]);
  });

  it('sends basic credentials, also for legacy configs without authType', async () => {
    const target = await receiver();
    const secrets = { user: 'alice', password: 's3cret' };
    await webhook.execute(context({ url: target.url, authType: 'webhook-authentication-basic' }, secrets), {
      body: '{}',
    });
    await webhook.execute(context({ url: target.url }, secrets), { body: '{}' });
    const expected = `Basic ${b64('alice:s3cret')}`;
    expect(target.seen.map((s) => s.headers.authorization)).toEqual([expected, expected]);
  });

  it('presents a client certificate (crt and key, or pfx) and trusts the configured CA', async () => {
    const target = await receiver(undefined, true);
    const config = {
      url: target.url,
      authType: 'webhook-authentication-ssl' as const,
      ca: b64(pem('ca.pem')),
    };
    const crtKey = await webhook.execute(
      context(
        { ...config, certType: 'ssl-crt-key' },
        { crt: b64(pem('client.pem')), key: b64(pem('client.key')) },
      ),
      { body: '{}' },
    );
    expect(crtKey.status).toBe('ok');
    const pfx = b64(readFileSync(join(fixtures, 'client.pfx')));
    const bundle = await webhook.execute(
      context({ ...config, certType: 'ssl-pfx' }, { pfx, password: 'fixture' }),
      { body: '{}' },
    );
    expect(bundle.status).toBe('ok');
    expect(target.seen.map((s) => s.peer)).toEqual(['casebridge test client', 'casebridge test client']);
  });

  it('fails without retry when the TLS handshake is refused', async () => {
    const target = await receiver(undefined, true);
    const result = await webhook.execute(context({ url: target.url, hasAuth: false }), { body: '{}' });
    expect(result).toMatchObject({
      status: 'error',
      message: 'error calling webhook, request failed',
      retry: false,
    });
  });
});

describe('.webhook OAuth2 client credentials', () => {
  const oauthConfig = (url: string): Partial<WebhookConfigType> & { url: string } => ({
    url: `${url}/hook`,
    authType: 'webhook-oauth2-client-credentials',
    accessTokenUrl: `${url}/token`,
    clientId: 'client-1',
    scope: 'write',
    additionalFields: '{"audience":"casebridge"}',
  });

  async function oauthServer(rejectToken?: string) {
    let issued = 0;
    return receiver((req, res) => {
      if (req.url === '/token') {
        issued += 1;
        return void res.end(
          JSON.stringify({ access_token: `tok${issued}`, token_type: 'bearer', expires_in: 3600 }),
        );
      }
      res.statusCode = req.headers.authorization === rejectToken ? 401 : 200;
      res.end('{}');
    });
  }

  it('fetches a token once, caches it, and sends it as a bearer token', async () => {
    const target = await oauthServer();
    const tokens = memoryTokens();
    const http = httpClient();
    for (let i = 0; i < 2; i += 1) {
      const result = await webhook.execute(
        context(oauthConfig(target.url), { clientSecret: 'cs' }, http, tokens),
        { body: '{}' },
      );
      expect(result.status).toBe('ok');
    }
    const tokenCalls = target.seen.filter((s) => s.url === '/token');
    expect(tokenCalls).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(tokenCalls[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 'cs',
      scope: 'write',
      audience: 'casebridge',
    });
    expect(target.seen.filter((s) => s.url === '/hook').map((s) => s.headers.authorization)).toEqual([
      'Bearer tok1',
      'Bearer tok1',
    ]);
  });

  it('refreshes the token once on a 401 and retries', async () => {
    const target = await oauthServer('Bearer stale');
    const tokens = memoryTokens();
    await tokens.set('access_token', 'Bearer stale', new Date(Date.now() + 3_600_000));
    const result = await webhook.execute(
      context(oauthConfig(target.url), { clientSecret: 'cs' }, httpClient(), tokens),
      { body: '{}' },
    );
    expect(result.status).toBe('ok');
    expect(target.seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ['/hook', 'Bearer stale'],
      ['/token', undefined],
      ['/hook', 'Bearer tok1'],
    ]);
  });

  it('reports a token endpoint failure', async () => {
    const target = await receiver((_req, res) => res.writeHead(401).end('{"error":"invalid_client"}'));
    const result = await webhook.execute(context(oauthConfig(target.url), { clientSecret: 'bad' }), {
      body: '{}',
    });
    expect(result).toMatchObject({
      status: 'error',
      message: 'error calling webhook, request failed',
      retry: false,
    });
    expect(result.serviceMessage).toMatch(/^Unable to retrieve\/refresh the access token: .*invalid_client/);
    expect(target.seen.map((s) => s.url)).toEqual(['/token']);
  });
});

describe('.webhook retry decisions', () => {
  async function failing(status: number, headers: Record<string, string> = {}, body = '') {
    const target = await receiver((_req, res) => res.writeHead(status, headers).end(body));
    return webhook.execute(context({ url: target.url, hasAuth: false }), { body: '{}' });
  }

  it('retries 5xx later and cuts HTML error pages to their title', async () => {
    const result = await failing(
      502,
      { 'content-type': 'text/html' },
      `<html><title>Bad Gateway</title>${'<p>x</p>'.repeat(999)}</html>`,
    );
    expect(result).toMatchObject({
      status: 'error',
      message: 'error calling webhook, retry later',
      retry: true,
    });
    expect(result.serviceMessage).toMatch(/502 Bad Gateway: Bad Gateway$/);
  });

  it('retries at the time Retry-After gives, on 429 and 503', async () => {
    for (const status of [429, 503]) {
      const result = await failing(status, { 'retry-after': '60' });
      expect(result.retry).toBeInstanceOf(Date);
      const at = (result.retry as Date).getTime();
      expect(Math.abs(at - Date.now() - 60_000)).toBeLessThan(5_000);
      expect(result.message).toBe(`error calling webhook, retry at ${(result.retry as Date).toISOString()}`);
    }
    expect(await failing(429)).toMatchObject({ message: 'error calling webhook, retry later', retry: true });
  });

  it('does not retry other 4xx, marking configuration mistakes as the user’s', async () => {
    const notFound = await failing(404, {}, '{"message":"no route"}');
    expect(notFound).toMatchObject({
      message: 'error calling webhook, invalid response',
      retry: false,
      errorSource: 'user',
    });
    expect(notFound.serviceMessage).toContain('no route');
    const unprocessable = await failing(422);
    expect(unprocessable).toMatchObject({ retry: false });
    expect(unprocessable.errorSource).toBeUndefined();
  });

  it('retries network errors and refuses hosts outside allowedHosts without retry', async () => {
    const target = await receiver();
    for (const server of servers.splice(0)) server.close();
    const down = await webhook.execute(context({ url: target.url, hasAuth: false }), { body: '{}' });
    expect(down).toMatchObject({ message: 'error calling webhook, request failed', retry: true });
    const blocked = await webhook.execute(
      context({ url: target.url, hasAuth: false }, {}, httpClient({ allowedHosts: ['example.com'] })),
      {
        body: '{}',
      },
    );
    expect(blocked).toMatchObject({
      message: 'error calling webhook, request failed',
      retry: false,
      errorSource: 'user',
    });
  });
});
