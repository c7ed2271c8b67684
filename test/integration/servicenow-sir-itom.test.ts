import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedSysId } from '../../simulators/servicenow/index.js';
import { dialects } from '../helpers/test-store.js';
import { basic, startHarness, trace, type SnHarness } from './servicenow-support.js';

const sirIncident = {
  externalId: null,
  short_description: 'Incident title',
  description: 'Incident description',
  dest_ip: ['192.168.1.1', '192.168.1.3'],
  source_ip: ['192.168.1.2', '192.168.1.4'],
  malware_hash: ['5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9'],
  malware_url: ['https://example.com'],
  category: 'software',
  subcategory: 'os',
  correlation_id: 'alertID',
  correlation_display: 'Alerting',
  priority: '1',
};

const itomEvent = {
  source: 'A source',
  event_class: 'An event class',
  resource: 'C:',
  node: 'node.example.com',
  metric_name: 'Percentage Logical Disk Free Space',
  type: 'Disk space',
  severity: '4',
  description: 'desc',
  additional_info: '{"alert": "test"}',
  message_key: 'a key',
  time_of_event: '2021-10-13T10:51:44.981Z',
};

describe.each(dialects)('.servicenow-sir and .servicenow-itom through the API on %s', (dialect) => {
  let h: SnHarness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.control.reset());

  it('SIR: lists five sub-actions and checks getIncident params (§10.34, §10.35)', async () => {
    const id = String(
      (await h.create('.servicenow-sir', { apiUrl: h.sim.url, usesTableApi: false }, basic.sir)).body.id,
    );
    const unknown = await h.execute(id, { subAction: 'non-supported' });
    expect(String(unknown.body.message).split('\n')).toHaveLength(6);
    expect(unknown.body.message).not.toContain('closeIncident');
    const missing = await h.execute(id, { subAction: 'getIncident', subActionParams: {} });
    expect(missing.body.message).toContain(
      '[1.subActionParams.externalId]: expected value of type [string] but got [undefined]',
    );
  });

  it('SIR import-set push: null observables in the import, then the bulk observables call (§10.36, §10.59, §10.74)', async () => {
    const id = String(
      (await h.create('.servicenow-sir', { apiUrl: h.sim.url, usesTableApi: false }, basic.sir)).body.id,
    );
    const reply = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: { incident: sirIncident, comments: [] },
    });
    expect(reply.body.status).toBe('ok');
    const data = reply.body.data as { id: string; url: string; title: string };
    expect(data.url).toBe(`${h.sim.url}/nav_to.do?uri=sn_si_incident.do?sys_id=${data.id}`);
    expect(data.title).toMatch(/^SIR/);
    expect(trace(h.sim)).toEqual([
      'GET /api/x_elas2_sir_int/elastic_api/health',
      'POST /api/now/import/x_elas2_sir_int_elastic_si_incident',
      `GET /api/now/v2/table/sn_si_incident/${data.id}`,
      'GET /api/x_elas2_sir_int/elastic_api/health',
      `POST /api/x_elas2_sir_int/elastic_api/incident/${data.id}/observables/bulk`,
    ]);
    const imported = h.sim.requestLog.find('/api/now/import/')[0]?.body;
    expect(imported).toEqual({
      u_short_description: 'Incident title',
      u_description: 'Incident description',
      u_category: 'software',
      u_subcategory: 'os',
      u_correlation_id: 'alertID',
      u_correlation_display: 'Alerting',
      u_dest_ip: null,
      u_malware_hash: null,
      u_malware_url: null,
      u_source_ip: null,
      u_priority: '1',
      u_caller_id: basic.sir.username,
      u_opened_by: basic.sir.username,
    });
    expect(h.sim.tables.observables(data.id).map((o) => `${o.type}:${o.value}`)).toEqual([
      'ipv4-addr:192.168.1.1',
      'ipv4-addr:192.168.1.3',
      'ipv4-addr:192.168.1.2',
      'ipv4-addr:192.168.1.4',
      'SHA256:5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9',
      'URL:https://example.com',
    ]);
  });

  it('SIR table-API push joins observables with commas and makes no observable call (§10.37)', async () => {
    const id = String((await h.create('.servicenow-sir', { apiUrl: h.sim.url }, basic.sir)).body.id);
    const reply = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: { incident: { ...sirIncident, source_ip: '10.0.0.1 | 10.0.0.2' } },
    });
    const data = reply.body.data as { id: string };
    expect(trace(h.sim)).toEqual([
      'POST /api/now/v2/table/sn_si_incident',
      `GET /api/now/v2/table/sn_si_incident/${data.id}`,
    ]);
    expect(h.sim.requestLog.all()[0]?.body).toMatchObject({
      dest_ip: '192.168.1.1,192.168.1.3',
      source_ip: '10.0.0.1 | 10.0.0.2',
    });
  });

  it("seed 004: BeyondTrust's security incident through .servicenow-sir in table-API mode", async () => {
    const id = String((await h.create('.servicenow-sir', { apiUrl: h.sim.url }, basic.sir)).body.id);
    const group = seedSysId('sys_user_group', 'Security Incident Response');
    const analyst = seedSysId('sys_user', 'fred.luddy');
    const reply = await h.execute(id, {
      subAction: 'pushToService',
      subActionParams: {
        incident: {
          short_description: 'Suspicious Account detected in Cloud Application',
          description: 'Suspicious API Account detected: Dev334567 account=DevAdmin',
          assignment_group: group,
          caller: analyst,
          impact: '1',
          cmdb_ci: 'Identity Security Insights',
          assigned_to: analyst,
          urgency: '2',
        },
      },
    });
    expect(reply.body.status).toBe('ok');
    const record = h.sim.tables.get('sn_si_incident', (reply.body.data as { id: string }).id);
    expect(record).toMatchObject({
      assignment_group: group,
      assigned_to: analyst,
      caller: analyst,
      impact: '1',
      urgency: '2',
    });
    expect(h.sim.requestLog.all()[0]?.headers.authorization).toBe('Basic ****');
  });

  it('seed 004 through .webhook with a Mustache body template', async () => {
    const created = await h.create(
      '.webhook',
      {
        url: `${h.sim.url}/api/now/table/sn_si_incident`,
        method: 'post',
        hasAuth: true,
        authType: 'webhook-authentication-basic',
        headers: { Accept: 'application/json' },
      },
      { user: basic.sir.username, password: basic.sir.password },
    );
    expect(created.statusCode).toBe(200);
    const body = JSON.stringify({
      active: 'true',
      short_description: 'Suspicious Account detected in Cloud Application',
      impact: '1',
      urgency: '2',
      cmdb_ci: 'Identity Security Insights',
    });
    const reply = await h.execute(String(created.body.id), { body });
    expect(reply.body.status).toBe('ok');
    expect(
      h.sim.tables.list(
        'sn_si_incident',
        'short_description=Suspicious Account detected in Cloud Application',
      ),
    ).toHaveLength(1);
  });

  it('ITOM: config without usesTableApi, addEvent body, clearing with severity 0, getChoices (§10.40, §10.51, §10.75)', async () => {
    const created = await h.create('.servicenow-itom', { apiUrl: h.sim.url }, basic.itom);
    expect(created.body).toMatchObject({
      is_deprecated: false,
      config: { apiUrl: h.sim.url, isOAuth: false, clientId: null },
    });
    expect(created.body.config).not.toHaveProperty('usesTableApi');
    const refused = await h.create(
      '.servicenow-itom',
      { apiUrl: h.sim.url, usesTableApi: false },
      basic.itom,
    );
    expect(refused.statusCode).toBe(400);
    const id = String(created.body.id);
    const reply = await h.execute(id, { subAction: 'addEvent', subActionParams: itomEvent });
    expect(reply.body).toEqual({ status: 'ok', connector_id: id, data: {} });
    expect(trace(h.sim)).toEqual(['POST /api/global/em/jsonv2']);
    expect(h.sim.requestLog.all()[0]?.body).toEqual({
      records: [{ ...itomEvent, time_of_event: '2021-10-13 10:51:44' }],
    });
    expect(h.sim.tables.list('em_alert', 'message_key=a key')[0]?.state).toBe('Open');
    await h.execute(id, {
      subAction: 'addEvent',
      subActionParams: {
        source: 'A source',
        severity: '0',
        message_key: 'a key',
        time_of_event: 'not a date',
      },
    });
    expect(h.sim.requestLog.all()[1]?.body).toEqual({
      records: [{ source: 'A source', severity: '0', message_key: 'a key' }],
    });
    expect(h.sim.tables.list('em_alert', 'message_key=a key')[0]?.state).toBe('Closed');
    const choices = await h.execute(id, {
      subAction: 'getChoices',
      subActionParams: { fields: ['severity'] },
    });
    expect((choices.body.data as { element: string }[]).every((c) => c.element === 'severity')).toBe(true);
    expect(h.sim.requestLog.all()[2]?.query.sysparm_query).toBe(
      'name=task^ORname=em_event^element=severity^language=en',
    );
    const unknown = await h.execute(id, { subAction: 'pushToService' });
    expect(unknown.body.message).toContain(
      '- [0.subAction]: expected value to equal [addEvent]\n- [1.subAction]: expected value to equal [getChoices]',
    );
    const noFields = await h.execute(id, { subAction: 'getChoices', subActionParams: {} });
    expect(noFields.body.message).toContain(
      '[1.subActionParams.fields]: expected value of type [array] but got [undefined]',
    );
  });

  it('ITOM: a user without evt_mgmt_integration gets a 403 that is not retried', async () => {
    const id = String((await h.create('.servicenow-itom', { apiUrl: h.sim.url }, basic.sir)).body.id);
    const reply = await h.execute(id, { subAction: 'addEvent', subActionParams: itomEvent });
    expect(reply.body).toMatchObject({ status: 'error', retry: false });
    expect(reply.body.service_message).toContain(
      '[Action][ServiceNow]: Unable to add event. Error: Request failed with status code 403',
    );
    const test = await h.t.app.server.inject({
      method: 'POST',
      url: `/api/casebridge/connectors/${id}/_test`,
      headers: { authorization: h.t.adminAuth },
    });
    expect(String((test.json() as { service_message?: string }).service_message)).toContain(
      'handshake failed at step',
    );
  });
});
