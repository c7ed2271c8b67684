import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, errorOf, resultOf } from './test-support.js';

let sn: ServiceNowSimulator;
const itsm = as('casebridge.itsm');
const sir = as('casebridge.sir');
const ITSM_TABLE = '/api/now/import/x_elas2_inc_int_elastic_incident';
const SIR_TABLE = '/api/now/import/x_elas2_sir_int_elastic_si_incident';

// The body Kibana's ITSM connector sends on create (servicenow-kibana.md §5.5).
const KIBANA_CREATE = {
  u_short_description: 'a title',
  u_description: 'a description',
  u_category: 'software',
  u_subcategory: 'os',
  u_correlation_id: '{{rule.id}}:{{alert.id}}',
  u_correlation_display: null,
  u_severity: '1',
  u_urgency: '1',
  u_impact: '1',
  u_caller_id: 'casebridge.itsm',
  u_opened_by: 'casebridge.itsm',
};

beforeAll(async () => {
  sn = await startServiceNowSimulator();
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

interface ImportReply {
  import_set: string;
  staging_table: string;
  result: Record<string, string>[];
}

async function importRow(body: unknown, path = ITSM_TABLE, auth = itsm) {
  const reply = await call(sn.url, 'POST', path, { auth, body });
  return { reply, body: reply.json as ImportReply, row: (reply.json as ImportReply).result?.[0] ?? {} };
}

describe('Import Set API (Elastic ITSM app)', () => {
  it('transforms u_ columns into an incident synchronously and answers 201 with result[]', async () => {
    const { reply, body, row } = await importRow({
      ...KIBANA_CREATE,
      short_description: 'not a staging column',
    });
    expect(reply.status).toBe(201);
    expect(body.import_set).toBe('ISET0010001');
    expect(body.staging_table).toBe('x_elas2_inc_int_elastic_incident');
    expect(row).toMatchObject({
      transform_map: 'Elastic Incident',
      table: 'incident',
      display_name: 'number',
      display_value: 'INC0010001',
      status: 'inserted',
    });
    expect(row.record_link).toBe(`${sn.url}/api/now/table/incident/${row.sys_id}`);
    const incident = sn.tables.get('incident', row.sys_id ?? '');
    expect(incident).toMatchObject({
      short_description: 'a title',
      category: 'software',
      correlation_id: '{{rule.id}}:{{alert.id}}',
      priority: '1',
      caller_id: sn.tables.list('sys_user', 'user_name=casebridge.itsm')[0]?.sys_id,
    });

    // Kibana reads the record back through the v2 Table API.
    const read = await call(sn.url, 'GET', `/api/now/v2/table/incident/${row.sys_id}`, { auth: itsm });
    expect(resultOf(read)).toMatchObject({ number: 'INC0010001', sys_id: row.sys_id });
  });

  it('updates the record named by elastic_incident_id and appends work notes', async () => {
    const created = (await importRow(KIBANA_CREATE)).row;
    const { reply, row } = await importRow({
      u_short_description: 'new title',
      u_work_notes: 'a comment',
      elastic_incident_id: created.sys_id,
    });
    expect(reply.status).toBe(201);
    expect(row).toMatchObject({ status: 'updated', sys_id: created.sys_id, display_value: 'INC0010001' });
    expect(sn.tables.get('incident', created.sys_id ?? '')?.short_description).toBe('new title');
    expect(sn.tables.journal(created.sys_id ?? '', 'work_notes').map((e) => e.value)).toEqual(['a comment']);
  });

  it('closes like Kibana closeIncident, and reports a data-policy failure as status "error" inside a 201', async () => {
    const created = (await importRow(KIBANA_CREATE)).row;
    const refused = await importRow({ u_state: '7', elastic_incident_id: created.sys_id });
    expect(refused.reply.status).toBe(201);
    expect(refused.row).toMatchObject({ status: 'error', status_message: 'failure' });
    expect(refused.row.error_message).toContain('Data Policy Exception');
    const closed = await importRow({
      u_state: '7',
      u_close_code: 'Closed/Resolved by Caller',
      u_close_notes: 'Closed by Caller',
      elastic_incident_id: created.sys_id,
    });
    expect(closed.row.status).toBe('updated');
    expect(sn.tables.get('incident', created.sys_id ?? '')?.state).toBe('7');
  });

  it('reports an unknown elastic_incident_id and scripted transform failures as error rows', async () => {
    const missing = await importRow({ u_short_description: 'x', elastic_incident_id: 'f'.repeat(32) });
    expect(missing.reply.status).toBe(201);
    expect(missing.row.status).toBe('error');

    sn.control.failImports(1);
    const failed = await importRow(KIBANA_CREATE);
    expect(failed.reply.status).toBe(201);
    expect(failed.row).toEqual({
      transform_map: 'Elastic Incident',
      table: 'incident',
      status: 'error',
      error_message: 'An error has occurred while importing the incident',
      status_message: 'failure',
    });
    expect((await importRow(KIBANA_CREATE)).row.status).toBe('inserted');
  });

  it('refuses callers without import_set_loader, malformed bodies and unknown staging tables', async () => {
    const denied = await importRow(KIBANA_CREATE, ITSM_TABLE, as('itil.user'));
    expect(denied.reply.status).toBe(403);
    const malformed = await call(sn.url, 'POST', ITSM_TABLE, { auth: itsm, raw: '{oops' });
    expect(malformed.status).toBe(400);
    const unknown = await call(sn.url, 'POST', '/api/now/import/u_nothing', { auth: itsm, body: {} });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).message).toBe('Invalid table u_nothing');
  });

  it('imports many rows with insertMultiple', async () => {
    const reply = await call(sn.url, 'POST', `${ITSM_TABLE}/insertMultiple`, {
      auth: itsm,
      body: { records: [{ u_short_description: 'one' }, { u_short_description: 'two' }] },
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ import_set_id: expect.stringMatching(/^ISET/) });
    expect(sn.tables.list('incident', 'short_descriptionINone,two')).toHaveLength(2);
  });
});

describe('Import Set API (Elastic SecOps app) and observables', () => {
  it('creates security incidents and attaches observables in bulk without duplicates', async () => {
    const { row } = await importRow(
      { u_short_description: 'Incident title', u_category: 'phishing', u_dest_ip: null, u_priority: '1' },
      SIR_TABLE,
      sir,
    );
    expect(row).toMatchObject({ table: 'sn_si_incident', status: 'inserted', display_value: 'SIR0010001' });
    const path = `/api/x_elas2_sir_int/elastic_api/incident/${row.sys_id}/observables/bulk`;
    const observables = [
      { value: '192.168.1.1', type: 'ipv4-addr' },
      { value: '5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9', type: 'SHA256' },
    ];
    const first = await call(sn.url, 'POST', path, { auth: sir, body: observables });
    expect(first.status).toBe(200);
    await call(sn.url, 'POST', path, { auth: sir, body: observables });
    expect(sn.tables.observables(row.sys_id ?? '')).toHaveLength(2);
    const missing = await call(
      sn.url,
      'POST',
      `/api/x_elas2_sir_int/elastic_api/incident/${'0'.repeat(32)}/observables/bulk`,
      {
        auth: sir,
        body: observables,
      },
    );
    expect(missing.status).toBe(404);
  });
});

describe('Elastic app health', () => {
  it('answers the health check while installed', async () => {
    const reply = await call(sn.url, 'GET', '/api/x_elas2_inc_int/elastic_api/health', { auth: itsm });
    expect(reply.json).toEqual({ result: { name: 'Elastic', scope: 'x_elas2_inc_int', version: '1.0.0' } });
    const sirHealth = await call(sn.url, 'GET', '/api/x_elas2_sir_int/elastic_api/health', { auth: sir });
    expect(sirHealth.json).toEqual({
      result: { name: 'Elastic', scope: 'x_elas2_sir_int', version: '1.0.0' },
    });
    expect(
      (await call(sn.url, 'GET', '/api/x_elas2_inc_int/elastic_api/health', { auth: as('itil.user') }))
        .status,
    ).toBe(403);
  });

  it('answers 400 "Requested URI does not represent any resource" when the app is not installed', async () => {
    sn.control.setApp('x_elas2_inc_int', 'not_installed');
    const reply = await call(sn.url, 'GET', '/api/x_elas2_inc_int/elastic_api/health', { auth: itsm });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({
      message: 'Requested URI does not represent any resource',
      detail: null,
    });
    expect((await importRow(KIBANA_CREATE)).reply.status).toBe(400);
    // The other app is unaffected.
    expect((await call(sn.url, 'GET', '/api/x_elas2_sir_int/elastic_api/health', { auth: sir })).status).toBe(
      200,
    );
  });

  it('serves a 200 HTML page for every API while the instance hibernates (the case Kibana checks for)', async () => {
    sn.control.setHibernating(true);
    for (const path of [
      '/api/x_elas2_inc_int/elastic_api/health',
      '/api/now/v2/table/incident',
      '/oauth_token.do',
    ]) {
      const reply = await call(sn.url, path === '/oauth_token.do' ? 'POST' : 'GET', path, { auth: itsm });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toContain('text/html');
      expect(reply.text).toContain('hibernating');
    }
    sn.control.setHibernating(false);
    expect((await call(sn.url, 'GET', '/api/now/v2/table/incident', { auth: itsm })).status).toBe(200);
  });
});
