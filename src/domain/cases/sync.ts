import type { NewUserAction } from './types.js';

/**
 * Whether a case change should queue an automatic push (`sync: on-change`): a change the
 * mapping covers (title, description, a new or edited comment) or a status change, which the
 * ticket follows. Creating a case and switching its connector count too: both leave the case
 * with a connector it has never been pushed to. A write that is itself a push never triggers
 * one, or pushes would loop.
 */
export function changeNeedsSync(actions: readonly NewUserAction[]): boolean {
  if (actions.some((action) => action.type === 'pushed')) return false;
  return actions.some(
    (action) =>
      action.type === 'create_case' ||
      action.type === 'connector' ||
      action.type === 'title' ||
      action.type === 'description' ||
      action.type === 'status' ||
      (action.type === 'comment' && (action.action === 'create' || action.action === 'update')),
  );
}
