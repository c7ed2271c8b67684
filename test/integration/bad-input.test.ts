import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// Bad input through the HTTP API: each case gets a 4xx with a stable code and a message that
// says what to fix, and nothing is written.
describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { 'actions.allowedHosts': ['allowed.example.com', '127.0.0.1'] } });
  });
  afterAll(async () => t.close());

  const post = (url: string, payload: unknown) =>
    t.app.server.inject({
      method: 'POST',
      url,
      headers: { authorization: t.adminAuth },
      payload: payload as object,
    });
  const webhook = (config: Record<string, unknown>) => ({
    name: 'hook',
    connector_type_id: '.webhook',
    config,
    secrets: {},
  });

  it('refuses hosts outside allowedHosts, the metadata address and invalid URLs at create time', async () => {
    const outside = await post(
      '/api/actions/connector',
      webhook({ url: 'https://evil.example.net/hook', hasAuth: false }),
    );
    expect(outside.statusCode).toBe(400);
    expect(outside.json()).toMatchObject({
      code: 'CB_ERR_CONNECTOR_CONFIG_INVALID',
      message:
        'error validating action type config: error configuring webhook action: target url "https://evil.example.net/hook" is not added to the Kibana config xpack.actions.allowedHosts',
    });
    const invalid = await post('/api/actions/connector', webhook({ url: 'not a url', hasAuth: false }));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('CB_ERR_CONNECTOR_CONFIG_INVALID');
    expect(invalid.json().message).toMatch(/error configuring webhook action/);
    const blankSecret = await post('/api/actions/connector', {
      ...webhook({ url: 'https://allowed.example.com/' }),
      secrets: { user: ' ', password: 'p' },
    });
    expect(blankSecret.json().message).toBe("[request body.secrets.user]: value '' is not valid");
    const list = await t.app.server.inject({
      method: 'GET',
      url: '/api/actions/connectors',
      headers: { authorization: t.adminAuth },
    });
    expect(list.json()).toEqual([]);
  });

  it('a connector whose target is unreachable fails with a bounded message naming the endpoint', async () => {
    const created = await post(
      '/api/actions/connector',
      webhook({ url: 'http://127.0.0.1:9/hook?token=abc', hasAuth: false }),
    );
    expect(created.statusCode).toBe(200);
    const res = await post(`/api/actions/connector/${created.json().id}/_execute`, {
      params: { body: '{}' },
    });
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ status: 'error', retry: true });
    expect(result.service_message).toContain('POST http://127.0.0.1:9/hook');
    expect(result.service_message).not.toContain('token=abc');
    expect(result.service_message.length).toBeLessThan(400);
  });

  it('validates the events query', async () => {
    for (const query of [
      'per_page=0',
      'per_page=abc',
      'outcome=maybe',
      'since=yesterday',
      'page=-1',
      'unknown=1',
    ]) {
      const res = await t.app.server.inject({
        method: 'GET',
        url: `/api/casebridge/events?${query}`,
        headers: { authorization: t.adminAuth },
      });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code).toBe('CB_ERR_VALIDATION');
      expect(res.json().message).toMatch(/^\[request query/);
    }
  });

  it('pages the execution history, newest first', async () => {
    const created = await post(
      '/api/actions/connector',
      webhook({ url: 'http://127.0.0.1:9/', hasAuth: false }),
    );
    const id = created.json().id;
    for (let i = 0; i < 3; i += 1)
      await post(`/api/actions/connector/${id}/_execute`, { params: { body: String(i) } });
    const page1 = await t.app.server.inject({
      method: 'GET',
      url: `/api/casebridge/events?connector_id=${id}&per_page=2`,
      headers: { authorization: t.adminAuth },
    });
    const page2 = await t.app.server.inject({
      method: 'GET',
      url: `/api/casebridge/events?connector_id=${id}&per_page=2&page=2`,
      headers: { authorization: t.adminAuth },
    });
    expect(page1.json()).toMatchObject({ total: 3, page: 1, per_page: 2 });
    expect(page1.json().data).toHaveLength(2);
    expect(page2.json().data).toHaveLength(1);
    const times = [...page1.json().data, ...page2.json().data].map(
      (e: { '@timestamp': string }) => e['@timestamp'],
    );
    expect([...times].sort().reverse()).toEqual(times);
  });
});
