import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/queue/sql/claim.js';
import type { AttemptRecord } from '../../src/queue/types.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import {
  api,
  createWebhook,
  fastQueueConfig,
  startReceiver,
  statuses,
  waitFor,
  type Reply,
} from './queue-receiver.js';

// Worker behaviour against a real loopback target: retries and their timing, 429 pauses, dead
// letters and replay, keyed order, exclusivity, caps, leases and graceful shutdown.
describe.each(dialects)('delivery worker on %s', (dialect) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let connectorId: string;
  const ok: Reply = { status: 200 };

  const enqueue = async (body: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await api(t)('POST', '/api/casebridge/deliveries', {
      connector_id: connectorId,
      params: { body: JSON.stringify(body) },
      ...extra,
    });
    expect(res.statusCode).toBe(202);
    return (res.json() as { id: string }).id;
  };
  const detail = async (id: string) =>
    (await api(t)('GET', `/api/casebridge/deliveries/${id}`)).json() as {
      status: string;
      attempts: number;
      attempt_log: AttemptRecord[];
      last_error: string | null;
    };
  const allDone = async (n: number, status = 'succeeded') =>
    waitFor(async () => [...(await statuses(t)).values()].filter((s) => s === status).length === n, 15_000);

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({ dialect, config: fastQueueConfig });
    connectorId = await createWebhook(t, receiver.url);
  });
  afterEach(async () => {
    await t.app.queue.stopWorkers(1_000);
    await t.testStore.store.db.deleteFrom('deliveries').execute();
    await t.testStore.store.db.deleteFrom('delivery_pauses').execute();
    receiver.received.length = 0;
    receiver.state.respond = () => ok;
    receiver.state.maxInFlight = 0;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('retries 5xx on the exponential schedule, then succeeds', async () => {
    receiver.state.respond = (_body, n) => (n <= 2 ? { status: 503 } : ok);
    const id = await enqueue({ n: 1 });
    await t.app.queue.startWorker();
    await allDone(1);
    const times = receiver.received.map((r) => r.at);
    expect(times).toHaveLength(3);
    // baseDelay 100 ms, factor 2, no jitter: ≥ 100 ms, then ≥ 200 ms (poll 50 ms adds a little).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
    expect(times[1]! - times[0]!).toBeLessThan(600);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(195);
    expect(times[2]! - times[1]!).toBeLessThan(800);
    const d = await detail(id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(d.attempt_log.map((a) => a.outcome)).toEqual(['failure', 'failure', 'success']);
    expect(d.attempt_log[0]!.error).toMatch(/503/);
  });

  it('obeys Retry-After exactly and pauses the whole connector on 429', async () => {
    receiver.state.respond = (_body, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : ok);
    await enqueue({ n: 1 });
    await enqueue({ n: 2 });
    await enqueue({ n: 3 });
    await t.app.queue.startWorker({ concurrency: 1 });
    await allDone(3);
    const [first, ...rest] = receiver.received;
    // Nothing of this connector ran within the second the target asked for.
    for (const r of rest) expect(r.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(rest.map((r) => JSON.parse(String(r.body.n ?? 0)) as number).length).toBe(3);
  });

  it('makes a delivery dead after its last attempt, keeps every error, counts it, and replays it', async () => {
    receiver.state.respond = () => ({ status: 500, body: 'boom' });
    const id = await enqueue({ n: 1 });
    await t.app.queue.startWorker();
    await allDone(1, 'dead');
    const d = await detail(id);
    expect(d.attempts).toBe(3);
    expect(d.attempt_log).toHaveLength(3);
    expect(d.attempt_log.every((a) => a.outcome === 'failure' && /500/.test(a.error ?? ''))).toBe(true);
    const metrics = await t.deps.metrics.registry.getSingleMetricAsString('casebridge_deliveries_dead_total');
    expect(metrics).toMatch(/reason="exhausted"\} 1/);

    receiver.state.respond = () => ok;
    const bulk = await api(t)('POST', '/api/casebridge/deliveries/_bulk_retry', {
      connector_id: connectorId,
    });
    expect(bulk.json()).toMatchObject({ retried: 1 });
    await allDone(1, 'succeeded');
    expect((await detail(id)).status).toBe('dead');
  });

  it('treats retry:false (a 4xx) as final', async () => {
    receiver.state.respond = () => ({ status: 400 });
    const id = await enqueue({ n: 1 });
    await t.app.queue.startWorker();
    await allDone(1, 'dead');
    expect((await detail(id)).attempts).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('runs deliveries that share a key one at a time, in order, across retries', async () => {
    const inFlight = new Map<string, number>();
    let overlap = 0;
    receiver.state.respond = (body, n) => {
      const key = String(body.key);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      if (inFlight.get(key)! > 1) overlap += 1;
      setTimeout(() => inFlight.set(key, inFlight.get(key)! - 1), 5);
      return n % 7 === 0 ? { status: 503, delayMs: 5 } : { status: 200, delayMs: 5 };
    };
    const keys = ['case:a', 'case:b', 'case:c'];
    for (let i = 0; i < 30; i += 1) {
      const key = keys[i % 3]!;
      await enqueue({ key, i }, { key });
    }
    await t.app.queue.startWorker({ concurrency: 8 });
    await allDone(30);
    expect(overlap).toBe(0);
    for (const key of keys) {
      const delivered = receiver.received.filter((r) => r.body.key === key);
      // Successful deliveries, in the order they were accepted: a failed one is retried before
      // the next of its key may run, so the sequence of distinct values never goes back.
      const order = delivered.map((r) => Number(r.body.i));
      const firstSeen = order.filter((value, index) => order.indexOf(value) === index);
      expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
      for (let j = 1; j < order.length; j += 1) expect(order[j]!).toBeGreaterThanOrEqual(order[j - 1]!);
    }
  });

  it('never gives one delivery to two workers, and respects the per-connector cap', async () => {
    receiver.state.respond = () => ({ status: 200, delayMs: 10 });
    for (let i = 0; i < 150; i += 1) await enqueue({ i });
    await Promise.all([
      t.app.queue.startWorker({ concurrency: 10, perConnectorConcurrency: 3 }, 'w1'),
      t.app.queue.startWorker({ concurrency: 10, perConnectorConcurrency: 3 }, 'w2'),
    ]);
    await allDone(150);
    const seen = receiver.received.map((r) => Number(r.body.i));
    expect(seen).toHaveLength(150);
    expect(new Set(seen).size).toBe(150);
    // Two workers in one process, three each for this connector.
    expect(receiver.state.maxInFlight).toBeLessThanOrEqual(6);
  });

  it('takes back a delivery whose worker died once its lease expires', async () => {
    const id = await enqueue({ n: 1 });
    // A worker that claims and then vanishes (as after kill -9): a short lease, never completed.
    const ghost = await claimDeliveries(t.testStore.store, {
      workerId: 'ghost',
      now: new Date(),
      leaseMs: 300,
      limit: 10,
      excludeConnectors: [],
    });
    expect(ghost.map((g) => g.id)).toEqual([id]);
    await t.app.queue.startWorker();
    expect((await detail(id)).status).toBe('running');
    await allDone(1);
    const d = await detail(id);
    expect(d.attempts).toBe(2);
    expect(d.attempt_log.map((a) => a.outcome)).toEqual(['lease_expired', 'success']);
    expect(receiver.received).toHaveLength(1);
  });

  it('shuts down gracefully: running deliveries finish within the timeout', async () => {
    receiver.state.respond = () => ({ status: 200, delayMs: 300 });
    for (let i = 0; i < 5; i += 1) await enqueue({ i });
    await t.app.queue.startWorker();
    await waitFor(() => receiver.received.length === 5);
    await t.app.queue.stopWorkers(5_000);
    expect([...(await statuses(t)).values()]).toEqual(Array(5).fill('succeeded'));
  });

  it('shuts down gracefully: what does not finish in time is released, not lost, and runs after restart', async () => {
    receiver.state.respond = () => ({ status: 200, delayMs: 2_000 });
    for (let i = 0; i < 3; i += 1) await enqueue({ i });
    await t.app.queue.startWorker();
    await waitFor(() => receiver.received.length === 3);
    await t.app.queue.stopWorkers(100);
    const rows = await t.testStore.store.db
      .selectFrom('deliveries')
      .select(['status', 'attempts', 'locked_by'])
      .execute();
    expect(rows).toEqual(Array(3).fill({ status: 'queued', attempts: 0, locked_by: null }));
    receiver.state.respond = () => ok;
    await t.app.queue.startWorker();
    await allDone(3);
  });
});
