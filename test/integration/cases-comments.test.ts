import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { caller, postCaseReq, userComment } from './cases-fixtures.js';

const alert = {
  type: 'alert',
  alertId: ['a1', 'a2'],
  index: ['.alerts-1', '.alerts-1'],
  rule: { id: 'r1', name: 'Rule one' },
  owner: 'securitySolution',
};

// Attachments (cases-kibana.md §1.8): add, bulk add, edit with version, get, find, delete.
describe.each(dialects)('case attachments on %s', (dialect) => {
  let t: TestApp;
  const call = caller(() => t);
  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => t.close());

  const newCase = async () => (await call('POST', '/api/cases', postCaseReq)).body;

  it('adds a comment and an alert, counting both, and records comment user actions', async () => {
    const kase = await newCase();
    const first = await call('POST', `/api/cases/${kase.id}/comments`, { ...userComment, comment: '  hi  ' });
    expect(first.status).toBe(200);
    expect(first.body.comments[0]).toMatchObject({
      type: 'user',
      comment: 'hi',
      owner: 'securitySolution',
      pushed_at: null,
      pushed_by: null,
      updated_at: null,
    });
    const second = await call('POST', `/api/cases/${kase.id}/comments`, alert);
    expect(second.body).toMatchObject({ totalComment: 1, totalAlerts: 2 });
    expect(second.body.version).not.toBe(kase.version);
    const actions = (await call('GET', `/api/cases/${kase.id}/user_actions/_find?types=comment`)).body;
    expect(actions.total).toBe(2);
    expect(actions.userActions[0]).toMatchObject({
      type: 'comment',
      action: 'create',
      comment_id: first.body.comments[0].id,
    });
  });

  it('edits with the current version, refuses a stale one with 409 and an unknown id with 404', async () => {
    const kase = await newCase();
    const [comment] = (await call('POST', `/api/cases/${kase.id}/comments`, userComment)).body.comments;
    const edited = await call('PATCH', `/api/cases/${kase.id}/comments`, {
      ...userComment,
      comment: 'edited',
      id: comment.id,
      version: comment.version,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.comments[0]).toMatchObject({
      comment: 'edited',
      updated_by: { username: 'test-admin' },
    });
    const stale = await call('PATCH', `/api/cases/${kase.id}/comments`, {
      ...userComment,
      id: comment.id,
      version: comment.version,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe(
      'This case has been updated. Please refresh before saving additional updates.',
    );
    const missing = await call('PATCH', `/api/cases/${kase.id}/comments`, {
      ...userComment,
      id: 'nope',
      version: comment.version,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe(`This comment nope does not exist in ${kase.id}).`);
  });

  it('gets, finds with paging and deletes attachments', async () => {
    const kase = await newCase();
    const bulk = await call('POST', `/internal/cases/${kase.id}/attachments/_bulk_create`, [
      { ...userComment, comment: 'one' },
      { ...userComment, comment: 'two' },
      alert,
    ]);
    expect(bulk.status).toBe(200);
    const [one, two] = bulk.body.comments;
    expect((await call('GET', `/api/cases/${kase.id}/comments/${one.id}`)).body.comment).toBe('one');
    const page = (await call('GET', `/api/cases/${kase.id}/comments/_find?perPage=2&sortOrder=desc`)).body;
    expect(page).toMatchObject({ page: 1, per_page: 2, total: 3 });
    expect(page.comments[1].comment).toBe('two');
    expect((await call('DELETE', `/api/cases/${kase.id}/comments/${two.id}`)).status).toBe(204);
    expect((await call('GET', `/api/cases/${kase.id}`)).body).toMatchObject({
      totalComment: 1,
      totalAlerts: 2,
    });
    expect((await call('DELETE', `/api/cases/${kase.id}/comments`)).status).toBe(204);
    expect((await call('GET', `/api/cases/${kase.id}`)).body).toMatchObject({
      comments: [],
      totalComment: 0,
    });
  });

  it.each([
    ['an empty comment', { ...userComment, comment: ' ' }, 'The comment field cannot be an empty string.'],
    [
      'a 30001-character comment',
      { ...userComment, comment: 'a'.repeat(30_001) },
      'The length of the comment is too long. The maximum length is 30000.',
    ],
    ['an unknown type', { ...userComment, type: 'nope' }, undefined],
    ['an unknown key', { ...userComment, extra: 1 }, undefined],
    [
      'another owner',
      { ...userComment, owner: 'observability' },
      'The owner field of the comment must match the case owner. Comment owner: observability, case owner: securitySolution',
    ],
  ])('refuses %s with 400 and adds nothing', async (_name, payload, message) => {
    const kase = await newCase();
    const res = await call('POST', `/api/cases/${kase.id}/comments`, payload);
    expect(res.status).toBe(400);
    if (message) expect(res.body.message).toBe(message);
    expect((await call('GET', `/api/cases/${kase.id}`)).body).toMatchObject({
      totalComment: 0,
      version: kase.version,
    });
  });

  it('404s a comment on an unknown case and refuses more than 1000 alerts', async () => {
    expect((await call('POST', '/api/cases/nope/comments', userComment)).status).toBe(404);
    const kase = await newCase();
    const ids = Array.from({ length: 1001 }, (_, i) => `a${i}`);
    const res = await call('POST', `/api/cases/${kase.id}/comments`, { ...alert, alertId: ids, index: ids });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('CB_ERR_CASE_LIMIT_REACHED');
  });

  it('keeps every one of many concurrent comments, in one order, with one history position each', async () => {
    const kase = await newCase();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call('POST', `/api/cases/${kase.id}/comments`, { ...userComment, comment: `c${i}` }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = (await call('GET', `/api/cases/${kase.id}`)).body;
    expect(after.totalComment).toBe(12);
    const actions = (await call('GET', `/api/cases/${kase.id}/user_actions`)).body;
    expect(actions).toHaveLength(13);
  });
});
