import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeed } from '../../simulators/servicenow/index.js';
import { dialects } from '../helpers/test-store.js';
import {
  authModes,
  itsmIncident,
  rsaKeys,
  startHarness,
  trace,
  type SnHarness,
} from './servicenow-support.js';

const push = { subAction: 'pushToService', subActionParams: { incident: itsmIncident } };

describe.each(dialects)('ServiceNow authentication through the API on %s', (dialect) => {
  let h: SnHarness;
  let modes: ReturnType<typeof authModes>;
  const connect = async (mode: keyof ReturnType<typeof authModes>, extra: Record<string, unknown> = {}) => {
    const m = modes[mode];
    const reply = await h.create(
      '.servicenow',
      { apiUrl: h.sim.url, usesTableApi: false, ...m.config, ...extra },
      { ...m.secrets },
    );
    expect(reply.statusCode).toBe(200);
    return String(reply.body.id);
  };
  beforeAll(async () => {
    h = await startHarness(dialect);
    modes = authModes(h.sim);
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.control.reset());

  it.each(['jwt', 'password', 'clientCredentials'] as const)(
    '%s: one token for many pushes, sent as Bearer',
    async (mode) => {
      const id = await connect(mode);
      for (let i = 0; i < 3; i++) expect((await h.execute(id, push)).body.status).toBe('ok');
      expect(trace(h.sim).filter((line) => line === 'POST /oauth_token.do')).toHaveLength(1);
      const api = h.sim.requestLog.filter((e) => e.path !== '/oauth_token.do');
      expect(api.every((e) => e.headers.authorization === 'Bearer ****')).toBe(true);
      const token = h.sim.requestLog.find('/oauth_token.do')[0];
      expect(token?.headers['content-type']).toContain('application/x-www-form-urlencoded');
      const grant = (token?.body as Record<string, string>).grant_type;
      expect(grant).toBe(
        {
          jwt: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          password: 'password',
          clientCredentials: 'client_credentials',
        }[mode],
      );
      expect(token?.note).toMatch(/^issued/);
    },
  );

  it('jwt: RS256 assertion with kid, iss, sub, aud, iat, exp = iat + 3600 and a jti', async () => {
    const id = await connect('jwt');
    // Capture the assertion on its way out: a one-off fault answers like ServiceNow would refuse it.
    h.sim.control.fault({
      match: { path: '/oauth_token.do' },
      action: {
        kind: 'status',
        status: 401,
        body: { error: 'server_error', error_description: 'access_denied' },
      },
      times: 1,
    });
    const refused = await h.execute(id, push);
    expect(refused.body).toMatchObject({ status: 'error', retry: false, errorSource: 'user' });
    expect(refused.body.service_message).toContain(
      'Unable to get an OAuth access token (oauth_jwt): server_error Reason: access_denied [status=401]',
    );
    expect(refused.body.service_message).toContain('[auth=oauth_jwt]');
    const raw = h.sim.requestLog.find('/oauth_token.do')[0];
    expect(raw?.body).toMatchObject({
      assertion: '****',
      client_id: demoSeed.oauthClient.client_id,
      client_secret: '****',
    });
    // The log masks the assertion, so sign one more and read it from the token store's request.
    const ok = await h.execute(id, push);
    expect(ok.body.status).toBe('ok');
    expect(h.sim.requestLog.find('/oauth_token.do').at(-1)?.note).toBe(
      'issued (urn:ietf:params:oauth:grant-type:jwt-bearer)',
    );
  });

  it('jwt: the assertion carries kid, iss, sub, aud, iat, exp = iat + 3600 and a fresh jti', async () => {
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/oauth_token.do') seen.push(body.toString('utf8'));
        void request(`${h.sim.url}${req.url ?? '/'}`, {
          method: req.method as 'GET' | 'POST',
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'connection'),
          ) as Record<string, string>,
          ...(body.length > 0 ? { body } : {}),
        }).then(async (answer) => {
          res.writeHead(answer.statusCode, answer.headers as Record<string, string>);
          res.end(Buffer.from(await answer.body.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const m = modes.jwt;
      const id = String(
        (await h.create('.servicenow', { apiUrl: url, usesTableApi: false, ...m.config }, { ...m.secrets }))
          .body.id,
      );
      expect((await h.execute(id, push)).body.status).toBe('ok');
      await h.execute(id, { subAction: 'handshake', subActionParams: {} });
      expect(seen).toHaveLength(2);
      const forms = seen.map((text) => new URLSearchParams(text));
      expect([...(forms[0]?.keys() ?? [])]).toEqual([
        'assertion',
        'client_id',
        'client_secret',
        'grant_type',
      ]);
      const assertion = forms[0]?.get('assertion') ?? '';
      expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: h.sim.jwtKeyId });
      const claims = decodeJwt(assertion);
      expect(claims).toMatchObject({
        iss: m.config.clientId,
        aud: m.config.clientId,
        sub: m.config.userIdentifierValue,
      });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(decodeJwt(forms[1]?.get('assertion') ?? '').jti).not.toBe(claims.jti);
    } finally {
      proxy.close();
    }
  });

  it('jwt: an encrypted PKCS#8 key with privateKeyPassword', async () => {
    const passphrase = 'correct horse battery staple';
    const keys = rsaKeys(passphrase);
    h.sim.control.addOAuthClient({
      client_id: 'enc-client',
      client_secret: 'enc-secret',
      userField: 'email',
      jwtVerifiers: [{ kid: 'enc-kid', publicKeyPem: keys.publicKey }],
    });
    const make = (privateKeyPassword: string) =>
      h.create(
        '.servicenow',
        {
          apiUrl: h.sim.url,
          usesTableApi: false,
          isOAuth: true,
          clientId: 'enc-client',
          userIdentifierValue: 'casebridge.itsm@example.com',
          jwtKeyId: 'enc-kid',
        },
        { clientSecret: 'enc-secret', privateKey: keys.privateKey, privateKeyPassword },
      );
    const good = String((await make(passphrase)).body.id);
    expect((await h.execute(good, push)).body.status).toBe('ok');
    const bad = String((await make('wrong passphrase')).body.id);
    const failed = await h.execute(bad, push);
    expect(failed.body).toMatchObject({ status: 'error', retry: false });
    expect(failed.body.service_message).toContain('Unable to generate JWT token.');
  });

  it('renews an expired token and retries exactly once after a 401', async () => {
    const id = await connect('password');
    expect((await h.execute(id, push)).body.status).toBe('ok');
    h.sim.control.expireTokens();
    h.sim.requestLog.clear();
    expect((await h.execute(id, push)).body.status).toBe('ok');
    expect(trace(h.sim)).toEqual([
      'GET /api/x_elas2_inc_int/elastic_api/health',
      'POST /oauth_token.do',
      'GET /api/x_elas2_inc_int/elastic_api/health',
      'POST /api/now/import/x_elas2_inc_int_elastic_incident',
      expect.stringMatching(/^GET \/api\/now\/v2\/table\/incident\//),
    ]);
    expect(h.sim.requestLog.all()[0]?.status).toBe(401);
    // The password grant's refresh token is used rather than the password.
    expect((h.sim.requestLog.all()[1]?.body as Record<string, string>).grant_type).toBe('refresh_token');
    h.sim.requestLog.clear();
    h.sim.control.failNext(2, 401, undefined, { path: '/api/x_elas2_inc_int/elastic_api/health' });
    const twice = await h.execute(id, push);
    expect(twice.body).toMatchObject({ status: 'error', retry: false });
    expect(trace(h.sim)).toEqual([
      'GET /api/x_elas2_inc_int/elastic_api/health',
      'POST /oauth_token.do',
      'GET /api/x_elas2_inc_int/elastic_api/health',
    ]);
  });

  it('renews a token that is about to expire before using it', async () => {
    h.sim.control.reset();
    const short = await startHarness(dialect, { tokenLifetimeSeconds: 30 });
    try {
      const m = authModes(short.sim).clientCredentials;
      const id = String(
        (
          await short.create(
            '.servicenow',
            { apiUrl: short.sim.url, usesTableApi: false, ...m.config },
            { ...m.secrets },
          )
        ).body.id,
      );
      await short.execute(id, push);
      await short.execute(id, push);
      // 29 s of lifetime is inside the 60 s renewal margin: every run fetches a fresh token, none gets a 401.
      expect(trace(short.sim).filter((l) => l === 'POST /oauth_token.do')).toHaveLength(2);
      expect(short.sim.requestLog.all().some((e) => e.status === 401)).toBe(false);
    } finally {
      await short.close();
    }
  });

  it('handshake names the failing step: token, app check, table access, role', async () => {
    const test = async (id: string) => {
      const res = await h.t.app.server.inject({
        method: 'POST',
        url: `/api/casebridge/connectors/${id}/_test`,
        headers: { authorization: h.t.adminAuth },
      });
      return res.json() as { status: string; data?: { steps: { step: string }[] }; service_message?: string };
    };
    const ok = await test(await connect('jwt'));
    expect(ok.status).toBe('ok');
    expect(ok.data?.steps.map((s) => s.step)).toEqual(['token', 'app check', 'table access', 'role']);
    const badSecret = await h.create(
      '.servicenow',
      { apiUrl: h.sim.url, usesTableApi: false, ...modes.clientCredentials.config },
      { clientSecret: 'wrong' },
    );
    expect((await test(String(badSecret.body.id))).service_message).toContain(
      'handshake failed at step "token"',
    );
    h.sim.control.setApp('x_elas2_inc_int', 'not_installed');
    expect((await test(await connect('basic'))).service_message).toContain(
      'handshake failed at step "app check"',
    );
    const noRoles = await h.create(
      '.servicenow',
      { apiUrl: h.sim.url },
      { username: 'no.roles', password: 'no-roles' },
    );
    expect((await test(String(noRoles.body.id))).service_message).toContain(
      'handshake failed at step "table access"',
    );
  });

  it('never lets a private key, client secret, password or token reach a response, a log line or the events', async () => {
    const ids = [
      await connect('jwt'),
      await connect('password'),
      await connect('clientCredentials'),
      await connect('basic'),
    ];
    for (const id of ids) {
      await h.execute(id, push);
      await h.execute(id, { subAction: 'handshake', subActionParams: {} });
    }
    h.sim.control.failNext(3, 500, {
      error: { message: `echo ${demoSeed.oauthClient.client_secret}`, detail: 'x' },
      status: 'failure',
    });
    const responses: string[] = [];
    for (const id of ids) responses.push(JSON.stringify((await h.execute(id, push)).body));
    for (const id of ids) responses.push(JSON.stringify((await h.get(`/api/actions/connector/${id}`)).body));
    const events = JSON.stringify((await h.get('/api/casebridge/events?per_page=100')).body);
    const secrets = [
      modes.jwt.secrets.privateKey?.split('\n')[1] ?? 'missing',
      demoSeed.oauthClient.client_secret,
      modes.password.secrets.password,
    ];
    const tokens = await h.t.testStore.store.db.selectFrom('connector_tokens').selectAll().execute();
    expect(tokens.length).toBeGreaterThan(0);
    const everything = [...responses, events, ...h.t.logLines].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    for (const row of tokens) expect(everything).not.toContain(String(row.token).slice(0, 24));
    expect(everything).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);
  });
});
