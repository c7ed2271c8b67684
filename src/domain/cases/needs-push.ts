import { isDeepStrictEqual } from 'node:util';
import { changedAfterPush, pushCoveredSeq } from './push-comments.js';
import type { CaseConnector, ExternalService, UserActionRecord } from './types.js';

export interface ConnectorPushState {
  id: string;
  name: string;
  type: string;
  fields: Record<string, unknown> | null;
  push: {
    needsToBePushed: boolean;
    hasBeenPushed: boolean;
    details?: {
      latestUserActionPushDate: string;
      oldestUserActionPushDate: string;
      externalService: ExternalService;
    };
  };
}

const relevantTypes = new Set(['comment', 'description', 'tags', 'title']);
/** These targets copy severity and status too, so changing them needs a push. */
const statusAwareTypes = new Set(['.cases-webhook', '.thehive']);

function connectorOf(action: UserActionRecord): CaseConnector | undefined {
  if (action.type !== 'create_case' && action.type !== 'connector') return undefined;
  return action.payload.connector as CaseConnector | undefined;
}

const serviceOf = (action: UserActionRecord) => action.payload.externalService as ExternalService | undefined;

/**
 * The `/internal/cases/{id}/_connectors` view (§3.8), from the case's history in order: every
 * connector the case was set to or pushed to, its latest fields, and whether it needs a push.
 * `names` holds current connector names; a deleted connector keeps the name it was stored with.
 */
export function connectorPushStates(
  actions: UserActionRecord[],
  names: ReadonlyMap<string, string>,
): Record<string, ConnectorPushState> {
  const sorted = [...actions].sort((a, b) => a.seq - b.seq);
  const ids = new Set<string>();
  for (const action of sorted) {
    const id =
      connectorOf(action)?.id ?? (action.type === 'pushed' ? serviceOf(action)?.connector_id : undefined);
    if (id !== undefined && id !== 'none') ids.add(id);
  }
  const result: Record<string, ConnectorPushState> = {};
  for (const id of ids) {
    const settings = sorted.filter((action) => connectorOf(action)?.id === id);
    const latestSetting = settings.at(-1);
    // A connector only pushed to, never set on the case, has no fields to show.
    if (latestSetting === undefined) continue;
    const connector = connectorOf(latestSetting) as CaseConnector;
    const pushes = sorted.filter(
      (action) => action.type === 'pushed' && serviceOf(action)?.connector_id === id,
    );
    const latestPush = pushes.at(-1);
    const oldestPush = pushes[0];
    let needsToBePushed = true;
    if (latestPush !== undefined) {
      const inEffect = settings.filter((action) => action.seq <= pushCoveredSeq(latestPush)).at(-1);
      const fieldsChanged = !isDeepStrictEqual(
        connector.fields,
        connectorOf(inEffect ?? latestSetting)?.fields,
      );
      const relevant = (action: UserActionRecord) =>
        relevantTypes.has(action.type) ||
        (statusAwareTypes.has(connector.type) && (action.type === 'severity' || action.type === 'status'));
      const changedSince = sorted.some((action) => changedAfterPush(action, latestPush) && relevant(action));
      needsToBePushed = fieldsChanged || changedSince;
    }
    result[id] = {
      id,
      name: names.get(id) ?? connector.name,
      type: connector.type,
      fields: connector.fields,
      push: {
        needsToBePushed,
        hasBeenPushed: latestPush !== undefined,
        ...(latestPush !== undefined && oldestPush !== undefined
          ? {
              details: {
                latestUserActionPushDate: latestPush.created_at,
                oldestUserActionPushDate: oldestPush.created_at,
                externalService: serviceOf(latestPush) as ExternalService,
              },
            }
          : {}),
      },
    };
  }
  return result;
}
