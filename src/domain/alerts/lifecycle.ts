import type { AlertStatus } from './alert.js';

/** What a route does to the ticket when its alert changes (docs/alerts.md, "Lifecycle"). */
export interface LifecyclePolicy {
  onFiring: 'create' | 'update';
  onRecovery: 'close' | 'resolve' | 'comment' | 'none';
  afterClose: 'reopen' | 'new' | 'update' | 'ignore';
  /** `reopen` applies only this long after the close; later a new ticket is opened. 0 = always reopen. */
  reopenWindowMs: number;
  /** Target states that mean "won't fix": such a ticket is never reopened or updated. */
  wontFixStates: string[];
  afterWontFix: 'new' | 'ignore';
  /** Updates for one key closer together than this are folded into the first (0 = every update is sent). */
  groupingWindowMs: number;
}

export type LifecycleAction = 'create' | 'update' | 'close' | 'resolve' | 'comment' | 'reopen';

/** What is known locally about one correlation key's ticket. */
export interface TicketState {
  ticketStatus: 'none' | 'open' | 'closed';
  generation: number;
  closedAt: string | null;
  /** The last delivery to this ticket was queued at; updates inside the grouping window fold into it. */
  lastDeliveryAt: string | null;
  /** The ticket's state on the target, when known (ServiceNow state number, Jira resolution…). */
  targetState: string | null;
}

export type Decision =
  | {
      kind: 'deliver';
      action: LifecycleAction;
      generation: number;
      ticketStatus: 'open' | 'closed';
      reason: string;
    }
  | {
      kind: 'skip';
      reason:
        'coalesced' | 'duplicate' | 'no_ticket' | 'already_closed' | 'ignored' | 'wont_fix' | 'recovery_none';
    };

const NEW_STATE: TicketState = {
  ticketStatus: 'none',
  generation: 0,
  closedAt: null,
  lastDeliveryAt: null,
  targetState: null,
};

/**
 * The lifecycle as one pure function: given what we know about the ticket and the alert's new
 * status, what to send. Peers' semantics (peers.md §3.1–3.2): a recovery with no ticket creates
 * nothing (Alertmanager's Jira receiver); after a close, reopen inside the window, else a new
 * ticket (Alertmanager's `reopen_duration`); won't-fix tickets are left alone.
 */
export function decide(
  policy: LifecyclePolicy,
  state: TicketState | undefined,
  status: AlertStatus,
  now: Date,
): Decision {
  const current = state ?? NEW_STATE;
  const next = (generation: number) => Math.max(generation, 0) + 1;
  if (status === 'recovered') {
    if (current.ticketStatus === 'none') return { kind: 'skip', reason: 'no_ticket' };
    if (current.ticketStatus === 'closed') return { kind: 'skip', reason: 'already_closed' };
    if (policy.onRecovery === 'none') return { kind: 'skip', reason: 'recovery_none' };
    const closes = policy.onRecovery === 'close' || policy.onRecovery === 'resolve';
    return {
      kind: 'deliver',
      action: policy.onRecovery,
      generation: current.generation,
      ticketStatus: closes ? 'closed' : 'open',
      reason: `recovered: ${policy.onRecovery}`,
    };
  }

  if (current.ticketStatus === 'none') {
    return {
      kind: 'deliver',
      action: 'create',
      generation: next(current.generation),
      ticketStatus: 'open',
      reason: 'first firing',
    };
  }
  if (current.ticketStatus === 'open') {
    // `create` sends a ticket once per open period and never updates it (PagerDuty-style dedup).
    if (policy.onFiring === 'create') return { kind: 'skip', reason: 'duplicate' };
    const last = current.lastDeliveryAt === null ? 0 : Date.parse(current.lastDeliveryAt);
    if (policy.groupingWindowMs > 0 && now.getTime() - last < policy.groupingWindowMs)
      return { kind: 'skip', reason: 'coalesced' };
    return {
      kind: 'deliver',
      action: 'update',
      generation: current.generation,
      ticketStatus: 'open',
      reason: 'firing again',
    };
  }

  // Closed ticket, alert fires again.
  const fresh = {
    kind: 'deliver',
    action: 'create',
    generation: next(current.generation),
    ticketStatus: 'open',
  } as const;
  if (current.targetState !== null && policy.wontFixStates.includes(current.targetState)) {
    return policy.afterWontFix === 'new'
      ? { ...fresh, reason: `ticket is won't-fix (${current.targetState}): new ticket` }
      : { kind: 'skip', reason: 'wont_fix' };
  }
  if (policy.afterClose === 'ignore') return { kind: 'skip', reason: 'ignored' };
  if (policy.afterClose === 'new') return { ...fresh, reason: 'fired after close: new ticket' };
  if (policy.afterClose === 'update') {
    return {
      kind: 'deliver',
      action: 'update',
      generation: current.generation,
      ticketStatus: 'closed',
      reason: 'fired after close: update closed ticket',
    };
  }
  const closedFor = current.closedAt === null ? 0 : now.getTime() - Date.parse(current.closedAt);
  if (policy.reopenWindowMs === 0 || closedFor <= policy.reopenWindowMs) {
    return {
      kind: 'deliver',
      action: 'reopen',
      generation: current.generation,
      ticketStatus: 'open',
      reason: 'fired inside the reopen window',
    };
  }
  return { ...fresh, reason: 'fired after the reopen window: new ticket' };
}
