import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { api, createWebhook } from './queue-receiver.js';

// Alert ingest honours actions.queued.max: a request whose deliveries would pass it is answered
// 429 and stores nothing (no state, no delivery), reading the depth through its own transaction
// (a read beside it would hang on SQLite). No worker runs, so deliveries stay queued.
describe.each(dialects)('alert ingest back-pressure on %s', (dialect) => {
  let t: TestApp;

  const alert = (id: string) => ({ source: 'test', rule: { id: 'r' }, alert: { id }, status: 'firing' });
  const ingest = (body: unknown) => api(t)('POST', '/api/casebridge/alerts', body);
  const count = async (table: 'deliveries' | 'alert_states') =>
    Number(
      (
        await t.testStore.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp({ dialect, config: { 'actions.queued.max': 3, 'queue.enabled': false } });
    const hook = await createWebhook(t, 'http://127.0.0.1:9/in');
    const route = await api(t)('POST', '/api/casebridge/routes/all', {
      name: 'everything to a webhook',
      connector_id: hook,
      params: { body: '{"key":"{{lifecycle.key}}","action":"{{lifecycle.action}}"}' },
    });
    expect(route.statusCode).toBe(200);
  });
  beforeEach(async () => {
    for (const table of ['alert_states', 'alert_deliveries', 'deliveries'] as const)
      await t.testStore.store.db.deleteFrom(table).execute();
  });
  afterAll(async () => t.close());

  it('refuses a batch that would pass actions.queued.max with 429, storing nothing', async () => {
    const refused = await ingest(['a', 'b', 'c', 'd'].map(alert));
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ statusCode: 429 });
    expect(refused.body).toContain('actions.queued.max is 3');
    expect(await count('alert_states')).toBe(0);
    expect(await count('deliveries')).toBe(0);

    const accepted = await ingest(['a', 'b', 'c'].map(alert));
    expect(accepted.statusCode).toBe(202);
    expect(await count('deliveries')).toBe(3);
  });

  it('counts what is already queued, and takes alerts that cause no delivery', async () => {
    expect((await ingest(['a', 'b'].map(alert))).statusCode).toBe(202);
    const over = await ingest(['c', 'd'].map(alert));
    expect(over.statusCode).toBe(429);
    expect(await count('alert_states')).toBe(2);
    expect((await ingest(alert('c'))).statusCode).toBe(202);
    // Full: an update is refused and the state keeps its count; an alert that causes no delivery
    // (a recovery for a key that never had a ticket) is still taken.
    expect((await ingest(alert('a'))).statusCode).toBe(429);
    const noTicket = await ingest({ ...alert('z'), status: 'recovered' });
    expect(noTicket.statusCode).toBe(202);
    expect(noTicket.json()).toMatchObject({
      alerts: [{ routes: [{ action: 'none', reason: 'no_ticket' }] }],
    });
    expect(await count('deliveries')).toBe(3);
    const states = await api(t)('GET', '/api/casebridge/alerts?rule_id=r&per_page=10');
    const a = (states.json() as { data: { alert_id: string; counts: { fired: number } }[] }).data.find(
      (row) => row.alert_id === 'a',
    );
    expect(a?.counts.fired).toBe(1);
  });
});
