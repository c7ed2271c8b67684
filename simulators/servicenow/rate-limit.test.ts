import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, errorOf } from './test-support.js';

let sn: ServiceNowSimulator;
const LIST = '/api/now/table/incident';

beforeAll(async () => {
  sn = await startServiceNowSimulator();
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

describe('inbound REST rate limits', () => {
  it('answers 429 with Retry-After and X-RateLimit-* once a per-hour rule is exhausted', async () => {
    sn.control.setRateLimits([{ sys_id: 'rule-all', requestsPerHour: 3 }]);
    const ok = await call(sn.url, 'GET', LIST);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('3');
    expect(ok.headers.get('x-ratelimit-rule')).toBe('rule-all');
    const reset = Number(ok.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 3600);
    await call(sn.url, 'GET', LIST);
    await call(sn.url, 'GET', LIST);
    const limited = await call(sn.url, 'GET', LIST);
    expect(limited.status).toBe(429);
    expect(errorOf(limited).message).toBe('Too Many Requests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.headers.get('x-ratelimit-rule')).toBe('rule-all');
    expect(sn.requestLog.last()?.note).toBe('rate limited');
  });

  it('counts per user, and a per-second bucket refills after a second', async () => {
    sn.control.setRateLimits([{ requestsPerSecond: 2 }]);
    // Start at the beginning of a second so the three calls share one window.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sn.url, 'GET', LIST)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await call(sn.url, 'GET', LIST, { auth: as('itil.user') })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await call(sn.url, 'GET', LIST)).status).toBe(200);
  });

  it('prefers a user rule over role rules over the all-users rule, and the lowest role limit wins', async () => {
    sn.control.setRateLimits([
      { sys_id: 'all', requestsPerHour: 100 },
      { sys_id: 'itil-high', role: 'itil', requestsPerHour: 50 },
      { sys_id: 'itil-low', role: 'itil', requestsPerHour: 1 },
      { sys_id: 'user', user: 'casebridge.itsm', requestsPerHour: 10 },
    ]);
    const rule = async (user: string) =>
      (await call(sn.url, 'GET', LIST, { auth: as(user) })).headers.get('x-ratelimit-rule');
    expect(await rule('casebridge.itsm')).toBe('user'); // also holds itil through its app role
    expect(await rule('itil.user')).toBe('itil-low');
    expect(await rule('admin')).toBe('all');
    expect((await call(sn.url, 'GET', LIST, { auth: as('itil.user') })).status).toBe(429);
  });

  it('applies a rule only to its resource and method', async () => {
    sn.control.setRateLimits([{ resource: 'import', method: 'POST', requestsPerHour: 0 }]);
    expect((await call(sn.url, 'GET', LIST)).headers.get('x-ratelimit-limit')).toBeNull();
    const imported = await call(sn.url, 'POST', '/api/now/import/x_elas2_inc_int_elastic_incident', {
      body: {},
    });
    expect(imported.status).toBe(429);
  });

  it('is configured over the control API too', async () => {
    await call(sn.url, 'POST', '/__control/rate-limits', { auth: null, body: [{ requestsPerHour: 0 }] });
    expect((await call(sn.url, 'GET', LIST)).status).toBe(429);
  });
});
