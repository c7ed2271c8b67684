import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/test-store.js';
import { snKinds, startCasesHarness, workNotes } from './cases-servicenow-support.js';

type Harness = Awaited<ReturnType<typeof startCasesHarness>>;

// Pushing cases by hand to the ServiceNow simulator (cases-kibana.md §3, §9.1–§9.3), both types.
describe.each(dialects)('cases pushed to ServiceNow on %s', (dialect) => {
  let c: Harness;
  beforeAll(async () => {
    c = await startCasesHarness(dialect);
  });
  afterAll(() => c.h.close());
  beforeEach(() => {
    c.h.sim.control.reset();
    c.h.sim.requestLog.clear();
  });

  describe.each(snKinds)('$name', (kind) => {
    it('creates the ticket, then updates it and sends only new or edited comments', async () => {
      const kase = await c.newCase(kind, { title: 'Phishing wave' });
      const first = await c.comment(kase.id, 'first note');
      await c.comment(kase.id, 'second note');

      const created = await c.push(kase.id, kind);
      expect(created.status).toBe(200);
      const sysId = String(created.body.external_service.external_id);
      const ticket = c.h.sim.tables.get(kind.table, sysId);
      expect(ticket).toMatchObject({ short_description: 'Phishing wave', correlation_id: kase.id });
      expect(String(ticket?.description)).toContain('Added by test-admin.');
      expect(created.body.external_service).toMatchObject({
        connector_id: c.connectorOf(kind).id,
        external_title: ticket?.number,
      });
      expect(workNotes(c.h.sim, sysId)).toEqual(['first note', 'second note']);
      expect(created.body.comments.every((comment: { pushed_at: unknown }) => comment.pushed_at)).toBe(true);

      // Edit one comment, add one, change the title: the update sends exactly those.
      // The push marked the comment pushed, which changed its version.
      const firstId = (first.body.comments[0] as { id: string }).id;
      const edited = (await c.call('GET', `/api/cases/${kase.id}/comments/${firstId}`)).body as {
        id: string;
        version: string;
      };
      const patched = await c.call('PATCH', `/api/cases/${kase.id}/comments`, {
        id: edited.id,
        version: edited.version,
        type: 'user',
        comment: 'first note, corrected',
        owner: 'securitySolution',
      });
      expect(patched.status).toBe(200);
      await c.comment(kase.id, 'third note');
      const current = (await c.call('GET', `/api/cases/${kase.id}`)).body;
      await c.call('PATCH', '/api/cases', {
        cases: [{ id: kase.id, version: current.version, title: 'Phishing wave (contained)' }],
      });
      c.h.sim.requestLog.clear();
      const updated = await c.push(kase.id, kind);
      expect(updated.status).toBe(200);
      expect(updated.body.external_service.external_id).toBe(sysId);
      expect(c.h.sim.tables.list(kind.table, `correlation_id=${kase.id}`)).toHaveLength(1);
      expect(c.h.sim.tables.get(kind.table, sysId)?.short_description).toBe('Phishing wave (contained)');
      expect(workNotes(c.h.sim, sysId)).toEqual([
        'first note',
        'second note',
        'first note, corrected',
        'third note',
      ]);
      // The simulator saw no create this time: every write names the existing ticket.
      const sent = c.h.sim.requestLog.filter((entry) => entry.method !== 'GET');
      expect(sent.length).toBeGreaterThan(0);
      for (const entry of sent) {
        expect(JSON.stringify(entry.body)).toContain(sysId);
      }

      const actions = (await c.call('GET', `/api/cases/${kase.id}/user_actions`)).body as Array<{
        type: string;
        action: string;
      }>;
      expect(actions.filter((action) => action.type === 'pushed')).toHaveLength(2);
      expect(actions.map((action) => action.type)).toEqual([
        'create_case',
        'comment',
        'comment',
        'pushed',
        'comment',
        'comment',
        'title',
        'pushed',
      ]);
    });

    it('tells whether the case needs a push', async () => {
      const kase = await c.newCase(kind);
      const state = async () =>
        (await c.call('GET', `/internal/cases/${kase.id}/_connectors`)).body[c.connectorOf(kind).id].push;
      expect(await state()).toMatchObject({ needsToBePushed: true, hasBeenPushed: false });
      await c.push(kase.id, kind);
      expect(await state()).toMatchObject({ needsToBePushed: false, hasBeenPushed: true });
      await c.comment(kase.id, 'later');
      expect(await state()).toMatchObject({ needsToBePushed: true, hasBeenPushed: true });
    });

    it('leaves the case unpushed with the target reason when the target fails', async () => {
      const kase = await c.newCase(kind);
      await c.comment(kase.id, 'kept for later');
      c.h.sim.control.failNext(10, 500, { error: { message: 'database unavailable', detail: '' } });
      const failed = await c.push(kase.id, kind);
      expect(failed.status).toBe(424);
      expect(failed.body.code).toBe('CB_ERR_CASE_PUSH_FAILED');
      expect(failed.body.message).toMatch(/500|database unavailable/);
      const after = (await c.call('GET', `/api/cases/${kase.id}`)).body;
      expect(after.external_service).toBeNull();
      expect(after.version).toBe((await c.call('GET', `/api/cases/${kase.id}`)).body.version);
      expect(after.comments[0].pushed_at).toBeNull();
      const types = (await c.call('GET', `/api/cases/${kase.id}/user_actions`)).body.map(
        (action: { type: string }) => action.type,
      );
      expect(types).not.toContain('pushed');

      c.h.sim.control.reset();
      const retried = await c.push(kase.id, kind);
      expect(retried.status).toBe(200);
      expect(workNotes(c.h.sim, String(retried.body.external_service.external_id))).toEqual([
        'kept for later',
      ]);
    });

    it('closes the case when pushed with close-by-pushing', async () => {
      await c.configure(kind, { closure_type: 'close-by-pushing' });
      try {
        const kase = await c.newCase(kind);
        const pushed = await c.push(kase.id, kind);
        expect(pushed.body.status).toBe('closed');
        const types = (await c.call('GET', `/api/cases/${kase.id}/user_actions`)).body.map(
          (action: { type: string }) => action.type,
        );
        expect(types.slice(-2)).toEqual(['status', 'pushed']);
      } finally {
        await c.configure(kind, { closure_type: 'close-by-user' });
      }
    });
  });

  it('closing an ITSM case and pushing it closes the incident with the ticket settings', async () => {
    const kind = snKinds[0];
    const id = c.connectorOf(kind).id;
    const connector = (await c.call('GET', `/api/actions/connector/${id}`)).body;
    await c.call('PUT', `/api/actions/connector/${id}`, {
      name: connector.name,
      config: {
        ...connector.config,
        ticketSettings: {
          autoCloseState: '6',
          closeCode: 'Solved Remotely (Permanently)',
          closeNotes: 'Closed in casebridge',
        },
      },
      secrets: kind.secrets,
    });
    const kase = await c.newCase(kind);
    const sysId = String((await c.push(kase.id, kind)).body.external_service.external_id);
    expect(c.h.sim.tables.get('incident', sysId)?.state).toBe('1');
    const current = (await c.call('GET', `/api/cases/${kase.id}`)).body;
    await c.call('PATCH', '/api/cases', {
      cases: [{ id: kase.id, version: current.version, status: 'closed' }],
    });
    expect((await c.push(kase.id, kind)).status).toBe(200);
    expect(c.h.sim.tables.get('incident', sysId)).toMatchObject({
      state: '6',
      close_code: 'Solved Remotely (Permanently)',
      close_notes: 'Closed in casebridge',
    });
  });
});
