import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { fixtureTypes, received } from '../fixtures/connector-types.js';

// Kibana's API behaviours for connector CRUD, _execute, auth and validation
// (actions-framework.md §2 and §8), through the HTTP API on each dialect.
describe.each(dialects)('connectors API on %s', (dialect) => {
  let t: TestApp;
  const validBody = {
    name: 'My Connector',
    connector_type_id: 'test.index-record',
    config: { unencrypted: "This value shouldn't get encrypted" },
    secrets: { encrypted: 'This value should be encrypted' },
  };

  beforeAll(async () => {
    t = await createTestApp({
      dialect,
      extraTypes: fixtureTypes,
      config: {
        'actions.enabledActionTypes': ['.webhook', 'test.index-record', 'test.failing', 'test.leaky'],
        'actions.preconfigured': {
          'my-slack1': {
            name: 'Slack#xyz',
            actionTypeId: '.slack',
            config: { webhookUrl: 'https://x' },
            secrets: {},
          },
          'preconfigured.test.index-record': {
            name: 'Test:_Preconfigured_Index_Record',
            actionTypeId: 'test.index-record',
            config: { unencrypted: 'pre' },
            secrets: { encrypted: 'pre-secret' },
            exposeConfig: true,
          },
        },
      },
    });
  });
  afterAll(async () => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    auth = t.adminAuth,
  ) =>
    t.app.server.inject({
      method,
      url,
      headers: { authorization: auth, 'kbn-xsrf': 'true' },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('creates a connector and returns Kibana’s object without secrets', async () => {
    const res = await call('POST', '/api/actions/connector', validBody);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      is_preconfigured: false,
      is_system_action: false,
      is_deprecated: false,
      is_missing_secrets: false,
      name: 'My Connector',
      connector_type_id: 'test.index-record',
      config: { unencrypted: "This value shouldn't get encrypted" },
      is_connector_type_deprecated: false,
    });
    expect(res.body).not.toContain('This value should be encrypted');
  });

  it('stores secrets encrypted, never in plain text', async () => {
    const res = await call('POST', '/api/actions/connector', {
      ...validBody,
      secrets: { encrypted: 'plain-secret-value-123' },
    });
    const row = await t.testStore.store.db
      .selectFrom('connectors')
      .selectAll()
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(row.secrets).not.toContain('plain-secret-value-123');
    expect(row.secrets).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(t.logLines.join('')).not.toContain('plain-secret-value-123');
  });

  it('creates with a chosen id and refuses a duplicate with 409', async () => {
    const first = await call('POST', '/api/actions/connector/my-chosen-id', validBody);
    expect(first.statusCode).toBe(200);
    expect(first.json().id).toBe('my-chosen-id');
    const again = await call('POST', '/api/actions/connector/my-chosen-id', validBody);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'CB_ERR_CONFLICT',
      message: 'Saved object [action/my-chosen-id] conflict',
    });
  });

  it('refuses unknown types, missing secrets, blank strings and bodies with the Kibana messages', async () => {
    const cases: Array<[unknown, number, string, string]> = [
      [
        { ...validBody, connector_type_id: 'test.unregistered-action-type' },
        400,
        'CB_ERR_CONNECTOR_TYPE_NOT_REGISTERED',
        'Action type "test.unregistered-action-type" is not registered.',
      ],
      [
        {},
        400,
        'CB_ERR_VALIDATION',
        '[request body.name]: expected value of type [string] but got [undefined]',
      ],
      [
        { ...validBody, secrets: undefined },
        400,
        'CB_ERR_CONNECTOR_SECRETS_INVALID',
        'error validating action type secrets: [encrypted]: expected value of type [string] but got [undefined]',
      ],
      [
        { ...validBody, config: { encrypted: ' ' } },
        400,
        'CB_ERR_VALIDATION',
        "[request body.config.encrypted]: value '' is not valid",
      ],
      [{ ...validBody, name: ' ' }, 400, 'CB_ERR_VALIDATION', "[request body.name]: value '' is not valid"],
      [
        { ...validBody, config: null },
        400,
        'CB_ERR_VALIDATION',
        '[request body.config]: expected value of type [object] but got [null]',
      ],
      [
        { ...validBody, config: { unencrypted: 42 } },
        400,
        'CB_ERR_CONNECTOR_CONFIG_INVALID',
        'error validating action type config: [unencrypted]: expected value of type [string] but got [number]',
      ],
      [
        { ...validBody, extra: true },
        400,
        'CB_ERR_VALIDATION',
        '[request body.extra]: definition for this key is missing',
      ],
      [
        { name: 'x', connector_type_id: 'test.not-enabled' },
        403,
        'CB_ERR_CONNECTOR_TYPE_DISABLED',
        'action type "test.not-enabled" is not enabled in the Kibana config xpack.actions.enabledActionTypes',
      ],
      [
        { ...validBody, connector_type_id: '.webhook', config: {} },
        400,
        'CB_ERR_CONNECTOR_CONFIG_INVALID',
        'error validating action type config: [url]: expected value of type [string] but got [undefined]',
      ],
    ];
    const before = await call('GET', '/api/actions/connectors');
    for (const [body, status, code, message] of cases) {
      const res = await call('POST', '/api/actions/connector', body);
      expect({ status: res.statusCode, ...res.json() }).toMatchObject({
        status,
        code,
        message,
        statusCode: status,
      });
    }
    const after = await call('GET', '/api/actions/connectors');
    expect(after.json()).toHaveLength(before.json().length);
  });

  it('answers malformed JSON, wrong content types and oversized bodies with 4xx, never 500', async () => {
    const bad = await t.app.server.inject({
      method: 'POST',
      url: '/api/actions/connector',
      headers: { authorization: t.adminAuth, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('CB_ERR_BAD_JSON');
    const text = await t.app.server.inject({
      method: 'POST',
      url: '/api/actions/connector',
      headers: { authorization: t.adminAuth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('CB_ERR_UNSUPPORTED_MEDIA_TYPE');
    const huge = await call('POST', '/api/actions/connector', {
      ...validBody,
      config: { unencrypted: 'x'.repeat(1_100_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('CB_ERR_BODY_TOO_LARGE');
    const unknownRoute = await call('GET', '/api/actions/nothing-here');
    expect(unknownRoute.statusCode).toBe(404);
    expect(unknownRoute.json().code).toBe('CB_ERR_NOT_FOUND');
  });

  it('gets, lists (sorted by name, with preconfigured) and 404s unknown ids', async () => {
    const created = (
      await call('POST', '/api/actions/connector', { ...validBody, name: 'alpha connector' })
    ).json();
    const got = await call('GET', `/api/actions/connector/${created.id}`);
    expect(got.json()).toEqual(created);
    const missing = await call('GET', '/api/actions/connector/1');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Saved object [action/1] not found',
      code: 'CB_ERR_NOT_FOUND',
    });
    const pre = await call('GET', '/api/actions/connector/my-slack1');
    expect(pre.json()).toEqual({
      id: 'my-slack1',
      connector_type_id: '.slack',
      name: 'Slack#xyz',
      is_preconfigured: true,
      is_system_action: false,
      is_deprecated: false,
      is_connector_type_deprecated: false,
    });
    const list = (await call('GET', '/api/actions/connectors')).json() as Array<{
      name: string;
      referenced_by_count: number;
      id: string;
      config?: unknown;
    }>;
    const names = list.map((c) => c.name);
    expect([...names].sort((a, b) => a.localeCompare(b))).toEqual(names);
    expect(list.every((c) => c.referenced_by_count === 0)).toBe(true);
    expect(list.find((c) => c.id === 'preconfigured.test.index-record')?.config).toEqual({
      unencrypted: 'pre',
    });
    expect(list.find((c) => c.id === 'my-slack1')?.config).toBeUndefined();
  });

  it('updates name, config and secrets; preconfigured ones refuse', async () => {
    const created = (await call('POST', '/api/actions/connector', validBody)).json();
    const res = await call('PUT', `/api/actions/connector/${created.id}`, {
      name: 'My Connector updated',
      config: { unencrypted: 'new' },
      secrets: { encrypted: 'new-secret' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'My Connector updated',
      config: { unencrypted: 'new' },
      is_missing_secrets: false,
    });
    expect((await call('PUT', `/api/actions/connector/${created.id}`, {})).json().message).toBe(
      '[request body.name]: expected value of type [string] but got [undefined]',
    );
    expect(
      (await call('PUT', `/api/actions/connector/${created.id}`, { name: 'x', config: null })).json().message,
    ).toBe('[request body.config]: expected value of type [object] but got [null]');
    const badSecrets = await call('PUT', `/api/actions/connector/${created.id}`, {
      name: 'x',
      config: { unencrypted: 'a' },
      secrets: { encrypted: 42 },
    });
    expect(badSecrets.json().message).toBe(
      'error validating action type secrets: [encrypted]: expected value of type [string] but got [number]',
    );
    expect((await call('GET', `/api/actions/connector/${created.id}`)).json().name).toBe(
      'My Connector updated',
    );
    const pre = await call('PUT', '/api/actions/connector/my-slack1', { name: 'x' });
    expect(pre.statusCode).toBe(400);
    expect(pre.json().message).toBe('Preconfigured action my-slack1 can not be updated.');
    expect((await call('PUT', '/api/actions/connector/1', { name: 'x' })).statusCode).toBe(404);
  });

  it('deletes with 204; preconfigured refuse; unknown 404', async () => {
    const created = (await call('POST', '/api/actions/connector', validBody)).json();
    const res = await call('DELETE', `/api/actions/connector/${created.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await call('GET', `/api/actions/connector/${created.id}`)).statusCode).toBe(404);
    const pre = await call('DELETE', '/api/actions/connector/my-slack1');
    expect(pre.json()).toMatchObject({
      statusCode: 400,
      message: 'Preconfigured action my-slack1 is not allowed to delete.',
    });
    expect((await call('DELETE', '/api/actions/connector/2')).json().message).toBe(
      'Saved object [action/2] not found',
    );
  });

  it('executes with decrypted secrets and records the run in the event history', async () => {
    const created = (await call('POST', '/api/actions/connector', validBody)).json();
    const res = await call('POST', `/api/actions/connector/${created.id}/_execute`, {
      params: { index: 'idx', reference: 'ref-1', message: 'Testing 123' },
    });
    expect(res.json()).toEqual({ connector_id: created.id, status: 'ok', data: { indexed: 'ref-1' } });
    expect(received.at(-1)).toEqual({
      connectorId: created.id,
      params: { index: 'idx', reference: 'ref-1', message: 'Testing 123' },
      config: validBody.config,
      secrets: validBody.secrets,
    });
    const events = (await call('GET', `/api/casebridge/events?connector_id=${created.id}`)).json();
    expect(events.total).toBe(1);
    expect(events.data[0]).toMatchObject({
      outcome: 'success',
      message: `action executed: test.index-record:${created.id}: My Connector`,
      source: 'http_request',
      user: 'test-admin',
    });
  });

  it('runs preconfigured connectors with their configured secrets', async () => {
    const res = await call('POST', '/api/actions/connector/preconfigured.test.index-record/_execute', {
      params: { index: 'i', reference: 'pre-ref' },
    });
    expect(res.json().status).toBe('ok');
    expect(received.at(-1)?.secrets).toEqual({ encrypted: 'pre-secret' });
  });

  it('returns executor errors as Kibana does: thrown → retry true, framework; bad params → user', async () => {
    const failing = (
      await call('POST', '/api/actions/connector', {
        name: 'failing connector',
        connector_type_id: 'test.failing',
      })
    ).json();
    const res = await call('POST', `/api/actions/connector/${failing.id}/_execute`, {
      params: { index: 'kibana-alerting-test-data', reference: 'actions-failure-1:space1' },
    });
    expect(res.json()).toEqual({
      connector_id: failing.id,
      status: 'error',
      message: 'an error occurred while running the action',
      service_message: 'expected failure for kibana-alerting-test-data actions-failure-1:space1',
      retry: true,
      errorSource: 'framework',
    });
    const events = (
      await call('GET', `/api/casebridge/events?connector_id=${failing.id}&outcome=failure`)
    ).json();
    expect(events.data[0].error_message).toBe(
      'an error occurred while running the action: expected failure for kibana-alerting-test-data actions-failure-1:space1; retry: true',
    );
    const badParams = await call('POST', `/api/actions/connector/${failing.id}/_execute`, {
      params: { index: 1 },
    });
    expect(badParams.json()).toMatchObject({
      status: 'error',
      message: 'error validating action params: [index]: expected value of type [string] but got [number]',
      retry: false,
      errorSource: 'user',
    });
    expect((await call('POST', `/api/actions/connector/${failing.id}/_execute`, {})).json().message).toBe(
      '[request body.params]: expected value of type [object] but got [undefined]',
    );
    expect((await call('POST', '/api/actions/connector/1/_execute', { params: {} })).json().message).toBe(
      'Saved object [action/1] not found',
    );
  });

  it('masks secrets that a target echoes back, in the response and the history', async () => {
    const leaky = (
      await call('POST', '/api/actions/connector', {
        name: 'leaky',
        connector_type_id: 'test.leaky',
        secrets: { token: 'tok-SECRET-9876' },
      })
    ).json();
    const res = await call('POST', `/api/actions/connector/${leaky.id}/_execute`, { params: {} });
    expect(res.json().service_message).toBe('bad token [REDACTED]');
    const events = await call('GET', `/api/casebridge/events?connector_id=${leaky.id}`);
    expect(events.body).not.toContain('tok-SECRET-9876');
    expect(t.logLines.join('')).not.toContain('tok-SECRET-9876');
  });

  it('lists connector types for any caller, filtered by feature', async () => {
    const types = (await call('GET', '/api/actions/connector_types', undefined, t.readAuth)).json() as Array<{
      id: string;
      enabled: boolean;
    }>;
    expect(types.find((type) => type.id === 'test.index-record')).toMatchObject({
      name: 'Test: Index Record',
      enabled: true,
      is_system_action_type: false,
    });
    expect(types.find((type) => type.id === 'test.not-enabled')).toMatchObject({
      enabled: false,
      enabled_in_config: false,
    });
    const cases = (await call('GET', '/api/actions/connector_types?feature_id=cases')).json() as Array<{
      id: string;
    }>;
    expect(cases.some((type) => type.id === 'test.index-record')).toBe(false);
  });

  it('requires credentials and enforces roles with Kibana’s messages', async () => {
    const none = await t.app.server.inject({ method: 'GET', url: '/api/actions/connectors' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('CB_ERR_UNAUTHENTICATED');
    expect((await call('GET', '/api/actions/connectors', undefined, 'ApiKey cb_wrong')).statusCode).toBe(401);
    expect((await call('GET', '/api/actions/connectors', undefined, 'Bearer x')).statusCode).toBe(401);
    const readCreate = await call('POST', '/api/actions/connector', validBody, t.readAuth);
    expect(readCreate.json()).toMatchObject({
      statusCode: 403,
      code: 'CB_ERR_FORBIDDEN',
      message: 'Unauthorized to create a "test.index-record" action',
    });
    // Validation comes before authorisation, as in Kibana.
    expect((await call('POST', '/api/actions/connector', {}, t.readAuth)).statusCode).toBe(400);
    const created = (await call('POST', '/api/actions/connector', validBody)).json();
    expect(
      (
        await call(
          'PUT',
          `/api/actions/connector/${created.id}`,
          { name: 'n', config: {}, secrets: {} },
          t.readAuth,
        )
      ).json().message,
    ).toBe('Unauthorized to update actions');
    expect(
      (await call('DELETE', `/api/actions/connector/${created.id}`, undefined, t.readAuth)).json().message,
    ).toBe('Unauthorized to delete actions');
    expect(
      (
        await call(
          'POST',
          `/api/actions/connector/${created.id}/_execute`,
          { params: { index: 'a', reference: 'b' } },
          t.readAuth,
        )
      ).json().message,
    ).toBe('Unauthorized to execute a "test.index-record" action');
    expect(
      (await call('POST', '/api/actions/connector/1/_execute', { params: {} }, t.readAuth)).json().message,
    ).toBe('Unauthorized to execute actions');
    expect(
      (await call('GET', `/api/actions/connector/${created.id}`, undefined, t.readAuth)).statusCode,
    ).toBe(200);
    const status = await t.app.server.inject({ method: 'GET', url: '/api/status' });
    expect(status.statusCode).toBe(200);
  });

  it('serves the Kibana space prefix, the OpenAPI document and metrics', async () => {
    expect((await call('GET', '/s/default/api/actions/connectors')).statusCode).toBe(200);
    const openapi = (await call('GET', '/api/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/actions/connector/{id}/_execute', '/api/actions/connectors']),
    );
    const metrics = await call('GET', '/metrics');
    expect(metrics.body).toContain(
      'casebridge_connector_executions_total{type="test.index-record",outcome="success"}',
    );
    expect(metrics.body).toContain('casebridge_http_requests_total');
  });
});
