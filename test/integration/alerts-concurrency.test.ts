import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { api, createWebhook } from './queue-receiver.js';

// Concurrent requests for one correlation key: each is planned outside the transaction and
// written only if the state is still at the planned version, so none is lost or counted twice.
describe.each(dialects)('concurrent alert ingest for one key on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ dialect, config: { 'queue.enabled': false } });
    const hook = await createWebhook(t, 'http://127.0.0.1:9/in');
    const route = await api(t)('POST', '/api/casebridge/routes/one', {
      name: 'one key',
      connector_id: hook,
      params: { body: '{"action":"{{lifecycle.action}}"}' },
    });
    expect(route.statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('keeps one state with every firing counted and one delivery per accepted change', async () => {
    const alert = { source: 'test', rule: { id: 'r' }, alert: { id: 'same' }, status: 'firing' };
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => api(t)('POST', '/api/casebridge/alerts', alert)),
    );
    expect(answers.filter((res) => res.statusCode !== 202).map((res) => res.body)).toEqual([]);
    const actions = answers.map(
      (res) => (res.json() as { alerts: { routes: { action: string }[] }[] }).alerts[0]?.routes[0]?.action,
    );
    expect(actions.filter((action) => action === 'create')).toHaveLength(1);
    expect(actions.filter((action) => action === 'update')).toHaveLength(15);

    const states = (await api(t)('GET', '/api/casebridge/alerts?route_id=one')).json() as {
      total: number;
      data: { counts: { fired: number } }[];
    };
    expect(states.total).toBe(1);
    expect(states.data[0]?.counts.fired).toBe(16);
    const deliveries = await t.testStore.store.db.selectFrom('deliveries').select('id').execute();
    const links = await t.testStore.store.db.selectFrom('alert_deliveries').select('action').execute();
    expect(deliveries).toHaveLength(16);
    expect(links.map((link) => link.action).sort()).toEqual(['create', ...Array(15).fill('update')]);
  });
});
