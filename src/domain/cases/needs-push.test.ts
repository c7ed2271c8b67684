import { describe, expect, it } from 'vitest';
import { connectorPushStates } from './needs-push.js';
import { commentIdsToPush } from './push-comments.js';
import type { NewUserAction, UserActionRecord } from './types.js';

const by = { username: 'elastic', full_name: null, email: null };
const history = (entries: NewUserAction[]): UserActionRecord[] =>
  entries.map((entry, index) => ({
    ...entry,
    id: `ua${index}`,
    case_id: 'c',
    seq: index + 1,
    owner: 'cases',
    created_at: new Date(Date.UTC(2024, 0, 1, 0, 0, index)).toISOString(),
    created_by: by,
    version: 'v',
  }));

const connector = (id: string, fields: Record<string, unknown> | null, type = '.servicenow') => ({
  type: 'connector' as const,
  action: 'update' as const,
  comment_id: null,
  payload: { connector: { id, name: id, type, fields } },
});
const pushed = (connectorId: string) => ({
  type: 'pushed' as const,
  action: 'push_to_service' as const,
  comment_id: null,
  payload: { externalService: { connector_id: connectorId, external_id: `${connectorId}-ext` } },
});
const comment = (id: string, action: 'create' | 'update' = 'create') => ({
  type: 'comment' as const,
  action,
  comment_id: id,
  payload: {},
});
const severity = {
  type: 'severity' as const,
  action: 'update' as const,
  comment_id: null,
  payload: { severity: 'high' },
};

describe('commentIdsToPush', () => {
  it('takes comments created or edited after the last push to that connector only', () => {
    const actions = history([
      comment('c1'),
      pushed('a'),
      comment('c2'),
      comment('c1', 'update'),
      pushed('b'),
      comment('c3'),
    ]);
    expect([...commentIdsToPush(actions, 'a')]).toEqual(['c2', 'c1', 'c3']);
    expect([...commentIdsToPush(actions, 'b')]).toEqual(['c3']);
    expect([...commentIdsToPush(actions, 'never')]).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('connectorPushStates', () => {
  const fields = { urgency: '2' };

  it('needs a push before the first one, not after it, and again after a comment', () => {
    const before = history([connector('sn', fields)]);
    expect(connectorPushStates(before, new Map()).sn?.push).toEqual({
      needsToBePushed: true,
      hasBeenPushed: false,
    });
    const after = history([connector('sn', fields), pushed('sn')]);
    expect(connectorPushStates(after, new Map([['sn', 'Now']])).sn).toMatchObject({
      name: 'Now',
      push: { needsToBePushed: false, hasBeenPushed: true },
    });
    const commented = history([connector('sn', fields), pushed('sn'), comment('c1')]);
    expect(connectorPushStates(commented, new Map()).sn?.push.needsToBePushed).toBe(true);
  });

  it('ignores severity except for targets that copy it, and compares fields in effect at the push', () => {
    expect(
      connectorPushStates(history([connector('sn', fields), pushed('sn'), severity]), new Map()).sn?.push
        .needsToBePushed,
    ).toBe(false);
    const webhook = history([connector('wh', null, '.cases-webhook'), pushed('wh'), severity]);
    expect(connectorPushStates(webhook, new Map()).wh?.push.needsToBePushed).toBe(true);
    const changedBack = history([
      connector('sn', fields),
      pushed('sn'),
      connector('sn', { urgency: '3' }),
      connector('sn', fields),
    ]);
    expect(connectorPushStates(changedBack, new Map()).sn?.push.needsToBePushed).toBe(false);
  });

  it('lists every connector the case used, with push details for the pushed ones', () => {
    const actions = history([
      connector('sn', fields),
      pushed('sn'),
      pushed('sn'),
      connector('jira', null, '.jira'),
    ]);
    const states = connectorPushStates(actions, new Map());
    expect(Object.keys(states)).toEqual(['sn', 'jira']);
    expect(states.sn?.push.details).toMatchObject({
      latestUserActionPushDate: actions[2]!.created_at,
      oldestUserActionPushDate: actions[1]!.created_at,
    });
    expect(states.jira?.push).toEqual({ needsToBePushed: true, hasBeenPushed: false });
  });
});
