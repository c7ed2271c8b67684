import { describe, expect, it } from 'vitest';
import { changeNeedsSync } from './sync.js';
import type { NewUserAction } from './types.js';

const action = (type: NewUserAction['type'], kind: NewUserAction['action'] = 'update'): NewUserAction => ({
  type,
  action: kind,
  payload: {},
  comment_id: null,
});

describe('changeNeedsSync', () => {
  it('queues a push for mapped fields, new or edited comments and status', () => {
    for (const change of [
      action('title'),
      action('description'),
      action('status'),
      action('comment', 'create'),
      action('comment', 'update'),
      action('create_case', 'create'),
      action('connector'),
    ]) {
      expect(changeNeedsSync([change])).toBe(true);
    }
  });

  it('ignores unmapped changes, deleted comments and the writes of a push itself', () => {
    expect(changeNeedsSync([action('severity'), action('tags', 'add'), action('comment', 'delete')])).toBe(
      false,
    );
    expect(changeNeedsSync([action('status'), action('pushed', 'push_to_service')])).toBe(false);
  });
});
