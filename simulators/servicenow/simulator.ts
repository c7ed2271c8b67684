// startServiceNowSimulator: builds the instance from the options, listens (port 0 by default) and
// hands back its URL, request log, control handles and tables.
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { UserRegistry } from './auth.js';
import type { InstanceState, SimContext } from './context.js';
import { createControlApi } from './control-api.js';
import { demoSeed } from './demo-seed.js';
import { FaultInjector } from './faults.js';
import { createControl, createTables, type SimulatorControl, type SimulatorTables } from './handles.js';
import { OAuthServer } from './oauth.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import { DEFAULT_ROLE_CONTAINS, buildTables } from './schema-tables.js';
import { seedChoices, seedDictionary, seedReferenceData, seedUsers } from './seed-data.js';
import { createListener } from './server.js';
import { SimDatabase } from './store.js';
import type { ServiceNowSimulatorOptions, SimOAuthClient } from './types.js';

export interface ServiceNowSimulator {
  /** Base URL of the instance, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  requestLog: RequestLog;
  control: SimulatorControl;
  tables: SimulatorTables;
  /** With `generateJwtKey`: the private key (PKCS#8 PEM) matching the registered verifier. */
  jwtPrivateKeyPem?: string;
  /** With `generateJwtKey`: the verifier's key id (`kid`). */
  jwtKeyId?: string;
  close(): Promise<void>;
}

const DEFAULT_TOKEN_SECONDS = 1800;
const DEFAULT_REFRESH_SECONDS = 100 * 24 * 3600;

/**
 * Starts an in-memory ServiceNow instance.
 *
 * @example
 * const sn = await startServiceNowSimulator({ port: 0 });
 * await fetch(`${sn.url}/api/now/table/incident`, { method: 'POST', headers: { Authorization: basic } ... });
 * sn.control.failNext(1, 503);
 * await sn.close();
 */
export async function startServiceNowSimulator(
  options: ServiceNowSimulatorOptions = {},
): Promise<ServiceNowSimulator> {
  const users = new UserRegistry([...(options.users ?? demoSeed.users), ...(options.extraUsers ?? [])], {
    ...DEFAULT_ROLE_CONTAINS,
    ...options.roleContains,
  });
  const clients: SimOAuthClient[] = (options.oauthClients ?? [demoSeed.oauthClient]).map((c) => ({ ...c }));
  let jwt: { privateKeyPem: string; kid: string } | undefined;
  if (options.generateJwtKey) {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    jwt = { privateKeyPem: await exportPKCS8(privateKey), kid: demoSeed.jwtKeyId };
    const publicKeyPem = await exportSPKI(publicKey);
    for (const c of clients) if (!c.jwtVerifiers?.length) c.jwtVerifiers = [{ kid: jwt.kid, publicKeyPem }];
  }
  const oauth = new OAuthServer(
    users,
    clients,
    options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_SECONDS,
    options.refreshTokenLifetimeSeconds ?? DEFAULT_REFRESH_SECONDS,
  );
  const initialState = (): InstanceState => ({
    apps: {
      x_elas2_inc_int: options.elasticApps?.x_elas2_inc_int ?? 'installed',
      x_elas2_sir_int: options.elasticApps?.x_elas2_sir_int ?? 'installed',
    },
    hibernating: options.hibernating ?? false,
    importErrors: 0,
    observables: new Map(),
  });
  const db = new SimDatabase(buildTables(options.acl));
  const reseed = (target: SimDatabase, registry: UserRegistry): void => {
    seedUsers(target, registry.all());
    if (options.seed === false) seedChoices(target, options.closeCodes ?? 'both');
    else seedReferenceData(target, options.closeCodes ?? 'both');
    seedDictionary(target);
  };
  reseed(db, users);

  const ctx: SimContext = {
    db,
    users,
    oauth,
    state: initialState(),
    baseUrl: '',
    strictChoices: options.strictChoices ?? false,
    invalidQueryReturnsNoRows: options.invalidQueryReturnsNoRows ?? false,
    // Issue 4 asks for the newest entry on read (it wins over the reference notes, which say a
    // real instance answers ""); `journalValue: 'empty'` gives the other behaviour.
    journalValue: options.journalValue ?? 'latest',
  };
  const faults = new FaultInjector();
  const rate = new RateLimiter(options.rateLimits ?? []);
  const log = new RequestLog(options.requestLogLimit ?? 1000);
  const hung = new Set<ServerResponse>();
  const control = createControl({
    ctx,
    faults,
    rate,
    log,
    hung,
    initialRules: options.rateLimits ?? [],
    initialState,
    reseed,
  });
  const tables = createTables(ctx);
  const listener = createListener({
    ctx,
    faults,
    rate,
    log,
    hung,
    control: createControlApi({ control, tables, log, url: () => ctx.baseUrl }),
  });
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  // Load generators and connection pools keep sockets open; keep them alive longer than clients do.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  ctx.baseUrl = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;

  return {
    url: ctx.baseUrl,
    port,
    requestLog: log,
    control,
    tables,
    ...(jwt ? { jwtPrivateKeyPem: jwt.privateKeyPem, jwtKeyId: jwt.kid } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.socket?.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
