import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/test-store.js';
import { snKinds, startCasesHarness, workNotes } from './cases-servicenow-support.js';

type Harness = Awaited<ReturnType<typeof startCasesHarness>>;

// `sync: on-change`: case writes queue pushes through the delivery queue (docs/cases.md).
describe.each(dialects)('automatic case sync on %s', (dialect) => {
  let c: Harness;
  beforeAll(async () => {
    c = await startCasesHarness(dialect, {
      'queue.pollInterval': '50ms',
      'queue.retry.baseDelay': '100ms',
      'queue.retry.minDelay': '10ms',
      'queue.retry.jitter': 'none',
    });
  });
  afterAll(() => c.h.close());
  beforeEach(async () => {
    await c.h.t.app.queue.stopWorkers();
    c.h.sim.control.reset();
  });

  // An automatic push records itself on the case and so changes its version; a client that loses
  // that race gets Kibana's 409 and refreshes, as this helper does.
  const edit = async (caseId: string, change: object) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = (await c.call('GET', `/api/cases/${caseId}?includeComments=false`)).body;
      const reply = await c.call('PATCH', '/api/cases', {
        cases: [{ id: caseId, version: current.version, ...change }],
      });
      if (reply.status !== 409) return expect(reply.status).toBe(200);
    }
    throw new Error('still 409 after 20 refreshes');
  };

  describe.each(snKinds)('$name', (kind) => {
    beforeEach(() => c.configure(kind, { sync: 'on-change' }));

    it('queues one push per case while none has started, then pushes the case as it is', async () => {
      const kase = await c.newCase(kind, { title: 'edit 0' });
      for (let i = 1; i <= 10; i++) {
        await edit(kase.id, { title: `edit ${i}` });
        await c.comment(kase.id, `note ${i}`);
      }
      const queued = await c.deliveries(kase.id);
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ status: 'queued', origin: 'case_push' });

      await c.h.t.app.queue.startWorker();
      await c.settled(kase.id);
      const after = (await c.call('GET', `/api/cases/${kase.id}`)).body;
      const sysId = String(after.external_service.external_id);
      expect(c.h.sim.tables.get(kind.table, sysId)?.short_description).toBe('edit 10');
      expect(workNotes(c.h.sim, sysId)).toEqual(Array.from({ length: 10 }, (_, i) => `note ${i + 1}`));
      expect((await c.deliveries(kase.id)).map((delivery) => delivery.status)).toEqual(['succeeded']);
    });

    it('keeps order under 20 quick edits with a running worker: last title, every comment once', async () => {
      await c.h.t.app.queue.startWorker();
      const kase = await c.newCase(kind, { title: 'quick 0' });
      for (let i = 1; i <= 20; i++) {
        if (i % 2 === 0) await edit(kase.id, { title: `quick ${i}` });
        else await c.comment(kase.id, `quick note ${i}`);
      }
      await c.settled(kase.id);
      const tickets = c.h.sim.tables.list(kind.table, `correlation_id=${kase.id}`);
      expect(tickets).toHaveLength(1);
      const sysId = String(tickets[0]?.sys_id);
      expect(tickets[0]?.short_description).toBe('quick 20');
      expect(workNotes(c.h.sim, sysId)).toEqual(
        Array.from({ length: 10 }, (_, i) => `quick note ${2 * i + 1}`),
      );
      const statuses = (await c.deliveries(kase.id)).map((delivery) => delivery.status);
      expect(statuses.every((status) => status === 'succeeded')).toBe(true);
      expect(statuses.length).toBeLessThanOrEqual(21);
      const state = (await c.call('GET', `/internal/cases/${kase.id}/_connectors`)).body;
      expect(state[c.connectorOf(kind).id].push.needsToBePushed).toBe(false);
    });

    it('retries a target failure on the queue schedule; the failed attempt records nothing', async () => {
      c.h.sim.control.failNext(1, 503, { error: { message: 'try later', detail: '' } });
      const kase = await c.newCase(kind, { title: 'flaky target' });
      await c.h.t.app.queue.startWorker();
      await c.settled(kase.id);
      const [delivery] = await c.deliveries(kase.id);
      const detail = (await c.call('GET', `/api/casebridge/deliveries/${delivery?.id ?? ''}`)).body;
      expect(detail.status).toBe('succeeded');
      expect(detail.attempt_log.map((attempt: { outcome: string }) => attempt.outcome)).toEqual([
        'failure',
        'success',
      ]);
      expect(detail.attempt_log[0].error).toMatch(/503|try later/);
      const actions = (await c.call('GET', `/api/cases/${kase.id}/user_actions`)).body;
      expect(actions.filter((action: { type: string }) => action.type === 'pushed')).toHaveLength(1);
      expect(c.h.sim.tables.list(kind.table, `correlation_id=${kase.id}`)).toHaveLength(1);
    });

    it('gives up at once when the case is gone before its push runs', async () => {
      const kase = await c.newCase(kind);
      expect((await c.call('DELETE', `/api/cases?ids=["${kase.id}"]`)).status).toBe(204);
      await c.h.t.app.queue.startWorker();
      await c.settled(kase.id);
      const [delivery] = await c.deliveries(kase.id);
      const detail = (await c.call('GET', `/api/casebridge/deliveries/${delivery?.id ?? ''}`)).body;
      expect(detail.status).toBe('dead');
      expect(detail.attempt_log).toHaveLength(1);
      expect(detail.attempt_log[0]).toMatchObject({ retry: false });
      expect(detail.attempt_log[0].error).toContain(`Saved object [cases/${kase.id}] not found`);
    });
  });

  it('closing an ITSM case closes its incident (Kibana close values without ticket settings)', async () => {
    const kind = snKinds[0];
    await c.configure(kind, { sync: 'on-change' });
    await c.h.t.app.queue.startWorker();
    const kase = await c.newCase(kind);
    await c.settled(kase.id);
    const sysId = String((await c.call('GET', `/api/cases/${kase.id}`)).body.external_service.external_id);
    expect(c.h.sim.tables.get('incident', sysId)?.active).toBe('true');
    await edit(kase.id, { status: 'closed' });
    await c.settled(kase.id);
    expect(c.h.sim.tables.get('incident', sysId)).toMatchObject({ state: '7', active: 'false' });
  });

  it('queues nothing with sync: manual, or for changes the mapping does not cover', async () => {
    const kind = snKinds[0];
    await c.configure(kind, { sync: 'manual' });
    const manual = await c.newCase(kind);
    await edit(manual.id, { title: 'changed by hand' });
    expect(await c.deliveries(manual.id)).toHaveLength(0);

    await c.configure(kind, { sync: 'on-change' });
    await c.h.t.app.queue.startWorker();
    const synced = await c.newCase(kind);
    await c.settled(synced.id);
    await edit(synced.id, { severity: 'high', tags: ['unmapped'] });
    expect(await c.deliveries(synced.id)).toHaveLength(1);
  });
});
