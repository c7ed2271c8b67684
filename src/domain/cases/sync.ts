import type { NewUserAction } from './types.js';

/**
 * Whether a case change should queue an automatic push (`sync: on-change`): a change the
 * mapping covers (title, description, a new or edited comment) or a status change, which the
 * ticket follows. A write that is itself a push never triggers one, or pushes would loop.
 */
export function changeNeedsSync(actions: readonly NewUserAction[]): boolean {
  if (actions.some((action) => action.type === 'pushed')) return false;
  return actions.some(
    (action) =>
      action.type === 'title' ||
      action.type === 'description' ||
      action.type === 'status' ||
      (action.type === 'comment' && (action.action === 'create' || action.action === 'update')),
  );
}
