import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { caller, postCaseReq, userComment } from './cases-fixtures.js';

const defaultUser = { username: 'test-admin', full_name: null, email: null };

// Case create/get/find/update/delete through the HTTP API (cases-kibana.md §1, §9.5).
describe.each(dialects)('cases API on %s', (dialect) => {
  let t: TestApp;
  const call = caller(() => t);
  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => t.close());

  it('creates a case with Kibana’s defaults and records create_case', async () => {
    const { status, body } = await call('POST', '/api/cases', { ...postCaseReq, severity: undefined });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ...postCaseReq,
      severity: 'low',
      status: 'open',
      comments: [],
      totalComment: 0,
      totalAlerts: 0,
      duration: null,
      closed_at: null,
      closed_by: null,
      created_by: defaultUser,
      updated_at: null,
      updated_by: null,
      external_service: null,
      category: null,
      customFields: [],
    });
    expect(body.version).toBe('WzEsMV0=');
    const actions = await call('GET', `/api/cases/${body.id}/user_actions/_find`);
    expect(actions.body.userActions).toHaveLength(1);
    expect(actions.body.userActions[0]).toMatchObject({
      action: 'create',
      type: 'create_case',
      comment_id: null,
      payload: {
        title: postCaseReq.title,
        description: postCaseReq.description,
        tags: ['defacement'],
        connector: postCaseReq.connector,
        settings: { syncAlerts: true },
        owner: 'securitySolution',
        status: 'open',
        severity: 'low',
        assignees: [],
        category: null,
        customFields: [],
      },
    });
  });

  it.each([
    ['an unknown key', { ...postCaseReq, foo: 'bar' }],
    ['no connector', { ...postCaseReq, connector: undefined }],
    [
      'an unknown connector type',
      { ...postCaseReq, connector: { id: 'x', name: 'x', type: '.not-exists', fields: null } },
    ],
    [
      'a Jira connector with unknown fields',
      { ...postCaseReq, connector: { id: 'j', name: 'j', type: '.jira', fields: { unsupported: 'value' } } },
    ],
    ['no title', { ...postCaseReq, title: undefined }],
    ['no description', { ...postCaseReq, description: undefined }],
    ['no tags', { ...postCaseReq, tags: undefined }],
    ['an unknown severity', { ...postCaseReq, severity: 'very-severe' }],
    ['a status', { ...postCaseReq, status: 'closed' }],
    ['a 161-character title', { ...postCaseReq, title: 'a'.repeat(161) }],
    ['a 30001-character description', { ...postCaseReq, description: 'a'.repeat(30_001) }],
    ['a blank tag', { ...postCaseReq, tags: [' '] }],
    ['an empty tag', { ...postCaseReq, tags: [''] }],
    ['a 257-character tag', { ...postCaseReq, tags: ['a'.repeat(257)] }],
    ['201 tags', { ...postCaseReq, tags: Array.from({ length: 201 }, (_, i) => `t${i}`) }],
    ['a 51-character category', { ...postCaseReq, category: 'a'.repeat(51) }],
    ['an empty category', { ...postCaseReq, category: '' }],
    ['a blank category', { ...postCaseReq, category: '   ' }],
    [
      'an unknown custom field',
      { ...postCaseReq, customFields: [{ key: 'nope', type: 'text', value: 'x' }] },
    ],
    ['11 assignees', { ...postCaseReq, assignees: Array.from({ length: 11 }, (_, i) => ({ uid: `u${i}` })) }],
  ])('refuses a case with %s (400, nothing written)', async (_name, payload) => {
    const before = await call('GET', '/api/cases/_find');
    const { status, body } = await call('POST', '/api/cases', payload);
    expect(status).toBe(400);
    expect(body.code).toBe('CB_ERR_VALIDATION');
    expect((await call('GET', '/api/cases/_find')).body.total).toBe(before.body.total);
  });

  it('answers limits with Kibana’s messages', async () => {
    const title = await call('POST', '/api/cases', { ...postCaseReq, title: 'a'.repeat(161) });
    expect(title.body.message).toBe('The length of the title is too long. The maximum length is 160.');
    const blank = await call('POST', '/api/cases', { ...postCaseReq, title: '  ' });
    expect(blank.body.message).toBe('The title field cannot be an empty string.');
    const tags = await call('POST', '/api/cases', {
      ...postCaseReq,
      tags: Array.from({ length: 201 }, (_, i) => `${i}`),
    });
    expect(tags.body.message).toBe(
      'The length of the field tags is too long. Array must be of length <= 200.',
    );
    const tag = await call('POST', '/api/cases', { ...postCaseReq, tags: [''] });
    expect(tag.body.message).toBe('The tag field cannot be an empty string.');
  });

  it('refuses an unknown owner with 403 and a read-only key with 403', async () => {
    const owner = await call('POST', '/api/cases', { ...postCaseReq, owner: 'testDisabledFixture' });
    expect(owner.status).toBe(403);
    expect(owner.body.message).toBe('Unauthorized to create case with owners: "testDisabledFixture"');
    const reader = await call('POST', '/api/cases', postCaseReq, t.readAuth);
    expect(reader.status).toBe(403);
  });

  it('trims text and keeps a Jira connector as given', async () => {
    const connector = {
      id: 'jira-1',
      name: 'Jira',
      type: '.jira',
      fields: { issueType: 'Task', priority: 'High', parent: null },
    };
    const { body } = await call('POST', '/api/cases', {
      ...postCaseReq,
      title: '  padded  ',
      tags: [' a '],
      connector,
      severity: 'high',
    });
    expect(body).toMatchObject({ title: 'padded', tags: ['a'], connector, severity: 'high' });
    expect((await call('GET', `/api/cases/${body.id}`)).body).toEqual(body);
  });

  it('answers an unknown case with Kibana’s 404', async () => {
    const { status, body } = await call('GET', '/api/cases/nope');
    expect(status).toBe(404);
    expect(body).toMatchObject({
      message: 'Saved object [cases/nope] not found',
      code: 'CB_ERR_CASE_NOT_FOUND',
    });
  });

  it('updates with a current version, closes with duration, and refuses a stale one with 409', async () => {
    const created = (await call('POST', '/api/cases', postCaseReq)).body;
    const first = await call('PATCH', '/api/cases', {
      cases: [
        { id: created.id, version: created.version, title: 'New title', status: 'closed', tags: ['x'] },
      ],
    });
    expect(first.status).toBe(200);
    expect(first.body[0]).toMatchObject({
      title: 'New title',
      status: 'closed',
      closed_by: defaultUser,
      updated_by: defaultUser,
    });
    expect(first.body[0].duration).toBeGreaterThanOrEqual(0);
    expect(first.body[0].version).not.toBe(created.version);

    const stale = await call('PATCH', '/api/cases', {
      cases: [{ id: created.id, version: created.version, title: 'Lost' }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'CB_ERR_CASE_VERSION_CONFLICT',
      message: `These cases ${created.id} have been updated. Please refresh before saving additional updates.`,
    });
    expect((await call('GET', `/api/cases/${created.id}`)).body.title).toBe('New title');

    const reopened = await call('PATCH', '/api/cases', {
      cases: [{ id: created.id, version: first.body[0].version, status: 'open' }],
    });
    expect(reopened.body[0]).toMatchObject({
      status: 'open',
      closed_at: null,
      closed_by: null,
      duration: null,
    });

    const actions = (await call('GET', `/api/cases/${created.id}/user_actions`)).body;
    expect(actions.map((a: { type: string; action: string }) => `${a.type}:${a.action}`)).toEqual([
      'create_case:create',
      'title:update',
      'tags:add',
      'tags:delete',
      'status:update',
      'status:update',
    ]);
  });

  it('lets only one of two concurrent updates with the same version win', async () => {
    const created = (await call('POST', '/api/cases', postCaseReq)).body;
    const results = await Promise.all(
      ['one', 'two', 'three'].map((title) =>
        call('PATCH', '/api/cases', { cases: [{ id: created.id, version: created.version, title }] }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('answers 404, 406 and 400 for missing cases, no change and owner changes, writing nothing', async () => {
    const created = (await call('POST', '/api/cases', postCaseReq)).body;
    const missing = await call('PATCH', '/api/cases', {
      cases: [
        { id: created.id, version: created.version, title: 'changed' },
        { id: 'nope', version: created.version, title: 'x' },
      ],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe(
      'These cases nope do not exist. Please check you have the correct ids.',
    );
    const same = await call('PATCH', '/api/cases', {
      cases: [{ id: created.id, version: created.version, title: created.title }],
    });
    expect(same.status).toBe(406);
    expect(same.body.message).toBe('All update fields are identical to current version.');
    const owner = await call('PATCH', '/api/cases', {
      cases: [{ id: created.id, version: created.version, owner: 'cases' }],
    });
    expect(owner.status).toBe(400);
    expect(owner.body.message).toBe(`Updating the owner of a case is not allowed ids: [${created.id}]`);
    expect((await call('GET', `/api/cases/${created.id}`)).body.version).toBe(created.version);
  });

  it('finds with search, filters, sort, paging and status counts; lists tags and reporters', async () => {
    const owner = 'observability';
    const make = (title: string, tags: string[], severity: string) =>
      call('POST', '/api/cases', { ...postCaseReq, owner, title, tags, severity });
    const a = (await make('Alpha disk full', ['disk', 'Prod'], 'critical')).body;
    await make('Beta login storm', ['auth'], 'low');
    await make('Gamma disk slow', ['disk'], 'medium');
    await call('PATCH', '/api/cases', { cases: [{ id: a.id, version: a.version, status: 'in-progress' }] });

    const found = await call(
      'GET',
      `/api/cases/_find?owner=${owner}&search=disk&sortField=title&sortOrder=asc`,
    );
    expect(found.body.cases.map((c: { title: string }) => c.title)).toEqual([
      'Alpha disk full',
      'Gamma disk slow',
    ]);
    expect(found.body).toMatchObject({
      page: 1,
      per_page: 20,
      total: 2,
      count_open_cases: 1,
      count_in_progress_cases: 1,
    });

    const byTag = await call('GET', `/api/cases/_find?owner=${owner}&tags=prod`);
    expect(byTag.body.total).toBe(0);
    const bySeverity = await call(
      'GET',
      `/api/cases/_find?owner=${owner}&sortField=severity&sortOrder=desc&perPage=2&page=1`,
    );
    expect(bySeverity.body.cases.map((c: { severity: string }) => c.severity)).toEqual([
      'critical',
      'medium',
    ]);
    const status = await call('GET', `/api/cases/_find?owner=${owner}&status=in-progress`);
    expect(status.body.cases.map((c: { id: string }) => c.id)).toEqual([a.id]);

    expect((await call('GET', '/api/cases/_find?perPage=101')).body.message).toBe(
      'The provided perPage value is too high. The maximum allowed perPage value is 100.',
    );
    expect((await call('GET', '/api/cases/_find?perPage=100&page=101')).status).toBe(400);
    expect((await call('GET', `/api/cases/tags?owner=${owner}`)).body).toEqual(['Prod', 'auth', 'disk']);
    expect((await call('GET', `/api/cases/reporters?owner=${owner}`)).body).toEqual([defaultUser]);
    expect((await call('GET', `/api/cases/status?owner=${owner}`)).body).toEqual({
      count_open_cases: 2,
      count_in_progress_cases: 1,
      count_closed_cases: 0,
    });
  });

  it('deletes 1–100 cases given as a JSON array, and 404s when one is missing', async () => {
    const one = (await call('POST', '/api/cases', postCaseReq)).body;
    const two = (await call('POST', '/api/cases', postCaseReq)).body;
    await call('POST', `/api/cases/${one.id}/comments`, userComment);
    const missing = await call(
      'DELETE',
      `/api/cases?ids=${encodeURIComponent(JSON.stringify([one.id, 'nope']))}`,
    );
    expect(missing.status).toBe(404);
    expect((await call('GET', `/api/cases/${one.id}`)).status).toBe(200);
    const ok = await call('DELETE', `/api/cases?ids=${encodeURIComponent(JSON.stringify([one.id, two.id]))}`);
    expect(ok.status).toBe(204);
    expect((await call('GET', `/api/cases/${one.id}`)).status).toBe(404);
    const many = Array.from({ length: 101 }, (_, i) => `id${i}`);
    const tooMany = await call('DELETE', `/api/cases?ids=${encodeURIComponent(JSON.stringify(many))}`);
    expect(tooMany.body.message).toBe(
      'The length of the field ids is too long. Array must be of length <= 100.',
    );
  });
});
