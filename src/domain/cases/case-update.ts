import { isDeepStrictEqual } from 'node:util';
import type { CaseRecord, CaseStatus, NewUserAction } from './types.js';

/** Fields a bulk update may change (§1.5); `owner` is refused before this point. */
export const updatableFields = [
  'title',
  'description',
  'tags',
  'connector',
  'severity',
  'assignees',
  'category',
  'customFields',
  'settings',
  'status',
] as const;
export type UpdatableField = (typeof updatableFields)[number];
export type CasePatch = Partial<Pick<CaseRecord, UpdatableField>>;

/** Keeps only fields whose value differs from what is stored, as Kibana does before writing. */
export function changedFields(stored: CaseRecord, patch: CasePatch): CasePatch {
  const changed: Record<string, unknown> = {};
  for (const key of updatableFields) {
    const value = patch[key];
    if (value !== undefined && !isDeepStrictEqual(value, stored[key])) changed[key] = value;
  }
  return changed as CasePatch;
}

/** closed_at / closed_by follow the status: set when it becomes closed, cleared when it reopens. */
export function closureChange(
  stored: CaseRecord,
  status: CaseStatus | undefined,
  now: string,
  user: CaseRecord['created_by'],
): Pick<CaseRecord, 'closed_at' | 'closed_by'> | undefined {
  if (status === undefined || status === stored.status) return undefined;
  return status === 'closed' ? { closed_at: now, closed_by: user } : { closed_at: null, closed_by: null };
}

const difference = <T>(a: T[], b: T[]): T[] =>
  a.filter((item) => !b.some((other) => isDeepStrictEqual(item, other)));

/** The user actions Kibana records for a set of changed fields, one per field (two for tags and assignees). */
export function userActionsForChanges(stored: CaseRecord, changed: CasePatch): NewUserAction[] {
  const actions: NewUserAction[] = [];
  const add = (
    type: NewUserAction['type'],
    action: NewUserAction['action'],
    payload: Record<string, unknown>,
  ) => actions.push({ type, action, payload, comment_id: null });
  for (const key of updatableFields) {
    const value = changed[key];
    if (value === undefined) continue;
    if (key === 'tags' || key === 'assignees') {
      const next = value as unknown[];
      const before = stored[key] as unknown[];
      const added = difference(next, before);
      const removed = difference(before, next);
      if (added.length > 0) add(key, 'add', { [key]: added });
      if (removed.length > 0) add(key, 'delete', { [key]: removed });
    } else if (key === 'customFields') {
      const changedFieldsOnly = difference(changed.customFields ?? [], stored.customFields);
      for (const field of changedFieldsOnly) add('customFields', 'update', { customFields: [field] });
    } else {
      add(key, 'update', { [key]: value });
    }
  }
  return actions;
}

/** Seconds from creation to closure, rounded down; null while the case is open. */
export function durationOf(createdAt: string, closedAt: string | null): number | null {
  if (closedAt === null) return null;
  return Math.floor((Date.parse(closedAt) - Date.parse(createdAt)) / 1000);
}
