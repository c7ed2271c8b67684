import type dns from 'node:dns';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsConfig } from '../config/schema.js';
import { literalAddress, refusalFor } from './http-addresses.js';
import { createHttpClient } from './http-client.js';
import { bodyExcerpt, describeEndpoint, scrubMessage, withoutUserinfo } from './http-messages.js';
import { HttpError, type HttpClient } from './http-types.js';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.js';
import { actionsSettings } from '../../test/helpers/actions-settings.js';

const clients: HttpClient[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  servers.splice(0).forEach((s) => s.close());
});

function client(overrides: Partial<ActionsConfig> = {}, lookup?: typeof dns.lookup): HttpClient {
  const created = createHttpClient(
    actionsSettings({ responseTimeout: '5s', ...overrides }),
    lookup ? { lookup } : {},
  );
  clients.push(created);
  return created;
}

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected a throw');
}

/** A resolver that answers every name with one fixed address, as a hostile DNS record would. */
function resolvingTo(address: string, family: 4 | 6): typeof dns.lookup {
  const fake = (_host: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void): void => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return fake as unknown as typeof dns.lookup;
}

const metadataUrls = [
  'http://169.254.169.254/latest/meta-data/',
  'http://2852039166/',
  'http://0xa9fea9fe/',
  'http://0251.0376.0251.0376/',
  'http://169.254.43518/',
  'http://[fd00:ec2::254]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/',
];

describe('allowedHosts', () => {
  it("uses Kibana's exact texts", () => {
    const http = client({ allowedHosts: ['example.com'] });
    expect(thrown(() => http.ensureUriAllowed('https://other.example/x?q=1')).message).toBe(
      'target url "https://other.example/x?q=1" is not added to the Kibana config xpack.actions.allowedHosts',
    );
    expect(thrown(() => http.ensureHostnameAllowed('other.example')).message).toBe(
      'target hostname "other.example" is not added to the Kibana config xpack.actions.allowedHosts',
    );
    expect(thrown(() => http.ensureUriAllowed('not a url')).kind).toBe('host_not_allowed');
    expect(() => http.ensureUriAllowed('https://EXAMPLE.com/hook')).not.toThrow();
    expect(() => http.ensureHostnameAllowed('example.com')).not.toThrow();
  });

  it('never prints userinfo, and an empty list blocks everything', () => {
    const http = client({ allowedHosts: [] });
    const error = thrown(() => http.ensureUriAllowed('https://user:pw@example.com/'));
    expect(error.message).not.toContain('pw');
    expect(() => client().ensureUriAllowed('https://anything.example')).not.toThrow();
  });

  it('refuses a request before connecting', async () => {
    const error = await client({ allowedHosts: ['example.com'] })
      .request({ url: 'http://127.0.0.1:9/x?token=abc' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'host_not_allowed',
      retryable: false,
      endpoint: 'GET http://127.0.0.1:9/x',
    });
  });
});

describe('the cloud metadata address', () => {
  it.each(metadataUrls)('is refused in any spelling: %s', (url) => {
    const error = thrown(() => client().ensureUriAllowed(url));
    expect(error.kind).toBe('host_not_allowed');
    expect(error.message).toMatch(/cloud metadata address/);
  });

  it('is refused as a bare hostname and on request, without a connection', async () => {
    expect(thrown(() => client().ensureHostnameAllowed('2852039166')).kind).toBe('host_not_allowed');
    const started = Date.now();
    const error = await client()
      .request({ url: 'http://169.254.169.254/latest' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'host_not_allowed', retryable: false });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.each([
    ['169.254.169.254', 4],
    ['fd00:ec2::254', 6],
    ['::ffff:169.254.169.254', 6],
  ] as const)('is refused when a hostname resolves to %s', async (address, family) => {
    const error = await client({}, resolvingTo(address, family))
      .request({ url: 'http://metadata.internal.test/' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'host_not_allowed', retryable: false });
    expect((error as Error).message).toMatch(/resolved from "metadata.internal.test"/);
  });
});

describe('denyPrivateNetworks', () => {
  it('refuses private literals, and names that resolve to them (real DNS for localhost)', async () => {
    const server = createServer((_req, res) => res.end('reached'));
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const guarded = client({ denyPrivateNetworks: true });
    expect(thrown(() => guarded.ensureUriAllowed('http://10.1.2.3/')).message).toMatch(/private network/);
    const literal = await guarded.request({ url: `http://127.0.0.1:${port}/` }).catch((e: unknown) => e);
    expect(literal).toMatchObject({ kind: 'host_not_allowed' });
    const named = await guarded.request({ url: `http://localhost:${port}/` }).catch((e: unknown) => e);
    expect(named).toMatchObject({ kind: 'host_not_allowed' });
    expect((await client().request({ url: `http://localhost:${port}/` })).text()).toBe('reached');
  });

  it.each([
    ['127.0.0.1', 'private'],
    ['10.0.0.8', 'private'],
    ['172.20.1.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'private'],
    ['::1', 'private'],
    ['fe80::1', 'private'],
    ['fd12::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['93.184.216.34', undefined],
    ['2606:4700::1111', undefined],
    ['172.32.0.1', undefined],
  ])('classifies %s as %s', (address, expected) => {
    expect(refusalFor(address, true)).toBe(expected);
    expect(refusalFor(address, false)).toBeUndefined();
  });

  it('normalises literal spellings', () => {
    expect(literalAddress('[::1]')).toBe('::1');
    expect(literalAddress('2130706433')).toBe('127.0.0.1');
    expect(literalAddress('example.com')).toBeUndefined();
  });
});

describe('Retry-After and rate-limit reset', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it('parses seconds, HTTP dates and epoch resets', () => {
    expect(parseRetryAfter('30', now)?.getTime()).toBe(now + 30_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:05:00 GMT', now)?.getTime()).toBe(now + 300_000);
    expect(parseRetryAfter('Wed, 01 Jan 2020 12:05:00 GMT', now)?.getTime()).toBe(now);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRateLimitReset(String(now / 1000 + 60), now)?.getTime()).toBe(now + 60_000);
    expect(parseRateLimitReset('15', now)?.getTime()).toBe(now + 15_000);
    expect(parseRateLimitReset(String(now + 5_000), now)?.getTime()).toBe(now + 5_000);
    expect(parseRateLimitReset('x', now)).toBeUndefined();
  });
});

describe('message helpers', () => {
  it('builds endpoints without userinfo, query or fragment', () => {
    expect(describeEndpoint('POST', new URL('https://u:p@h.example:8443/a/b?token=1#f'))).toBe(
      'POST https://h.example:8443/a/b',
    );
    expect(withoutUserinfo('https://u:p@h.example/x?y=1')).toBe('https://h.example/x?y=1');
    expect(scrubMessage('connect via http://me:secret@proxy:3128 failed')).toBe(
      'connect via http://proxy:3128 failed',
    );
  });

  it('reduces bodies to a short excerpt', () => {
    const page = Buffer.from('<!DOCTYPE html><html><body><h1>Service &amp; Co</h1><p>down</p></body></html>');
    expect(bodyExcerpt(page)).toBe('Service & Co down');
    expect(bodyExcerpt(Buffer.from([0, 1, 2, 3, 0, 0, 0, 9]))).toBe('<8 bytes of binary data>');
    expect(bodyExcerpt(Buffer.from('{\n  "error": "bad"\n}'))).toBe('{ "error": "bad" }');
    expect(bodyExcerpt(Buffer.from('x'.repeat(1000))).length).toBe(200);
  });
});
