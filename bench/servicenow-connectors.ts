import { Pool, request } from 'undici';
import { demoSeed, startServiceNowSimulator } from '../simulators/servicenow/index.js';
import { percentile, runLoad, type LoadResult } from './load.js';
import { startService, type ServiceProcess } from './processes.js';
import type { Bench, BenchRow, BenchSection } from './types.js';

const CONNECTIONS = 16;
const DURATION_MS = 4_000;
const incident = { short_description: 'bench incident', description: 'from the benchmark', urgency: '2' };

/**
 * Issue 5's benchmark: `_execute pushToService` (create, then update) through a real
 * `casebridge serve` process per auth mode, against the ceiling of a raw undici client sending the
 * same import-set sequence (health, import, read back) to the same simulator. Load comes from a
 * worker thread (`runLoad`); the ceiling's loop runs in this process, as the simulator does.
 */
async function ceiling(base: string, auth: string): Promise<LoadResult> {
  const pool = new Pool(base, { connections: CONNECTIONS });
  const headers = { authorization: auth, accept: 'application/json', 'content-type': 'application/json' };
  const body = JSON.stringify(Object.fromEntries(Object.entries(incident).map(([k, v]) => [`u_${k}`, v])));
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
  let errors = 0;
  const one = async () => {
    const health = await pool.request({
      path: '/api/x_elas2_inc_int/elastic_api/health',
      method: 'GET',
      headers,
    });
    await health.body.dump();
    const imported = await pool.request({
      path: '/api/now/import/x_elas2_inc_int_elastic_incident',
      method: 'POST',
      headers,
      body,
    });
    const row = ((await imported.body.json()) as { result: { sys_id: string }[] }).result[0];
    const read = await pool.request({
      path: `/api/now/v2/table/incident/${row?.sys_id}`,
      method: 'GET',
      headers,
    });
    await read.body.dump();
    if (read.statusCode !== 200) errors += 1;
  };
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await one();
        latencies.push(performance.now() - started);
      }
    }),
  );
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    non2xx: errors,
    perSecond: latencies.length / (DURATION_MS / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

async function api(
  service: ServiceProcess,
  method: 'POST',
  path: string,
  payload: unknown,
): Promise<unknown> {
  const response = await request(`${service.url}${path}`, {
    method,
    headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return response.body.json();
}

const round = (n: number): number => Math.round(n * 10) / 10;

export const benchServiceNowConnectors: Bench = async () => {
  const sim = await startServiceNowSimulator({ generateJwtKey: true, requestLogLimit: 100 });
  const service = await startService({ CASEBRIDGE_LOG_LEVEL: 'warn' });
  const rows: BenchRow[] = [];
  try {
    const login = demoSeed.connectors.itsm;
    const basicAuth = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
    const client = demoSeed.oauthClient;
    const modes: Record<string, { config: object; secrets: object }> = {
      basic: { config: {}, secrets: login },
      'OAuth JWT': {
        config: {
          isOAuth: true,
          clientId: client.client_id,
          userIdentifierValue: login.username,
          jwtKeyId: sim.jwtKeyId,
        },
        secrets: { clientSecret: client.client_secret, privateKey: sim.jwtPrivateKeyPem },
      },
      'client credentials': {
        config: { isOAuth: true, oauthGrantType: 'client_credentials', clientId: client.client_id },
        secrets: { clientSecret: client.client_secret },
      },
    };
    await ceiling(sim.url, basicAuth); // warm-up
    const top = await ceiling(sim.url, basicAuth);
    rows.push({
      name: 'raw undici sequence (ceiling)',
      value: round(top.perSecond),
      unit: 'pushes/s',
      ratio: 1,
    });
    rows.push({ name: 'ceiling p50 / p99', value: round(top.p50Ms), unit: `ms / ${round(top.p99Ms)} ms` });
    let basicCreate = 0;
    for (const [mode, { config, secrets }] of Object.entries(modes)) {
      const created = (await api(service, 'POST', '/api/actions/connector', {
        name: `bench ${mode}`,
        connector_type_id: '.servicenow',
        config: { apiUrl: sim.url, usesTableApi: false, ...config },
        secrets,
      })) as { id: string };
      const path = `/api/actions/connector/${created.id}/_execute`;
      const first = (await api(service, 'POST', path, {
        params: { subAction: 'pushToService', subActionParams: { incident } },
      })) as { data?: { id: string } };
      const load = (params: object, durationMs: number) =>
        runLoad({
          url: `${service.url}${path}`,
          method: 'POST',
          headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ params }),
          connections: CONNECTIONS,
          durationMs,
        });
      const create = { subAction: 'pushToService', subActionParams: { incident } };
      const update = {
        subAction: 'pushToService',
        subActionParams: { incident: { ...incident, externalId: first.data?.id ?? null } },
      };
      await load(create, 500);
      const c = await load(create, DURATION_MS);
      const u = await load(update, DURATION_MS);
      if (mode === 'basic') basicCreate = c.perSecond;
      const ratio = c.perSecond / top.perSecond;
      const within = basicCreate > 0 ? c.perSecond / basicCreate : 1;
      rows.push({
        name: `${mode}: create via import set`,
        value: round(c.perSecond),
        unit: `pushes/s (p50 ${round(c.p50Ms)} ms, p99 ${round(c.p99Ms)} ms, errors ${c.errors + c.non2xx})`,
        ratio: Number(ratio.toFixed(2)),
        target: mode === 'basic' ? '>= 50 % of ceiling' : 'within 10 % of basic',
        met: mode === 'basic' ? ratio >= 0.5 : within >= 0.9,
      });
      rows.push({
        name: `${mode}: update via import set`,
        value: round(u.perSecond),
        unit: `pushes/s (p50 ${round(u.p50Ms)} ms, p99 ${round(u.p99Ms)} ms, errors ${u.errors + u.non2xx})`,
        ratio: Number((u.perSecond / top.perSecond).toFixed(2)),
      });
    }
  } finally {
    await service.stop();
    await sim.close();
  }
  const section: BenchSection = {
    title: 'ServiceNow connectors: `_execute pushToService` per auth mode vs a raw undici sequence',
    rows,
    notes: [
      `${CONNECTIONS} connections, ${DURATION_MS / 1000} s per figure, simulator and service on 127.0.0.1; a push is health + import + read back.`,
      'OAuth tokens are cached in the store and reused; the token endpoint is called once per mode.',
    ],
  };
  return section;
};
