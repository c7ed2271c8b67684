import type { EscapeMode } from '../templates/escape.js';
import type { LifecycleAction } from './lifecycle.js';

/**
 * The lifecycle contract, per connector type: what a type can do for an alert route and how each
 * action becomes that type's params. The route engine uses nothing else, and a route whose
 * policy needs an action its type lacks is refused when it is created (400).
 *
 * It lives here, beside the engine, until the connector contract (src/connectors/contract.ts)
 * grows a `lifecycle` member; a new type then declares the same four things.
 */
export interface LifecycleCapabilities {
  typeId: string;
  /** The one sub-action a route of this type names (its "ticket" sub-action); null when the type has none. */
  subAction: string | null;
  actions: ReadonlySet<LifecycleAction>;
  /** Longest key the target stores; longer keys are hashed (correlation-key.ts). */
  maxKeyLength: number;
  /** A new ticket after a close needs a new key (`#2`…); false when the target opens a new record for the same key. */
  keyPerGeneration: boolean;
  /** Escape mode per params path (Kibana renders webhook bodies with `json`). */
  escapeFor(path: readonly string[]): EscapeMode | undefined;
  /**
   * The params to deliver for one action, from the rendered route params; undefined when the
   * action needs the ticket's id on the target and it is not known yet (its create has not run).
   */
  build(input: BuildInput): Record<string, unknown> | undefined;
}

export interface BuildInput {
  action: LifecycleAction;
  /** The route's params after rendering (the sub-action params, or the whole params when `subAction` is null). */
  rendered: Record<string, unknown>;
  ticketKey: string;
  /** The ticket's id on the target when known (ServiceNow sys_id). */
  externalId: string | null;
  recovery: RecoveryOptions;
  /** Rendered comment text for `comment` actions. */
  comment: string;
}

export interface RecoveryOptions {
  closeState?: string;
  closeCode?: string;
  closeNotes?: string;
  resolveState?: string;
  reopenState?: string;
}

const all = new Set<LifecycleAction>(['create', 'update', 'close', 'resolve', 'comment', 'reopen']);
const none = () => undefined;

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * ServiceNow ITSM: pushToService carries create, update, reopen, resolve and comments (by the
 * incident's sys_id, learnt from the create's result); closeIncident finds the incident by
 * correlation id on the target.
 */
const servicenowItsm: LifecycleCapabilities = {
  typeId: '.servicenow',
  subAction: 'pushToService',
  actions: all,
  maxKeyLength: 100,
  keyPerGeneration: true,
  escapeFor: none,
  build({ action, rendered, ticketKey, externalId, recovery, comment }) {
    const incident: Record<string, unknown> = {
      ...record(rendered.incident),
      correlation_id: ticketKey,
      externalId,
    };
    const push = (extra: Record<string, unknown>, comments?: unknown) => ({
      subAction: 'pushToService',
      subActionParams: {
        ...rendered,
        incident: { ...incident, ...extra },
        ...(comments ? { comments } : {}),
      },
    });
    const closeFields = (state: string) => ({
      state,
      additional_fields: {
        ...record(incident.additional_fields),
        ...(recovery.closeCode ? { close_code: recovery.closeCode } : {}),
        ...(recovery.closeNotes ? { close_notes: recovery.closeNotes } : {}),
      },
    });
    const closeByKey = {
      subAction: 'closeIncident',
      subActionParams: { incident: { externalId, correlation_id: ticketKey } },
    };
    // Kibana's pushToService decides create-or-update by externalId alone (servicenow-kibana.md
    // §5.4): without the id, anything but a create would open a second incident.
    if (externalId === null && action !== 'create') return action === 'close' ? closeByKey : undefined;
    switch (action) {
      case 'create':
        return push({ externalId: null });
      case 'update':
        return push({});
      case 'reopen':
        return push({ state: recovery.reopenState ?? '2' });
      case 'resolve':
        return push(closeFields(recovery.resolveState ?? '6'));
      case 'comment':
        return push({}, [{ comment, commentId: `alert-recovery-${Date.now()}` }]);
      case 'close':
        // Without route-level close values, Kibana's closeIncident: found by correlation id on the
        // target, closed with the connector's auto-close state, code and notes.
        if (!recovery.closeCode && !recovery.closeNotes && !recovery.closeState) return closeByKey;
        return push(closeFields(recovery.closeState ?? '7'));
    }
  },
};

/** Security incidents: the SIR connector has no close sub-action, so recovery can only comment. */
const servicenowSir: LifecycleCapabilities = {
  ...servicenowItsm,
  typeId: '.servicenow-sir',
  actions: new Set<LifecycleAction>(['create', 'update', 'comment']),
};

/** ITOM events: the same message key updates the open alert; severity 0 (Clear) closes it. */
const servicenowItom: LifecycleCapabilities = {
  typeId: '.servicenow-itom',
  subAction: 'addEvent',
  actions: new Set<LifecycleAction>(['create', 'update', 'close']),
  maxKeyLength: 1024,
  // Event Management opens a new alert for an event after its alert was closed.
  keyPerGeneration: false,
  escapeFor: none,
  build({ action, rendered, ticketKey }) {
    return {
      subAction: 'addEvent',
      subActionParams: {
        ...rendered,
        message_key: ticketKey,
        ...(action === 'close' ? { severity: '0' } : {}),
      },
    };
  },
};

/** The webhook posts the rendered body for every action; `{{lifecycle.action}}` tells the receiver which. */
const webhook: LifecycleCapabilities = {
  typeId: '.webhook',
  subAction: null,
  actions: all,
  maxKeyLength: 256,
  keyPerGeneration: true,
  escapeFor: (path) => (path[0] === 'body' ? 'json' : undefined),
  build: ({ rendered }) => rendered,
};

const byType = new Map(
  [servicenowItsm, servicenowSir, servicenowItom, webhook].map((entry) => [entry.typeId, entry]),
);

export function lifecycleCapabilities(typeId: string): LifecycleCapabilities | undefined {
  return byType.get(typeId);
}

export function lifecycleTypeIds(): string[] {
  return [...byType.keys()];
}
