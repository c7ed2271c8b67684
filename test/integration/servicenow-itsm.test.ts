import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/test-store.js';
import { basic, itsmIncident, startHarness, trace, type SnHarness } from './servicenow-support.js';

describe.each(dialects)('.servicenow (ITSM) through the API on %s', (dialect) => {
  let h: SnHarness;
  let importId: string;
  let tableId: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    importId = String(
      (await h.create('.servicenow', { apiUrl: `${h.sim.url}/`, usesTableApi: false }, basic.itsm)).body.id,
    );
    tableId = String((await h.create('.servicenow', { apiUrl: h.sim.url }, basic.tableApi)).body.id);
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.control.reset());

  describe('creating connectors (§10.1)', () => {
    it('stores every config key, normalises the URL and reports is_deprecated as Kibana does', async () => {
      const created = await h.create(
        '.servicenow',
        { apiUrl: `${h.sim.url}/now/nav/ui/classic`, usesTableApi: false },
        basic.itsm,
      );
      expect(created.statusCode).toBe(200);
      expect(created.body).toMatchObject({
        connector_type_id: '.servicenow',
        is_preconfigured: false,
        is_deprecated: false,
        is_missing_secrets: false,
        config: {
          apiUrl: h.sim.url,
          usesTableApi: false,
          isOAuth: false,
          clientId: null,
          jwtKeyId: null,
          userIdentifierValue: null,
        },
      });
      expect(Object.keys(created.body.config as object).sort()).toEqual([
        'apiUrl',
        'clientId',
        'isOAuth',
        'jwtKeyId',
        'userIdentifierValue',
        'usesTableApi',
      ]);
      const fetched = await h.get(`/api/actions/connector/${String(created.body.id)}`);
      expect(fetched.body).toEqual(created.body);
      const legacy = await h.create('.servicenow', { apiUrl: h.sim.url }, basic.itsm);
      expect(legacy.body).toMatchObject({ is_deprecated: true, config: { usesTableApi: true } });
    });

    it.each([
      [
        {},
        undefined,
        'error validating action type config: [apiUrl]: expected value of type [string] but got [undefined]',
      ],
      [
        { apiUrl: 'http://servicenow.mynonexistent.com' },
        basic.itsm,
        'error validating action type config: error configuring connector action: target url "http://servicenow.mynonexistent.com" is not added to the Kibana config xpack.actions.allowedHosts',
      ],
      [
        { apiUrl: 'SIM' },
        undefined,
        'error validating action type secrets: Either basic auth or OAuth credentials must be specified',
      ],
      [
        { apiUrl: 'SIM', isOAuth: true, clientId: null, userIdentifierValue: 'u', jwtKeyId: 'k' },
        { clientSecret: 'x', privateKey: 'k' },
        'error validating action type config: clientId must be provided when isOAuth = true',
      ],
      [
        { apiUrl: 'SIM', isOAuth: true, clientId: 'c', userIdentifierValue: null, jwtKeyId: 'k' },
        { clientSecret: 'x', privateKey: 'k' },
        'error validating action type config: userIdentifierValue must be provided when isOAuth = true',
      ],
      [
        { apiUrl: 'SIM', isOAuth: true, clientId: 'c', userIdentifierValue: 'u', jwtKeyId: null },
        { clientSecret: 'x', privateKey: 'k' },
        'error validating action type config: jwtKeyId must be provided when isOAuth = true',
      ],
      [
        { apiUrl: 'SIM', isOAuth: true, clientId: 'c', userIdentifierValue: 'u', jwtKeyId: 'k' },
        { clientSecret: null, privateKey: 'k' },
        'error validating action type secrets: clientSecret and privateKey must both be specified',
      ],
      [
        { apiUrl: 'SIM' },
        { username: 'u' },
        'error validating action type secrets: username and password must both be specified',
      ],
      [
        { apiUrl: 'SIM', clientId: 'c' },
        basic.itsm,
        'error validating action type connector: clientId, clientSecret, userIdentifierValue, jwtKeyId and privateKey should not be provided with isOAuth = false',
      ],
      [
        { apiUrl: 'SIM', isOAuth: true, clientId: 'c', userIdentifierValue: 'u', jwtKeyId: 'k' },
        { clientSecret: 'x', privateKey: 'k', username: 'a', password: 'b' },
        'error validating action type connector: Username and password should not be provided with isOAuth = true',
      ],
      [
        { apiUrl: 'http://example.com' },
        basic.itsm,
        'error validating action type config: error configuring connector action: target url "http://example.com" is not added to the Kibana config xpack.actions.allowedHosts',
      ],
    ])("refuses %j with Kibana's message", async (config, secrets, message) => {
      const withSim = {
        ...config,
        ...('apiUrl' in config && config.apiUrl === 'SIM' ? { apiUrl: h.sim.url } : {}),
      };
      const reply = await h.create('.servicenow', withSim, secrets as Record<string, unknown> | undefined);
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message });
    });
  });

  describe('params validation (§10.2)', () => {
    const run = (params: Record<string, unknown>) => h.execute(importId, params);
    it('answers {} with exactly the five keys', async () => {
      const reply = await run({});
      expect(reply.statusCode).toBe(200);
      expect(Object.keys(reply.body).sort()).toEqual([
        'connector_id',
        'errorSource',
        'message',
        'retry',
        'status',
      ]);
      expect(reply.body).toMatchObject({ status: 'error', retry: false, errorSource: 'user' });
    });
    it('lists the six sub-actions for an unknown one', async () => {
      const reply = await run({ subAction: 'non-supported' });
      expect(reply.body.message).toBe(
        'error validating action params: types that failed validation:\n- [0.subAction]: expected value to equal [getFields]\n- [1.subAction]: expected value to equal [getIncident]\n- [2.subAction]: expected value to equal [handshake]\n- [3.subAction]: expected value to equal [pushToService]\n- [4.subAction]: expected value to equal [getChoices]\n- [5.subAction]: expected value to equal [closeIncident]',
      );
    });
    it.each([
      [{ subAction: 'pushToService' }, '[3.subActionParams'],
      [{ subAction: 'pushToService', subActionParams: { savedObjectId: 'success' } }, '[3.subActionParams'],
      [
        {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'x' }, comments: [{ comment: 'boo' }] },
        },
        '[3.subActionParams.comments]',
      ],
      [
        {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'x' }, comments: [{ commentId: 'x' }] },
        },
        '[3.subActionParams.comments]',
      ],
      [
        {
          subAction: 'pushToService',
          subActionParams: {
            incident: {
              short_description: 'x',
              additional_fields: Object.fromEntries(
                Array.from({ length: 21 }, (_, i) => [String(i), 'foobar']),
              ),
            },
            comments: [],
          },
        },
        'A maximum of 20 fields in additional_fields can be defined at a time.',
      ],
      [
        {
          subAction: 'pushToService',
          subActionParams: {
            incident: { short_description: 'x', additional_fields: { short_description: 'foo' } },
          },
        },
        'The following properties cannot be defined inside additional_fields: short_description.',
      ],
      [
        {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'x', additional_fields: '{not json' } },
        },
        'error validating action params: ',
      ],
      [
        {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'x', otherFields: '{ "foo": "bar" }' } },
        },
        'otherFields',
      ],
      [
        { subAction: 'getChoices', subActionParams: {} },
        '[4.subActionParams.fields]: expected value of type [array] but got [undefined]',
      ],
    ])('refuses %j', async (params, text) => {
      const reply = await run(params);
      expect(reply.body).toMatchObject({ status: 'error', retry: false, errorSource: 'user' });
      expect(String(reply.body.message)).toContain(text);
      expect(h.sim.requestLog.all()).toHaveLength(0);
    });
  });

  describe('import-set mode (Elastic app)', () => {
    it('creates: health, import with u_ fields, read back (§10.20, §10.58)', async () => {
      const reply = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident, comments: [] },
      });
      expect(reply.body.status).toBe('ok');
      const data = reply.body.data as Record<string, string>;
      const record = h.sim.tables.get('incident', data.id ?? '');
      expect(data).toEqual({
        id: record?.sys_id,
        title: record?.number,
        pushedDate: new Date(`${record?.sys_created_on?.replace(' ', 'T')}Z`).toISOString(),
        url: `${h.sim.url}/nav_to.do?uri=incident.do?sys_id=${record?.sys_id}`,
      });
      expect(trace(h.sim)).toEqual([
        'GET /api/x_elas2_inc_int/elastic_api/health',
        'POST /api/now/import/x_elas2_inc_int_elastic_incident',
        `GET /api/now/v2/table/incident/${data.id}`,
      ]);
      const post = h.sim.requestLog.find('/api/now/import/')[0];
      expect(post?.body).toEqual({
        u_short_description: 'a title',
        u_description: 'a description',
        u_category: 'software',
        u_subcategory: 'os',
        u_correlation_id: '{{rule.id}}:{{alert.id}}',
        u_correlation_display: null,
        u_severity: '1',
        u_urgency: '1',
        u_impact: '1',
        u_caller_id: basic.itsm.username,
        u_opened_by: basic.itsm.username,
      });
      expect(post?.headers.authorization).toBe('Basic ****');
      expect(record?.short_description).toBe('a title');
    });

    it('updates with elastic_incident_id and pushes each comment as a full update (§10.60, §10.73)', async () => {
      const first = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident },
      });
      const id = (first.body.data as { id: string }).id;
      h.sim.requestLog.clear();
      const reply = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: {
          incident: {
            ...itsmIncident,
            externalId: id,
            additional_fields: { u_custom: 'x', u_short_description: 'loses' },
          },
          comments: [
            { comment: 'first comment', commentId: '456' },
            { comment: 'second', commentId: '789' },
          ],
        },
      });
      const data = reply.body.data as {
        comments: { commentId: string; pushedDate: string }[];
        pushedDate: string;
      };
      expect(data.comments.map((c) => c.commentId)).toEqual(['456', '789']);
      expect(data.comments.every((c) => c.pushedDate === data.pushedDate)).toBe(true);
      expect(trace(h.sim)).toHaveLength(9);
      const imports = h.sim.requestLog.find('/api/now/import/').map((e) => e.body as Record<string, unknown>);
      expect(imports.map((b) => b.elastic_incident_id)).toEqual([id, id, id]);
      expect(imports[0]).toMatchObject({ u_custom: 'x', u_short_description: 'a title' });
      expect(imports[0]).not.toHaveProperty('u_caller_id');
      expect(imports[1]).toMatchObject({ u_work_notes: 'first comment' });
      expect(h.sim.tables.journal(id, 'work_notes').map((j) => j.value)).toEqual(['second', 'first comment']);
    });

    it('treats status "error" inside a 2xx import answer as a failure (§10.64)', async () => {
      h.sim.control.failImports(1);
      const reply = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident },
      });
      expect(reply.body).toMatchObject({ status: 'error', retry: false, errorSource: 'user' });
      expect(reply.body.service_message).toBe(
        '[Action][ServiceNow]: Unable to create incident. Error: An error has occurred while importing the incident [status=200] [method=post] [endpoint=import_set] [auth=basic]',
      );
    });

    it('fails with the app version error when the Elastic app is missing (§10.65)', async () => {
      h.sim.control.setApp('x_elas2_inc_int', 'not_installed');
      const reply = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident },
      });
      expect(reply.body).toMatchObject({ status: 'error', retry: false });
      expect(reply.body.service_message).toContain(
        'Unable to create incident. Error: [Action][ServiceNow]: Unable to get application version. Error: Request failed with status code 400 Reason: Requested URI does not represent any resource [status=400] [method=get] [endpoint=health]',
      );
      expect(trace(h.sim)).toEqual(['GET /api/x_elas2_inc_int/elastic_api/health']);
    });

    it('recognises a hibernating instance (HTML with 200)', async () => {
      h.sim.control.setHibernating(true);
      const reply = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: 'abc' },
      });
      expect(reply.body).toMatchObject({ status: 'error', retry: true });
      expect(reply.body.service_message).toContain(
        `There is an issue with your Service Now Instance. Please check ${new URL(h.sim.url).host}.`,
      );
      expect(reply.body.service_message).toContain('hibernating');
    });

    it('answers 429 with the Retry-After time and 5xx with retry true, 401/403 with retry false', async () => {
      h.sim.control.failNext(1, 429, {
        error: { message: 'Too Many Requests', detail: 'slow down' },
        status: 'failure',
      });
      h.sim.control.fault({
        action: { kind: 'status', status: 429, headers: { 'Retry-After': '30' } },
        times: 1,
      });
      h.sim.control.clearFaults();
      h.sim.control.fault({
        action: { kind: 'status', status: 429, headers: { 'Retry-After': '30' } },
        times: 1,
      });
      const before = Date.now();
      const limited = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: 'abc' },
      });
      const retry = Date.parse(String(limited.body.retry));
      expect(retry).toBeGreaterThanOrEqual(before + 29_000);
      expect(retry).toBeLessThanOrEqual(Date.now() + 31_000);
      h.sim.control.failNext(1, 503);
      const down = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: 'abc' },
      });
      expect(down.body).toMatchObject({ status: 'error', retry: true, errorSource: 'framework' });
      expect(down.body.service_message).toContain('[status=503]');
      const wrong = String(
        (
          await h.create(
            '.servicenow',
            { apiUrl: h.sim.url, usesTableApi: false },
            { username: 'casebridge.itsm', password: 'nope' },
          )
        ).body.id,
      );
      const denied = await h.execute(wrong, {
        subAction: 'getIncident',
        subActionParams: { externalId: 'abc' },
      });
      expect(denied.body).toMatchObject({ status: 'error', retry: false });
      expect(denied.body.service_message).toContain(
        'Reason: User Not Authenticated: Required to provide Auth information [status=401] [method=get] [endpoint=table] [auth=basic]',
      );
      h.sim.control.dropNext(1);
      const dropped = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: 'abc' },
      });
      expect(dropped.body).toMatchObject({ status: 'error', retry: true });
    });
  });

  describe('table-API mode (deprecated)', () => {
    it('creates with POST then GET, updates with PATCH then GET (§10.21, §10.62)', async () => {
      const created = await h.execute(tableId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident, comments: [] },
      });
      const id = (created.body.data as { id: string }).id;
      expect(trace(h.sim)).toEqual([
        'POST /api/now/v2/table/incident',
        `GET /api/now/v2/table/incident/${id}`,
      ]);
      expect(h.sim.requestLog.all()[0]?.body).toMatchObject({
        short_description: 'a title',
        caller_id: basic.tableApi.username,
      });
      h.sim.requestLog.clear();
      const updated = await h.execute(tableId, {
        subAction: 'pushToService',
        subActionParams: { incident: { ...itsmIncident, externalId: id, short_description: 'new' } },
      });
      expect(updated.body.status).toBe('ok');
      expect(trace(h.sim)).toEqual([
        `PATCH /api/now/v2/table/incident/${id}`,
        `GET /api/now/v2/table/incident/${id}`,
      ]);
      expect(h.sim.tables.get('incident', id)?.short_description).toBe('new');
    });

    it('refuses additional_fields, even {} (§10.63)', async () => {
      const reply = await h.execute(tableId, {
        subAction: 'pushToService',
        subActionParams: { incident: { ...itsmIncident, additional_fields: {} } },
      });
      expect(reply.body.service_message).toBe(
        '[Action][ServiceNow]: Unable to create incident. Error: ServiceNow additional fields are not supported for deprecated connectors. [status=400] [method=post] [endpoint=table] [auth=basic]',
      );
      expect(h.sim.requestLog.all()).toHaveLength(0);
    });
  });

  describe('getIncident, getFields, getChoices', () => {
    it("returns the record, String fields and choice rows with Kibana's queries (§10.22, §10.72)", async () => {
      const created = await h.execute(importId, {
        subAction: 'pushToService',
        subActionParams: { incident: itsmIncident },
      });
      const id = (created.body.data as { id: string }).id;
      const got = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: id },
      });
      expect(got.body.data).toMatchObject({ sys_id: id, short_description: 'a title' });
      h.sim.requestLog.clear();
      const fields = await h.execute(importId, { subAction: 'getFields', subActionParams: {} });
      expect((fields.body.data as { element: string }[]).map((f) => f.element)).toContain(
        'short_description',
      );
      const choices = await h.execute(importId, {
        subAction: 'getChoices',
        subActionParams: { fields: ['priority', 'category'] },
      });
      expect((choices.body.data as { element: string }[]).some((c) => c.element === 'priority')).toBe(true);
      const [dict, choice] = h.sim.requestLog.all();
      expect(dict?.query).toEqual({
        sysparm_query: 'name=task^ORname=incident^internal_type=string',
        active: 'true',
        array: 'false',
        read_only: 'false',
        sysparm_fields: 'max_length,element,column_label,mandatory',
      });
      expect(choice?.query).toEqual({
        sysparm_query: 'name=task^ORname=incident^element=priority^ORelement=category^language=en',
        sysparm_fields: 'label,value,dependent_value,element',
      });
      const empty = await h.execute(importId, {
        subAction: 'getIncident',
        subActionParams: { externalId: ' ' },
      });
      expect(empty.body.service_message).toContain(
        'Unable to get incident with id  . Error: Incident id is empty.',
      );
    });
  });

  describe('closeIncident (§10.23, §10.68–71)', () => {
    const push = async (incident: Record<string, unknown>) =>
      (
        await h.execute(importId, {
          subAction: 'pushToService',
          subActionParams: { incident: { ...itsmIncident, ...incident } },
        })
      ).body.data as { id: string };

    it("closes by id: GET record, health, import with Kibana's close values, GET", async () => {
      const { id } = await push({});
      h.sim.requestLog.clear();
      const reply = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { externalId: id } },
      });
      expect(reply.body.status).toBe('ok');
      expect(trace(h.sim)).toEqual([
        `GET /api/now/v2/table/incident/${id}`,
        'GET /api/x_elas2_inc_int/elastic_api/health',
        'POST /api/now/import/x_elas2_inc_int_elastic_incident',
        `GET /api/now/v2/table/incident/${id}`,
      ]);
      expect(h.sim.requestLog.find('/api/now/import/')[0]?.body).toEqual({
        u_state: '7',
        u_close_code: 'Closed/Resolved by Caller',
        u_close_notes: 'Closed by Caller',
        elastic_incident_id: id,
      });
      expect(h.sim.tables.get('incident', id)?.state).toBe('7');
      h.sim.requestLog.clear();
      const again = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { externalId: id } },
      });
      expect(again.body.data).toMatchObject({ id });
      expect(trace(h.sim)).toEqual([`GET /api/now/v2/table/incident/${id}`]);
      expect(h.t.logLines.join('')).toContain(
        `Incident with correlation_id: {{rule.id}}:{{alert.id}} or incidentId: ${id} is closed.`,
      );
    });

    it('closes the newest record by correlation id and answers {} when none matches', async () => {
      await push({ correlation_id: 'rule-1:alert-1' });
      const { id } = await push({ correlation_id: 'rule-1:alert-1' });
      h.sim.requestLog.clear();
      const reply = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: 'rule-1:alert-1' } },
      });
      expect(reply.body.data).toMatchObject({ id });
      expect(h.sim.requestLog.all()[0]?.query.sysparm_query).toBe(
        'ORDERBYDESCsys_created_on^correlation_id=rule-1:alert-1',
      );
      const none = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: 'custom_correlation_id' } },
      });
      expect(none.body).toEqual({ status: 'ok', connector_id: importId, data: {} });
      const missing = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { externalId: 'xyz' } },
      });
      expect(missing.body).toMatchObject({ status: 'ok', data: {} });
      expect(h.t.logLines.join('')).toContain('No incident found with incidentId: xyz.');
      const nothing = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: null } },
      });
      expect(nothing.body.service_message).toContain(
        'Unable to close incident. Error: No correlationId or incidentId found.',
      );
    });

    it('escapes values entering sysparm_query so they cannot widen the lookup', async () => {
      const victim = await push({ correlation_id: 'victim' });
      const hostile = 'nothing^ORcorrelation_id=victim';
      const reply = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: hostile } },
      });
      expect(reply.body.data).toEqual({});
      expect(h.sim.tables.get('incident', victim.id)?.state).not.toBe('7');
      const lookup = h.sim.requestLog.filter((e) => e.query.sysparm_query !== undefined).at(-1);
      expect(lookup?.query.sysparm_query).toBe(
        'ORDERBYDESCsys_created_on^correlation_id=nothing^^ORcorrelation_id=victim',
      );
      const equalsSign = await push({ correlation_id: 'a=b&sysparm_limit=1' });
      const closed = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: 'a=b&sysparm_limit=1' } },
      });
      expect(closed.body.data).toMatchObject({ id: equalsSign.id });
    });

    it('sends a correlation_id over 100 characters unchanged and finds the record ServiceNow cut to 100', async () => {
      const long = `rule:${'x'.repeat(150)}`;
      const { id } = await push({ correlation_id: long });
      expect(h.sim.requestLog.find('/api/now/import/')[0]?.body).toMatchObject({ u_correlation_id: long });
      expect(h.sim.tables.get('incident', id)?.correlation_id).toBe(long.slice(0, 100));
      const reply = await h.execute(importId, {
        subAction: 'closeIncident',
        subActionParams: { incident: { correlation_id: long } },
      });
      expect(reply.body.data).toMatchObject({ id });
    });
  });
});
