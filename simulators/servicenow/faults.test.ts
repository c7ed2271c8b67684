import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, errorOf } from './test-support.js';

let sn: ServiceNowSimulator;
const LIST = '/api/now/table/incident';

beforeAll(async () => {
  sn = await startServiceNowSimulator({ requestLogLimit: 5 });
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

function control(method: string, path: string, body?: unknown) {
  return call(sn.url, method, `/__control${path}`, { auth: null, ...(body === undefined ? {} : { body }) });
}

describe('in-process fault handles', () => {
  it('fails the next N requests with a status and an envelope, then recovers', async () => {
    sn.control.failNext(2, 503);
    const first = await call(sn.url, 'GET', LIST);
    expect(first.status).toBe(503);
    expect(errorOf(first).message).toBe('Simulated failure');
    expect((await call(sn.url, 'GET', LIST)).status).toBe(503);
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
    expect(sn.requestLog.all().map((e) => e.note ?? '')).toEqual([
      'fault: status 503',
      'fault: status 503',
      '',
    ]);
  });

  it('scopes a fault by method and path, with a custom body', async () => {
    sn.control.failNext(1, 500, 'upstream exploded', { method: 'POST', path: '/api/now/import/' });
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
    const reply = await call(sn.url, 'POST', '/api/now/import/x_elas2_inc_int_elastic_incident', {
      body: {},
    });
    expect(reply.status).toBe(500);
    expect(reply.text).toBe('upstream exploded');
  });

  it('drops the connection', async () => {
    sn.control.dropNext(1);
    await expect(fetch(sn.url + LIST, { headers: { Authorization: as('admin') } })).rejects.toThrow();
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
  });

  it('hangs until the client gives up', async () => {
    sn.control.hangNext(1);
    const started = Date.now();
    await expect(
      fetch(sn.url + LIST, { headers: { Authorization: as('admin') }, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sn.requestLog.last()?.note).toBe('fault: hang');
  });

  it('answers HTML with 200, adds latency, and flaps', async () => {
    sn.control.htmlNext(1);
    const html = await call(sn.url, 'GET', LIST);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');

    sn.control.latency(150, { path: '/incident' });
    const started = Date.now();
    await call(sn.url, 'GET', LIST);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sn.control.latency(0);

    sn.control.flap({ up: 2, down: 1, action: { kind: 'status', status: 502 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(sn.url, 'GET', LIST)).status);
    expect(statuses).toEqual([200, 200, 502, 200, 200, 502]);
    sn.control.flap(undefined);
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
  });
});

describe('control HTTP API', () => {
  it('scripts the same faults over HTTP and reports state', async () => {
    expect(
      (await control('POST', '/faults', { action: { kind: 'status', status: 429 }, times: 1 })).status,
    ).toBe(200);
    expect((await control('GET', '/state')).json).toMatchObject({ faults: { queued: 1 } });
    expect((await call(sn.url, 'GET', LIST)).status).toBe(429);
    await control('POST', '/faults', { action: { kind: 'status', status: 500 }, times: 3 });
    await control('DELETE', '/faults');
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
  });

  it('switches app state, hibernation and import failures', async () => {
    await control('POST', '/app', { scope: 'x_elas2_sir_int', state: 'not_installed', importErrors: 1 });
    const health = await call(sn.url, 'GET', '/api/x_elas2_sir_int/elastic_api/health');
    expect(health.status).toBe(400);
    const imported = await call(sn.url, 'POST', '/api/now/import/x_elas2_inc_int_elastic_incident', {
      body: { u_short_description: 'x' },
    });
    expect((imported.json as { result: { status: string }[] }).result[0]?.status).toBe('error');
    await control('POST', '/app', { hibernating: true });
    expect((await call(sn.url, 'GET', LIST)).text).toContain('hibernating');
    await control('POST', '/reset');
    expect((await call(sn.url, 'GET', '/api/x_elas2_sir_int/elastic_api/health')).status).toBe(200);
  });

  it('reads and seeds tables, lists requests and serves the overview page', async () => {
    const seeded = await control('POST', '/tables/incident', { short_description: 'seeded over HTTP' });
    expect(seeded.status).toBe(201);
    const rows = await control('GET', '/tables/incident?sysparm_query=short_descriptionLIKEover%20HTTP');
    expect((rows.json as { result: unknown[] }).result).toHaveLength(1);
    await call(sn.url, 'GET', LIST);
    const requests = (await control('GET', '/requests')).json as { requests: { path: string }[] };
    expect(requests.requests.map((r) => r.path)).toEqual([LIST]);
    const page = await call(sn.url, 'GET', '/', { auth: null });
    expect(page.text).toContain('<code>incident</code>');
    expect(page.text).toContain(LIST);
    expect((await control('GET', '/nope')).status).toBe(404);
    expect((await control('POST', '/faults', { action: { kind: 'explode' } })).status).toBe(400);
    expect((await control('POST', '/faults', undefined)).status).toBe(400);
  });
});

describe('request log', () => {
  it('records method, path, query, masked headers, body, status and user, and keeps only the limit', async () => {
    await call(sn.url, 'POST', `${LIST}?sysparm_display_value=true`, {
      auth: as('itil.user'),
      body: { short_description: 'logged', password: 'hunter2' },
      headers: { Cookie: 'glide_session=abc' },
    });
    const entry = sn.requestLog.last();
    expect(entry).toMatchObject({
      method: 'POST',
      path: LIST,
      query: { sysparm_display_value: 'true' },
      status: 201,
      user: 'itil.user',
      body: { short_description: 'logged', password: '****' },
    });
    expect(entry?.headers.authorization).toBe('Basic ****');
    expect(entry?.headers.cookie).toBe('****');
    for (let i = 0; i < 12; i++) await call(sn.url, 'GET', `${LIST}?i=${i}`);
    expect(sn.requestLog.all()).toHaveLength(5);
    expect(sn.requestLog.all()[4]?.query).toEqual({ i: '11' });
    expect(sn.requestLog.find('/incident', 'GET').length).toBe(5);
  });
});
