import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueDelivery } from '../../src/queue/enqueue.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { api, createWebhook, fastQueueConfig, startReceiver, waitFor } from './queue-receiver.js';

// Enqueue API, validation, idempotency, transactions, hand operations and back-pressure.
describe.each(dialects)('deliveries API on %s', (dialect) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let connectorId: string;
  const count = async () =>
    Number(
      (
        await t.testStore.store.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({ dialect, config: { ...fastQueueConfig, 'actions.queued.max': 20 } });
    connectorId = await createWebhook(t, receiver.url);
  });
  afterEach(async () => {
    await t.app.queue.stopWorkers(1_000);
    await t.testStore.store.db.deleteFrom('deliveries').execute();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('accepts a delivery with 202 and delivers it', async () => {
    const res = await api(t)('POST', '/api/casebridge/deliveries', {
      connector_id: connectorId,
      params: { body: '{"n":1}' },
      key: 'case:1',
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    const before = receiver.received.length;
    await t.app.queue.startWorker();
    await waitFor(
      async () => (await api(t)('GET', `/api/casebridge/deliveries/${id}`)).json().status === 'succeeded',
    );
    expect(receiver.received.length).toBe(before + 1);
    const detail = (await api(t)('GET', `/api/casebridge/deliveries/${id}`)).json() as Record<
      string,
      unknown
    >;
    expect(detail).toMatchObject({ id, status: 'succeeded', attempts: 1, origin: 'api', key: 'case:1' });
    expect(detail.attempt_log).toEqual([expect.objectContaining({ attempt: 1, outcome: 'success' })]);
    // The executor recorded the run in the execution history with source "queue".
    const events = (await api(t)('GET', `/api/casebridge/events?connector_id=${connectorId}`)).json() as {
      data: Array<{ source: string }>;
    };
    expect(events.data.some((event) => event.source === 'queue')).toBe(true);
  });

  it('returns the same delivery for the same idempotency key', async () => {
    const body = { connector_id: connectorId, params: { body: '{}' }, idempotency_key: 'alert-42' };
    const first = await api(t)('POST', '/api/casebridge/deliveries', body);
    const second = await api(t)('POST', '/api/casebridge/deliveries', body);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ id: first.json().id, created: false });
    expect(await count()).toBe(1);
  });

  it.each([
    ['unknown connector', { connector_id: 'nope', params: {} }, 404, 'CB_ERR_NOT_FOUND'],
    ['invalid params', { connector_id: 'CID', params: { body: 42 } }, 400, 'CB_ERR_DELIVERY_PARAMS_INVALID'],
    [
      'oversized params',
      { connector_id: 'CID', params: { body: 'x'.repeat(300_000) } },
      413,
      'CB_ERR_DELIVERY_PARAMS_TOO_LARGE',
    ],
    ['bad key', { connector_id: 'CID', params: {}, key: 'has space' }, 400, 'CB_ERR_VALIDATION'],
    ['empty key', { connector_id: 'CID', params: {}, key: '' }, 400, 'CB_ERR_VALIDATION'],
    [
      'bad idempotency key',
      { connector_id: 'CID', params: {}, idempotency_key: 'x'.repeat(300) },
      400,
      'CB_ERR_VALIDATION',
    ],
    ['unknown field', { connector_id: 'CID', params: {}, priority: 1 }, 400, 'CB_ERR_VALIDATION'],
    ['params not an object', { connector_id: 'CID', params: 'text' }, 400, 'CB_ERR_VALIDATION'],
  ])('refuses %s with %s and stores nothing', async (_name, body, status, code) => {
    const payload = { ...body, connector_id: body.connector_id === 'CID' ? connectorId : body.connector_id };
    const res = await api(t)('POST', '/api/casebridge/deliveries', payload);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ statusCode: status, code });
    expect(await count()).toBe(0);
  });

  it('refuses writes from a read-only key', async () => {
    const res = await api(t)(
      'POST',
      '/api/casebridge/deliveries',
      { connector_id: connectorId, params: {} },
      t.readAuth,
    );
    expect(res.statusCode).toBe(403);
    expect(await count()).toBe(0);
  });

  it('writes in the caller’s transaction: rollback leaves nothing queued', async () => {
    const prepared = await t.app.queue.prepare({ connectorId, params: { body: '{}' }, origin: 'case_push' });
    await expect(
      t.testStore.store.db.transaction().execute(async (trx) => {
        await enqueueDelivery(trx, prepared);
        expect(
          Number(
            (
              await trx
                .selectFrom('deliveries')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ).toBe(1);
        throw new Error('the case write failed');
      }),
    ).rejects.toThrow('the case write failed');
    expect(await count()).toBe(0);
    await t.testStore.store.db.transaction().execute(async (trx) => {
      await t.app.queue.enqueue({ connectorId, params: { body: '{}' }, origin: 'case_push' }, trx);
    });
    expect(await count()).toBe(1);
  });

  it('lists with filters and paging, newest first', async () => {
    for (let i = 0; i < 5; i += 1) {
      await api(t)('POST', '/api/casebridge/deliveries', {
        connector_id: connectorId,
        params: {},
        key: i % 2 ? 'odd' : 'even',
      });
    }
    const page = (await api(t)('GET', '/api/casebridge/deliveries?key=even&per_page=2&page=1')).json() as {
      total: number;
      data: Array<{ key: string; status: string }>;
    };
    expect(page.total).toBe(3);
    expect(page.data).toHaveLength(2);
    expect(page.data.every((row) => row.key === 'even' && row.status === 'queued')).toBe(true);
    const bad = await api(t)('GET', '/api/casebridge/deliveries?status=lost');
    expect(bad.statusCode).toBe(400);
  });

  it('cancels a waiting delivery, refuses to cancel a finished one, and replays a canceled one', async () => {
    const { id } = (
      await api(t)('POST', '/api/casebridge/deliveries', { connector_id: connectorId, params: {} })
    ).json() as { id: string };
    expect((await api(t)('POST', `/api/casebridge/deliveries/${id}/_cancel`)).statusCode).toBe(200);
    const again = await api(t)('POST', `/api/casebridge/deliveries/${id}/_cancel`);
    expect(again.statusCode).toBe(200);
    const replay = await api(t)('POST', `/api/casebridge/deliveries/${id}/_retry`);
    expect(replay.statusCode).toBe(202);
    const replayId = (replay.json() as { id: string }).id;
    expect(replayId).not.toBe(id);
    // Replaying twice gives the same replay, not a second one.
    expect((await api(t)('POST', `/api/casebridge/deliveries/${id}/_retry`)).json()).toMatchObject({
      id: replayId,
    });
    await t.app.queue.startWorker();
    await waitFor(
      async () =>
        (await api(t)('GET', `/api/casebridge/deliveries/${replayId}`)).json().status === 'succeeded',
    );
    const done = await api(t)('POST', `/api/casebridge/deliveries/${replayId}/_cancel`);
    expect(done.statusCode).toBe(409);
    expect(done.json()).toMatchObject({ code: 'CB_ERR_DELIVERY_STATE' });
    expect((await api(t)('GET', `/api/casebridge/deliveries/${replayId}`)).json()).toMatchObject({
      origin: 'replay',
      replay_of: id,
    });
    expect((await api(t)('GET', '/api/casebridge/deliveries/missing')).statusCode).toBe(404);
  });

  it('answers 429 past actions.queued.max and keeps what it accepted', async () => {
    const accepted: string[] = [];
    let refused = 0;
    for (let i = 0; i < 25; i += 1) {
      const res = await api(t)('POST', '/api/casebridge/deliveries', {
        connector_id: connectorId,
        params: { body: `{"i":${i}}` },
      });
      if (res.statusCode === 202) accepted.push((res.json() as { id: string }).id);
      else {
        expect(res.statusCode).toBe(429);
        expect(res.json()).toMatchObject({ code: 'CB_ERR_QUEUE_FULL', error: 'Too Many Requests' });
        refused += 1;
      }
    }
    expect(accepted).toHaveLength(20);
    expect(refused).toBe(5);
    expect(await count()).toBe(20);
    await t.app.queue.startWorker();
    await waitFor(
      async () => (await api(t)('GET', '/api/casebridge/deliveries?status=succeeded')).json().total === 20,
    );
  });
});
