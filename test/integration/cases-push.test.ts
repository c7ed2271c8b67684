import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureTypes } from '../fixtures/connector-types.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { caller, caseRecorderType, postCaseReq, recorded, userComment } from './cases-fixtures.js';

const pushedBy = { username: 'test-admin', full_name: null, email: null };

// Push (cases-kibana.md §3, §9.1–§9.3) against a recording case connector.
describe.each(dialects)('case push on %s', (dialect) => {
  let t: TestApp;
  let connectorId: string;
  const call = caller(() => t);
  beforeAll(async () => {
    t = await createTestApp({
      dialect,
      extraTypes: [caseRecorderType, ...fixtureTypes],
      config: { 'server.publicBaseUrl': 'https://cb.example.com' },
    });
    connectorId = (
      await call('POST', '/api/actions/connector', {
        name: 'Recorder',
        connector_type_id: 'test.cases-recorder',
        config: {},
        secrets: {},
      })
    ).body.id;
  });
  afterAll(async () => t.close());
  beforeEach(() => {
    recorded.length = 0;
  });

  const newCase = async (extra: object = {}) =>
    (await call('POST', '/api/cases', { ...postCaseReq, ...extra })).body;
  const push = (caseId: string, id = connectorId) =>
    call('POST', `/api/cases/${caseId}/connector/${id}/_push`);
  const pushParams = (index = 0) =>
    recorded[index]!.params.subActionParams as { incident: any; comments: any[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('creates, then updates by external id; records external_service and the pushed user action', async () => {
    const kase = await newCase();
    const first = await push(kase.id);
    expect(first.status).toBe(200);
    expect(recorded).toHaveLength(1);
    expect(pushParams().incident.externalId).toBeNull();
    const { pushed_at, ...service } = first.body.external_service;
    expect(service).toEqual({
      connector_id: connectorId,
      connector_name: 'Recorder',
      external_id: 'ext-1',
      external_title: 'INC-ext-1',
      external_url: 'https://target.example.com/ext-1',
      pushed_by: pushedBy,
    });
    expect(Date.parse(pushed_at)).not.toBeNaN();
    expect(first.body.connector).toEqual(postCaseReq.connector);

    await push(kase.id);
    expect(pushParams(1).incident.externalId).toBe('ext-1');

    const actions = (await call('GET', `/api/cases/${kase.id}/user_actions`)).body;
    expect(actions).toHaveLength(3);
    expect(actions[1]).toMatchObject({
      type: 'pushed',
      action: 'push_to_service',
      comment_id: null,
      case_id: kase.id,
      owner: 'securitySolution',
      created_by: pushedBy,
      payload: { externalService: { ...first.body.external_service } },
    });
  });

  it('pushes only new or edited user comments, each attributed, then the alert summary', async () => {
    const kase = await newCase();
    const added = await call('POST', `/internal/cases/${kase.id}/attachments/_bulk_create`, [
      userComment,
      { type: 'alert', alertId: 'a1', index: 'i', rule: { id: null, name: null }, owner: 'securitySolution' },
      {
        type: 'alert',
        alertId: ['a2', 'a3'],
        index: ['i', 'i'],
        rule: { id: null, name: null },
        owner: 'securitySolution',
      },
      {
        type: 'actions',
        comment: 'comment text',
        actions: { targets: [{ hostname: 'host-name', endpointId: 'e1' }], type: 'isolate' },
        owner: 'securitySolution',
      },
    ]);
    const pushed = await push(kase.id);
    const caseUrl = `https://cb.example.com/app/security/cases/${kase.id}`;
    expect(pushParams().comments).toEqual([
      { commentId: added.body.comments[0].id, comment: 'This is a cool comment\n\nAdded by test-admin.' },
      {
        commentId: added.body.comments[3].id,
        comment: 'Isolated host host-name with comment: comment text\n\nAdded by test-admin.',
      },
      {
        commentId: `${kase.id}-total-alerts`,
        comment: `Elastic Alerts attached to the case: 3\n\nFor more details, view the alerts in Kibana\nAlerts URL: ${caseUrl}/?tabId=alerts`,
      },
    ]);
    expect(pushed.body.comments.every((c: { pushed_by: unknown }) => c.pushed_by !== null)).toBe(true);
    expect(pushed.body.comments[0].pushed_by).toEqual(pushedBy);

    // Nothing new: no comments. Then an edit and a new comment: exactly those two.
    await push(kase.id);
    expect(pushParams(1).comments).toEqual([]);
    const [first] = pushed.body.comments;
    await call('PATCH', `/api/cases/${kase.id}/comments`, {
      ...userComment,
      comment: 'edited',
      id: first.id,
      version: first.version,
    });
    const again = await call('POST', `/api/cases/${kase.id}/comments`, {
      ...userComment,
      comment: 'new one',
    });
    await push(kase.id);
    expect(pushParams(2).comments.map((c) => c.comment)).toEqual([
      'edited\n\nAdded by test-admin.',
      'new one\n\nAdded by test-admin.',
    ]);
    expect(again.status).toBe(200);
  });

  it('closes the case on push with close-by-pushing, status action before pushed', async () => {
    const owner = 'observability';
    const kase = await newCase({ owner });
    const config = await call('POST', '/api/cases/configure', {
      owner,
      closure_type: 'close-by-pushing',
      connector: { id: connectorId, name: 'Recorder', type: '.none', fields: null },
    });
    expect(config.status).toBe(200);
    const res = await push(kase.id);
    expect(res.body).toMatchObject({ status: 'closed', closed_by: pushedBy });
    expect(res.body.duration).toBe(
      Math.floor((Date.parse(res.body.closed_at) - Date.parse(kase.created_at)) / 1000),
    );
    const actions = (await call('GET', `/api/cases/${kase.id}/user_actions`)).body;
    expect(actions.map((a: { type: string }) => a.type)).toEqual(['create_case', 'status', 'pushed']);
    expect(actions[1].payload).toEqual({ status: 'closed' });

    // Other owners' settings do not apply; a closed case can still be pushed.
    const other = await newCase();
    expect((await push(other.id)).body.status).toBe('open');
    expect((await push(kase.id)).status).toBe(200);
  });

  it('answers 404 for an unknown case or connector, 400 for a connector that cannot take cases', async () => {
    const kase = await newCase();
    const noCase = await push('nope');
    expect(noCase).toMatchObject({ status: 404, body: { message: 'Saved object [cases/nope] not found' } });
    const noConnector = await push(kase.id, 'nope');
    expect(noConnector).toMatchObject({
      status: 404,
      body: { message: 'Saved object [action/nope] not found' },
    });
    const other = await call('POST', '/api/actions/connector', {
      name: 'Index',
      connector_type_id: 'test.index-record',
      config: { unencrypted: 'x' },
      secrets: { encrypted: 'y' },
    });
    const wrong = await push(kase.id, other.body.id);
    expect(wrong).toMatchObject({ status: 400, body: { code: 'CB_ERR_CASE_CONNECTOR_UNSUPPORTED' } });
    expect((await push(kase.id)).status).toBe(200);
    expect(
      (await call('POST', `/api/cases/${kase.id}/connector/${connectorId}/_push`, undefined, t.readAuth))
        .status,
    ).toBe(403);
  });

  it('writes nothing when the target fails, and says why (424)', async () => {
    const failing = await call('POST', '/api/actions/connector', {
      name: 'Broken',
      connector_type_id: 'test.cases-recorder',
      config: { fail: true },
      secrets: {},
    });
    const kase = await newCase();
    await call('POST', `/api/cases/${kase.id}/comments`, userComment);
    const before = (await call('GET', `/api/cases/${kase.id}`)).body;
    const res = await push(kase.id, failing.body.id);
    expect(res).toMatchObject({
      status: 424,
      body: { code: 'CB_ERR_CASE_PUSH_FAILED', message: '[Recorder]: target said no' },
    });
    const after = (await call('GET', `/api/cases/${kase.id}`)).body;
    expect(after).toEqual(before);
    expect((await call('GET', `/api/cases/${kase.id}/user_actions`)).body).toHaveLength(2);
  });

  it('tells per connector whether the case needs a push (§3.8)', async () => {
    const none = await newCase();
    expect((await call('GET', `/internal/cases/${none.id}/_connectors`)).body).toEqual({});

    const fields = { urgency: '2', impact: '2', severity: '2', category: 'software', subcategory: 'os' };
    const kase = await newCase({
      connector: { id: connectorId, name: 'Old name', type: '.servicenow', fields },
    });
    const view = async () => (await call('GET', `/internal/cases/${kase.id}/_connectors`)).body[connectorId];
    expect(await view()).toMatchObject({
      id: connectorId,
      name: 'Recorder',
      type: '.servicenow',
      fields,
      push: { needsToBePushed: true, hasBeenPushed: false },
    });
    expect((await view()).push.details).toBeUndefined();

    await push(kase.id);
    const pushed = await view();
    expect(pushed.push).toMatchObject({ needsToBePushed: false, hasBeenPushed: true });
    expect(pushed.push.details.externalService.connector_id).toBe(connectorId);

    let current = (await call('GET', `/api/cases/${kase.id}`)).body;
    current = (
      await call('PATCH', '/api/cases', {
        cases: [{ id: kase.id, version: current.version, severity: 'high' }],
      })
    ).body[0];
    expect((await view()).push.needsToBePushed).toBe(false);
    const changed = {
      id: connectorId,
      name: 'Old name',
      type: '.servicenow',
      fields: { ...fields, urgency: '3' },
    };
    current = (
      await call('PATCH', '/api/cases', {
        cases: [{ id: kase.id, version: current.version, connector: changed }],
      })
    ).body[0];
    expect(await view()).toMatchObject({ fields: changed.fields, push: { needsToBePushed: true } });
    const restored = { ...changed, fields };
    await call('PATCH', '/api/cases', {
      cases: [{ id: kase.id, version: current.version, connector: restored }],
    });
    expect((await view()).push.needsToBePushed).toBe(false);
    await call('POST', `/api/cases/${kase.id}/comments`, userComment);
    expect((await view()).push.needsToBePushed).toBe(true);
  });

  it('sends the mapped title, decorated description and ServiceNow fields for a .servicenow case', async () => {
    const fields = { urgency: '2', impact: '2', severity: '2', category: 'software', subcategory: 'os' };
    const kase = await newCase({ connector: { id: connectorId, name: 'SN', type: '.servicenow', fields } });
    await push(kase.id);
    // The recorder is not a .servicenow type, so only the external id is sent for the incident.
    expect(pushParams().incident).toEqual({ externalId: null });
  });
});

describe.each(dialects)('cases configure on %s', (dialect) => {
  let t: TestApp;
  const call = caller(() => t);
  beforeAll(async () => {
    t = await createTestApp({ dialect, extraTypes: [caseRecorderType, ...fixtureTypes] });
  });
  afterAll(async () => t.close());

  const sn = { id: 'sn-1', name: 'ServiceNow', type: '.servicenow', fields: null };
  const snMappings = [
    { source: 'title', target: 'short_description', action_type: 'overwrite' },
    { source: 'description', target: 'description', action_type: 'overwrite' },
    { source: 'comments', target: 'work_notes', action_type: 'append' },
  ];

  it('creates a configuration with the type’s mappings, replacing the owner’s previous one', async () => {
    const res = await call('POST', '/api/cases/configure', {
      owner: 'securitySolution',
      closure_type: 'close-by-user',
      connector: sn,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      owner: 'securitySolution',
      connector: sn,
      closure_type: 'close-by-user',
      mappings: snMappings,
      error: null,
      created_by: { username: 'test-admin', full_name: null, email: null },
      updated_by: null,
      sync: 'manual',
    });
    await call('POST', '/api/cases/configure', {
      owner: 'securitySolution',
      closure_type: 'close-by-pushing',
      connector: sn,
    });
    const list = (await call('GET', '/api/cases/configure?owner=securitySolution')).body;
    expect(list).toHaveLength(1);
    expect(list[0].closure_type).toBe('close-by-pushing');
  });

  it('patches with the current version and refuses a stale one, bad types and owner changes', async () => {
    const created = (
      await call('POST', '/api/cases/configure', {
        owner: 'cases',
        closure_type: 'close-by-user',
        connector: { id: 'none', name: 'none', type: '.none', fields: null },
      })
    ).body;
    expect(created.mappings).toEqual([]);
    const patched = await call('PATCH', `/api/cases/configure/${created.id}`, {
      version: created.version,
      connector: sn,
    });
    expect(patched.body).toMatchObject({ mappings: snMappings, updated_by: { username: 'test-admin' } });
    const jira = { id: 'j', name: 'Jira', type: '.jira', fields: null };
    const stale = await call('PATCH', `/api/cases/configure/${created.id}`, {
      version: created.version,
      connector: jira,
    });
    expect(stale).toMatchObject({
      status: 409,
      body: {
        message: 'This configuration has been updated. Please refresh before saving additional updates.',
      },
    });
    const bad = [
      { connector: { ...sn, type: '.nope' } },
      { connector: { ...sn, fields: { unsupported: 'x' } } },
      { owner: 'observability' },
      { closure_type: 'sometimes' },
    ];
    for (const body of bad) {
      expect(
        (
          await call('PATCH', `/api/cases/configure/${created.id}`, {
            version: patched.body.version,
            ...body,
          })
        ).status,
      ).toBe(400);
    }
    expect((await call('PATCH', '/api/cases/configure/nope', { version: created.version })).status).toBe(404);
  });

  it('lists only connectors whose type can receive cases', async () => {
    await call('POST', '/api/actions/connector', {
      name: 'Rec',
      connector_type_id: 'test.cases-recorder',
      config: {},
      secrets: {},
    });
    await call('POST', '/api/actions/connector', {
      name: 'Index',
      connector_type_id: 'test.index-record',
      config: { unencrypted: 'x' },
      secrets: { encrypted: 'y' },
    });
    const list = (await call('GET', '/api/cases/configure/connectors/_find')).body;
    expect(list.map((c: { actionTypeId: string }) => c.actionTypeId)).toEqual(['test.cases-recorder']);
    expect(list[0]).toMatchObject({
      name: 'Rec',
      isPreconfigured: false,
      isDeprecated: false,
      isMissingSecrets: false,
    });
  });
});
