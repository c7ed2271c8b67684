import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createMetrics } from '../../src/metrics.js';
import { openStore, type Store } from '../../src/store/db.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects, postgresUrl } from '../helpers/test-store.js';
import { api, createWebhook, fastQueueConfig, startReceiver, statuses, waitFor } from './queue-receiver.js';

// Three instances on one PostgreSQL schema, each with its own pool, LISTEN connection and
// worker, as three `casebridge serve` processes would have.
describe.skipIf(!dialects.includes('postgres'))('three instances on one PostgreSQL', () => {
  let t: TestApp;
  const others: Array<{ app: App; store: Store }> = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const inFlight = new Map<string, number>();
  let doubleRuns = 0;
  let keyOverlaps = 0;

  beforeAll(async () => {
    receiver = await startReceiver((body) => {
      const id = String(body.i);
      const key = String(body.key);
      for (const name of [id, key]) inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
      if (inFlight.get(id)! > 1) doubleRuns += 1;
      if (inFlight.get(key)! > 1) keyOverlaps += 1;
      setTimeout(() => {
        for (const name of [id, key]) inFlight.set(name, inFlight.get(name)! - 1);
      }, 2);
      return { status: 200, delayMs: 3 };
    });
    t = await createTestApp({ dialect: 'postgres', config: fastQueueConfig });
    for (let i = 0; i < 2; i += 1) {
      const store = await openStore({ url: postgresUrl, schema: t.testStore.schema!, poolSize: 4 });
      const app = await buildApp({ ...t.deps, store, metrics: createMetrics({ defaultMetrics: false }) });
      others.push({ app, store });
    }
  });
  afterAll(async () => {
    for (const other of others) {
      await other.app.queue.stopWorkers(1_000);
      await other.app.server.close();
      await other.store.close();
    }
    await t.app.queue.stopWorkers(1_000);
    await t.close();
    await receiver.close();
  });

  it(
    'runs no delivery twice at once, keeps keyed order and spreads the work',
    { timeout: 60_000 },
    async () => {
      const connectorId = await createWebhook(t, receiver.url);
      const apps = [t.app, ...others.map((other) => other.app)];
      const byInstance = apps.map(() => 0);
      apps.forEach((app, index) =>
        app.queue.events.on('delivery:succeeded', () => (byInstance[index]! += 1)),
      );
      await Promise.all(
        apps.map((app, index) => app.queue.startWorker({ concurrency: 8 }, `instance-${index}`)),
      );

      const total = 600;
      for (let i = 0; i < total; i += 1) {
        const key = `case:${i % 20}`;
        // Enqueue through every instance in turn, as a load balancer would.
        const target = apps[i % 3]!;
        const res = await target.server.inject({
          method: 'POST',
          url: '/api/casebridge/deliveries',
          headers: { authorization: t.adminAuth },
          payload: { connector_id: connectorId, params: { body: JSON.stringify({ i, key }) }, key },
        });
        expect(res.statusCode).toBe(202);
      }
      await waitFor(async () => [...(await statuses(t)).values()].every((s) => s === 'succeeded'), 45_000);

      expect(receiver.received).toHaveLength(total);
      expect(new Set(receiver.received.map((r) => r.body.i)).size).toBe(total);
      expect(doubleRuns).toBe(0);
      expect(keyOverlaps).toBe(0);
      for (let k = 0; k < 20; k += 1) {
        const order = receiver.received
          .filter((r) => r.body.key === `case:${k}`)
          .map((r) => Number(r.body.i));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      // Every instance did a fair share (a third would be 200).
      for (const count of byInstance) expect(count).toBeGreaterThan(total / 10);
      expect(byInstance.reduce((a, b) => a + b, 0)).toBe(total);
      expect(
        (await api(t)('GET', '/api/casebridge/deliveries?status=succeeded&per_page=1')).json(),
      ).toMatchObject({ total });
    },
  );
});
