import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeed, startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { basic, call, errorOf, form, type Reply } from './test-support.js';

const CLIENT = 'jwt-client';
const SECRET = 'jwt-secret';
const KID = 'kid-1';
let sn: ServiceNowSimulator;
let privateKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  sn = await startServiceNowSimulator({
    tokenLifetimeSeconds: 600,
    oauthClients: [
      demoSeed.oauthClient,
      {
        client_id: CLIENT,
        client_secret: SECRET,
        grants: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
        userField: 'email',
        jwtVerifiers: [{ kid: KID, publicKeyPem: await exportSPKI(pair.publicKey) }],
      },
    ],
  });
});
afterAll(() => sn.close());

const demo = demoSeed.oauthClient;

function token(values: Record<string, string>): Promise<Reply> {
  return call(sn.url, 'POST', '/oauth_token.do', form(values));
}

function accessTokenOf(reply: Reply): string {
  const body = reply.json as { access_token?: string };
  if (reply.status !== 200 || !body.access_token) throw new Error(`no token: ${reply.status} ${reply.text}`);
  return body.access_token;
}

async function assertion(
  overrides: { kid?: string; iss?: string; aud?: string; sub?: string; exp?: number; key?: CryptoKey } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: overrides.kid ?? KID })
    .setSubject(overrides.sub ?? 'casebridge.itsm@example.com')
    .setAudience(overrides.aud ?? CLIENT)
    .setIssuer(overrides.iss ?? CLIENT)
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 3600)
    .sign(overrides.key ?? privateKey);
}

function jwtGrant(jwt: string): Promise<Reply> {
  return token({
    assertion: jwt,
    client_id: CLIENT,
    client_secret: SECRET,
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  });
}

function expectRefused(reply: Reply, reason: RegExp): void {
  expect(reply.status).toBe(401);
  expect(reply.json).toEqual({ error_description: 'access_denied', error: 'server_error' });
  expect(sn.requestLog.last()?.note).toMatch(reason);
}

describe('password and refresh_token grants', () => {
  it('issues a bearer token usable on the Table API, and a refresh token that yields a new one', async () => {
    const reply = await token({
      grant_type: 'password',
      client_id: demo.client_id,
      client_secret: demo.client_secret,
      username: 'itil.user',
      password: 'itil-user',
    });
    expect(reply.json).toMatchObject({ scope: 'useraccount', token_type: 'Bearer', expires_in: 599 });
    const { access_token, refresh_token } = reply.json as { access_token: string; refresh_token: string };
    const list = await call(sn.url, 'GET', '/api/now/table/incident', { auth: `Bearer ${access_token}` });
    expect(list.status).toBe(200);
    expect(sn.requestLog.last()?.user).toBe('itil.user');

    const refreshed = await token({
      grant_type: 'refresh_token',
      client_id: demo.client_id,
      client_secret: demo.client_secret,
      refresh_token,
    });
    const second = accessTokenOf(refreshed);
    expect(second).not.toBe(access_token);
    expect((refreshed.json as { refresh_token: string }).refresh_token).toBe(refresh_token);
  });

  it('refuses wrong passwords, wrong secrets, unknown clients and unknown refresh tokens with one body', async () => {
    const base = { grant_type: 'password', client_id: demo.client_id, client_secret: demo.client_secret };
    expectRefused(
      await token({ ...base, username: 'itil.user', password: 'nope' }),
      /wrong username or password/,
    );
    expectRefused(
      await token({ ...base, client_secret: 'x', username: 'itil.user', password: 'itil-user' }),
      /wrong client_secret/,
    );
    expectRefused(await token({ ...base, client_id: 'who' }), /unknown client_id/);
    expectRefused(
      await token({ ...base, grant_type: 'refresh_token', refresh_token: 'forged' }),
      /unknown refresh_token/,
    );
  });

  it('reads only form bodies: a JSON body is refused', async () => {
    const reply = await call(sn.url, 'POST', '/oauth_token.do', {
      auth: null,
      body: { grant_type: 'password', client_id: demo.client_id, client_secret: demo.client_secret },
    });
    expectRefused(reply, /unknown client_id \(none\)/);
  });

  it('masks secrets of token requests in the request log', async () => {
    await token({
      grant_type: 'password',
      client_id: demo.client_id,
      client_secret: 'top-secret',
      username: 'u',
      password: 'p4ss',
    });
    const body = sn.requestLog.last()?.body as Record<string, string>;
    expect(body).toMatchObject({ client_secret: '****', password: '****', username: 'u' });
    expect(JSON.stringify(sn.requestLog.all())).not.toContain('p4ss');
  });
});

describe('client_credentials grant', () => {
  it('acts as the OAuth application user, with credentials in the body or a Basic header, and no refresh token', async () => {
    const inBody = await token({
      grant_type: 'client_credentials',
      client_id: demo.client_id,
      client_secret: demo.client_secret,
    });
    expect(inBody.json).not.toHaveProperty('refresh_token');
    const viaHeader = await call(sn.url, 'POST', '/oauth_token.do', {
      ...form({ grant_type: 'client_credentials' }),
      auth: basic(demo.client_id, demo.client_secret),
    });
    const created = await call(sn.url, 'POST', '/api/now/table/incident', {
      auth: `Bearer ${accessTokenOf(viaHeader)}`,
      body: {},
    });
    expect(created.status).toBe(201);
    expect(sn.requestLog.last()?.user).toBe('casebridge.itsm');
  });
});

describe('JWT bearer grant', () => {
  it('accepts an RS256 assertion signed by the registered key and maps sub through the user field', async () => {
    const reply = await jwtGrant(await assertion());
    const list = await call(sn.url, 'GET', '/api/now/table/incident', {
      auth: `Bearer ${accessTokenOf(reply)}`,
    });
    expect(list.status).toBe(200);
    expect(sn.requestLog.last()?.user).toBe('casebridge.itsm');
    expect(reply.json).not.toHaveProperty('refresh_token');
  });

  it.each([
    ['unknown kid', { kid: 'other' }, /no JWT verifier for kid other/],
    ['forged signature', { key: 'other' }, /JWT rejected: signature verification failed/],
    ['wrong issuer', { iss: 'someone' }, /JWT rejected: unexpected "iss"/],
    ['wrong audience', { aud: 'someone' }, /JWT rejected: unexpected "aud"/],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120 }, /JWT rejected: "exp" claim/],
    ['unknown subject', { sub: 'nobody@example.com' }, /no user with email/],
  ])('refuses an assertion with %s', async (_name, change, reason) => {
    const { key, ...rest } = change as { key?: string };
    const jwt = await assertion({ ...rest, ...(key ? { key: otherKey } : {}) });
    expectRefused(await jwtGrant(jwt), reason);
  });

  it('refuses garbage and replayed jti values', async () => {
    expectRefused(await jwtGrant('not-a-jwt'), /assertion is not a JWT/);
    const now = Math.floor(Date.now() / 1000);
    const withJti = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setSubject('casebridge.itsm@example.com')
      .setAudience(CLIENT)
      .setIssuer(CLIENT)
      .setExpirationTime(now + 60)
      .setJti('once')
      .sign(privateKey);
    expect((await jwtGrant(withJti)).status).toBe(200);
    expectRefused(await jwtGrant(withJti), /jti already used/);
  });

  it('refuses (and does not crash) when a verifier key cannot be read', async () => {
    sn.control.addOAuthClient({
      client_id: 'broken',
      client_secret: 's',
      jwtVerifiers: [
        { kid: KID, publicKeyPem: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' },
      ],
    });
    const jwt = await assertion({ iss: 'broken', aud: 'broken' });
    const reply = await token({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: 'broken',
      client_secret: 's',
      assertion: jwt,
    });
    expectRefused(reply, /JWT rejected/);
  });

  it('refuses grants the registry entry does not enable', async () => {
    expectRefused(
      await token({
        grant_type: 'password',
        client_id: CLIENT,
        client_secret: SECRET,
        username: 'admin',
        password: 'admin',
      }),
      /grant password not enabled/,
    );
  });

  it('verifies against an X.509 certificate, as the platform stores verifier keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sn-x509-'));
    try {
      const pair = await generateKeyPair('RS256', { extractable: true });
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      writeFileSync(keyFile, await exportPKCS8(pair.privateKey));
      execFileSync(
        'openssl',
        ['req', '-new', '-x509', '-key', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=casebridge'],
        { stdio: 'ignore' },
      );
      sn.control.addOAuthClient({
        client_id: 'x509',
        client_secret: 's',
        jwtVerifiers: [{ kid: 'cert', publicKeyPem: readFileSync(certFile, 'utf8') }],
      });
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'cert' })
        .setSubject('admin')
        .setAudience('x509')
        .setIssuer('x509')
        .setExpirationTime(now + 60)
        .sign(pair.privateKey);
      const reply = await token({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        client_id: 'x509',
        client_secret: 's',
        assertion: jwt,
      });
      expect(reply.status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bearer tokens', () => {
  it('answers 401 for forged and expired tokens, and a refresh brings access back', async () => {
    const forged = await call(sn.url, 'GET', '/api/now/table/incident', { auth: 'Bearer forged-token' });
    expect(forged.status).toBe(401);
    expect(errorOf(forged).message).toBe('User Not Authenticated');

    const reply = await token({
      grant_type: 'password',
      client_id: demo.client_id,
      client_secret: demo.client_secret,
      username: 'itil.user',
      password: 'itil-user',
    });
    const { access_token, refresh_token } = reply.json as { access_token: string; refresh_token: string };
    sn.control.expireTokens();
    expect(
      (await call(sn.url, 'GET', '/api/now/table/incident', { auth: `Bearer ${access_token}` })).status,
    ).toBe(401);
    const again = await token({
      grant_type: 'refresh_token',
      client_id: demo.client_id,
      client_secret: demo.client_secret,
      refresh_token,
    });
    expect(
      (await call(sn.url, 'GET', '/api/now/table/incident', { auth: `Bearer ${accessTokenOf(again)}` }))
        .status,
    ).toBe(200);
  });

  it('lets tokens lapse after the configured lifetime', async () => {
    const short = await startServiceNowSimulator({ tokenLifetimeSeconds: 1 });
    try {
      const reply = await call(
        short.url,
        'POST',
        '/oauth_token.do',
        form({
          grant_type: 'password',
          client_id: demo.client_id,
          client_secret: demo.client_secret,
          username: 'admin',
          password: 'admin',
        }),
      );
      expect(reply.json).toMatchObject({ expires_in: 0 });
      const auth = `Bearer ${accessTokenOf(reply)}`;
      expect((await call(short.url, 'GET', '/api/now/table/incident', { auth })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await call(short.url, 'GET', '/api/now/table/incident', { auth })).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('generates a demo key pair whose private key signs accepted assertions', async () => {
    const demoSim = await startServiceNowSimulator({ generateJwtKey: true });
    try {
      expect(demoSim.jwtKeyId).toBe(demoSeed.jwtKeyId);
      const { importPKCS8 } = await import('jose');
      const key = await importPKCS8(demoSim.jwtPrivateKeyPem ?? '', 'RS256');
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: demoSeed.jwtKeyId })
        .setSubject('casebridge.itsm')
        .setAudience(demo.client_id)
        .setIssuer(demo.client_id)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(key);
      const reply = await call(
        demoSim.url,
        'POST',
        '/oauth_token.do',
        form({
          assertion: jwt,
          client_id: demo.client_id,
          client_secret: demo.client_secret,
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        }),
      );
      expect(reply.status).toBe(200);
    } finally {
      await demoSim.close();
    }
  });
});
