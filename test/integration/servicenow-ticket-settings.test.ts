import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedSysId } from '../../simulators/servicenow/index.js';
import { dialects } from '../helpers/test-store.js';
import { basic, startHarness, type SnHarness } from './servicenow-support.js';

const group = seedSysId('sys_user_group', 'Software');
const service = seedSysId('cmdb_ci_service', 'Email');
const assignee = seedSysId('sys_user', 'beth.anglin');
const tag = seedSysId('label', 'casebridge');

describe.each(dialects)('ServiceNow ITSM ticket settings and custom mapping on %s', (dialect) => {
  let h: SnHarness;
  beforeAll(async () => {
    // ThreatLocker's note: label_entry needs write access; grant it to the integration role here.
    h = await startHarness(dialect, { acl: { label_entry: { create: ['itil'], write: ['itil'] } } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.control.reset());

  const settings = {
    impact: '2',
    urgency: '2',
    assignmentGroup: group,
    businessService: service,
    assignee,
    category: 'software',
    state: '1',
    autoCloseState: '6',
    escalationState: '2',
    tags: [tag],
    closeCode: 'Solution provided',
    closeNotes: 'Closed by casebridge',
  };

  it('fills what the push leaves empty, lets the push override, tags on create, escalates and auto-closes', async () => {
    const created = await h.create(
      '.servicenow',
      { apiUrl: h.sim.url, usesTableApi: false, ticketSettings: settings },
      basic.itsm,
    );
    expect(created.statusCode).toBe(200);
    const id = String(created.body.id);
    const pushed = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: { incident: { short_description: 'from settings', urgency: '1', impact: null } },
    });
    expect(pushed.body.service_message ?? 'ok').toBe('ok');
    const data = pushed.body.data as { id: string; tags: { applied: string[]; failed: unknown[] } };
    expect(data.tags).toEqual({ applied: [tag], failed: [] });
    const record = h.sim.tables.get('incident', data.id);
    expect(record).toMatchObject({
      impact: '2',
      urgency: '1',
      assignment_group: group,
      business_service: service,
      assigned_to: assignee,
      category: 'software',
      state: '1',
    });
    expect(h.sim.tables.list('label_entry', `table_key=${data.id}`)[0]).toMatchObject({
      label: tag,
      table: 'incident',
    });
    const escalated = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: {
        incident: { short_description: 'from settings', externalId: data.id },
        lifecycle: 'escalated',
      },
    });
    expect(escalated.body.service_message ?? 'ok').toBe('ok');
    expect(h.sim.tables.get('incident', data.id)?.state).toBe('2');
    expect(h.sim.tables.list('label_entry', `table_key=${data.id}`)).toHaveLength(1);
    await h.execute(id, {
      subAction: 'closeIncident',
      subActionParams: { incident: { externalId: data.id } },
    });
    expect(h.sim.tables.get('incident', data.id)).toMatchObject({
      state: '6',
      close_code: 'Solution provided',
      close_notes: 'Closed by casebridge',
    });
  });

  it('raises Service Requests (sc_request) through the Table API', async () => {
    const id = String(
      (
        await h.create(
          '.servicenow',
          {
            apiUrl: h.sim.url,
            usesTableApi: false,
            ticketSettings: { ticketType: 'sc_request', assignmentGroup: group },
          },
          basic.itsm,
        )
      ).body.id,
    );
    const reply = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: { incident: { short_description: 'a request' } },
    });
    const data = reply.body.data as { id: string; title: string; url: string };
    expect(data.title).toMatch(/^REQ/);
    expect(data.url).toContain('uri=sc_request.do?sys_id=');
    expect(h.sim.requestLog.all()[0]).toMatchObject({ method: 'POST', path: '/api/now/v2/table/sc_request' });
  });

  it('reports a tag it may not write without failing the push', async () => {
    const plain = await startHarness(dialect);
    try {
      const id = String(
        (
          await plain.create(
            '.servicenow',
            { apiUrl: plain.sim.url, usesTableApi: false, ticketSettings: { tags: [tag] } },
            basic.itsm,
          )
        ).body.id,
      );
      const reply = await plain.execute(id, {
        subAction: 'pushToService',
        subActionParams: { incident: { short_description: 'x' } },
      });
      expect(reply.body.status).toBe('ok');
      const tags = (reply.body.data as { tags: { failed: { message: string }[] } }).tags;
      expect(tags.failed[0]?.message).toContain('status code 403');
    } finally {
      await plain.close();
    }
  });

  it('maps source paths onto String fields and names a non-String target', async () => {
    const mapping = [
      { source: 'case.title', target: 'u_source_title' },
      { source: 'case.owner', target: 'correlation_display' },
      { source: 'alert.tags', target: 'short_description' },
    ];
    const id = String(
      (
        await h.create(
          '.servicenow',
          { apiUrl: h.sim.url, usesTableApi: true, customMapping: mapping.slice(1) },
          basic.tableApi,
        )
      ).body.id,
    );
    const reply = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: {
        incident: { short_description: 'explicit wins' },
        source: { case: { owner: 'securitySolution' }, alert: { tags: ['a', 'b'] } },
      },
    });
    expect(reply.body.status).toBe('ok');
    const record = h.sim.tables.get('incident', (reply.body.data as { id: string }).id);
    expect(record).toMatchObject({
      correlation_display: 'securitySolution',
      short_description: 'explicit wins',
    });
    const dictionary = h.sim.requestLog.find('/api/now/table/sys_dictionary');
    expect(dictionary).toHaveLength(1);
    const bad = String(
      (
        await h.create(
          '.servicenow',
          { apiUrl: h.sim.url, customMapping: [{ source: 'case.severity', target: 'impact' }] },
          basic.tableApi,
        )
      ).body.id,
    );
    const refused = await h.execute(bad, {
      subAction: 'pushToService',
      subActionParams: { incident: { short_description: 'x' }, source: { case: { severity: 'high' } } },
    });
    expect(refused.body).toMatchObject({ status: 'error', retry: false });
    expect(refused.body.service_message).toContain(
      'Custom mapping target "impact" is not a String field of incident',
    );
    expect(h.sim.requestLog.find('/api/now/v2/table/incident', 'POST')).toHaveLength(1);
    const test = await h.execute(bad, { subAction: 'handshake', subActionParams: {} });
    expect(test.body.service_message).toContain('impact');
    const badShape = await h.create(
      '.servicenow',
      { apiUrl: h.sim.url, customMapping: [{ source: 'x', target: 'Bad Field' }] },
      basic.tableApi,
    );
    expect(badShape.statusCode).toBe(400);
  });

  it('lists reference pickers by name with sys_id values through getChoices', async () => {
    const id = String(
      (await h.create('.servicenow', { apiUrl: h.sim.url, usesTableApi: false }, basic.itsm)).body.id,
    );
    const reply = await h.execute(id, {
      subAction: 'getChoices',
      subActionParams: { fields: ['state', 'assignment_group', 'tags', 'business_service', 'assigned_to'] },
    });
    const rows = reply.body.data as { label: string; value: string; element: string }[];
    expect(rows).toContainEqual({
      label: 'Software',
      value: group,
      dependent_value: '',
      element: 'assignment_group',
    });
    expect(rows).toContainEqual({ label: 'casebridge', value: tag, dependent_value: '', element: 'tags' });
    expect(rows).toContainEqual({
      label: 'Email',
      value: service,
      dependent_value: '',
      element: 'business_service',
    });
    expect(rows.some((r) => r.element === 'state' && r.value === '7')).toBe(true);
    expect(rows.some((r) => r.element === 'assigned_to' && r.value === assignee)).toBe(true);
  });
});
