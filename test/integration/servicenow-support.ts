import { generateKeyPairSync } from 'node:crypto';
import {
  demoSeed,
  startServiceNowSimulator,
  type ServiceNowSimulator,
  type ServiceNowSimulatorOptions,
} from '../../simulators/servicenow/index.js';
import type { DialectName } from '../../src/store/db.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/** A real app on a real store, and a simulator on 127.0.0.1, for the ServiceNow API suites. */
export interface SnHarness {
  sim: ServiceNowSimulator;
  t: TestApp;
  create(typeId: string, config: Record<string, unknown>, secrets?: Record<string, unknown>): Promise<Reply>;
  execute(id: string, params: Record<string, unknown>): Promise<Reply>;
  get(url: string): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  statusCode: number;
  body: Record<string, unknown> & { data?: unknown };
}

export const basic = demoSeed.connectors;

export async function startHarness(
  dialect: DialectName,
  simOptions: ServiceNowSimulatorOptions = {},
): Promise<SnHarness> {
  const sim = await startServiceNowSimulator({ generateJwtKey: true, ...simOptions });
  const t = await createTestApp({ dialect, config: { 'actions.allowedHosts': ['127.0.0.1'] } });
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Reply> => {
    const res = await t.app.server.inject({
      method,
      url,
      headers: { authorization: t.adminAuth },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { statusCode: res.statusCode, body: res.json() as Reply['body'] };
  };
  return {
    sim,
    t,
    create: (typeId, config, secrets) =>
      inject('POST', '/api/actions/connector', {
        name: `sn ${typeId}`,
        connector_type_id: typeId,
        config,
        ...(secrets === undefined ? {} : { secrets }),
      }),
    execute: (id, params) => inject('POST', `/api/actions/connector/${id}/_execute`, { params }),
    get: (url) => inject('GET', url),
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

/** Config and secrets for each auth mode against the harness's simulator. */
export function authModes(sim: ServiceNowSimulator) {
  const client = demoSeed.oauthClient;
  return {
    basic: { config: {}, secrets: { ...basic.itsm } },
    jwt: {
      config: {
        isOAuth: true,
        clientId: client.client_id,
        userIdentifierValue: basic.itsm.username,
        jwtKeyId: sim.jwtKeyId,
      },
      secrets: { clientSecret: client.client_secret, privateKey: sim.jwtPrivateKeyPem },
    },
    password: {
      config: { isOAuth: true, oauthGrantType: 'password', clientId: client.client_id },
      secrets: { clientSecret: client.client_secret, ...basic.itsm },
    },
    clientCredentials: {
      config: { isOAuth: true, oauthGrantType: 'client_credentials', clientId: client.client_id },
      secrets: { clientSecret: client.client_secret },
    },
  } as const;
}

/** A fresh RSA key pair; with a passphrase the private key is encrypted PKCS#8. */
export function rsaKeys(passphrase?: string): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
      : { type: 'pkcs8', format: 'pem' },
  });
}

export const itsmIncident = {
  description: 'a description',
  externalId: null,
  impact: '1',
  severity: '1',
  short_description: 'a title',
  urgency: '1',
  category: 'software',
  subcategory: 'os',
};

/** Requests the simulator logged, reduced to what the assertions compare. */
export function trace(sim: ServiceNowSimulator): string[] {
  return sim.requestLog.all().map((entry) => `${entry.method} ${entry.path}`);
}
