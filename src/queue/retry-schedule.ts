import type { ActionsConfig } from '../config/schema.js';
import type { QueueConfig } from '../config/queue-schema.js';
import { parseDuration } from '../config/units.js';

/** The retry settings in milliseconds. */
export interface RetrySchedule {
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  minDelayMs: number;
  jitter: 'full' | 'none';
}

export function retryScheduleFrom(config: QueueConfig['retry']): RetrySchedule {
  return {
    baseDelayMs: parseDuration(config.baseDelay),
    factor: config.factor,
    maxDelayMs: parseDuration(config.maxDelay),
    minDelayMs: parseDuration(config.minDelay),
    jitter: config.jitter,
  };
}

/**
 * Delay before retry number `retry` (1 after the first failed attempt): the exponential bound
 * `min(max, base × factor^(retry−1))`, then with full jitter a uniform pick in [min, bound]. Full
 * jitter spreads a burst of failures (a target restarting) over the whole window instead of
 * bringing them back together; it is what Kibana's task manager does after its first retry.
 */
export function backoffDelay(
  schedule: RetrySchedule,
  retry: number,
  random: () => number = Math.random,
): number {
  const bound = Math.min(
    schedule.maxDelayMs,
    schedule.baseDelayMs * schedule.factor ** Math.max(0, retry - 1),
  );
  const floor = Math.min(schedule.minDelayMs, bound);
  if (schedule.jitter === 'none') return bound;
  return floor + Math.floor(random() * (bound - floor + 1));
}

/**
 * Kibana's order for a connector type's attempts: the per-type override, then
 * `actions.run.maxAttempts`, then the type's own `maxAttempts`, then 3.
 */
export function maxAttemptsFor(
  run: ActionsConfig['run'],
  typeId: string,
  typeMaxAttempts: number | undefined,
): number {
  const override = run.connectorTypeOverrides.find((entry) => entry.id === typeId)?.maxAttempts;
  return override || run.maxAttempts || typeMaxAttempts || 3;
}

/** What a failed attempt leads to. */
export type RetryDecision =
  | { kind: 'retry'; at: Date; reason: 'schedule' | 'target' }
  | { kind: 'dead'; reason: 'final' | 'exhausted' };

/**
 * Decides after a failed attempt. `retry: false` is final whatever attempts remain; a Date is the
 * target's own time and is obeyed exactly (not jittered, not capped: coming back earlier would
 * only be refused again); `true` (or no answer) follows the schedule. Out of attempts is dead
 * either way.
 */
export function decideRetry(
  schedule: RetrySchedule,
  retry: boolean | Date | undefined,
  attempt: number,
  maxAttempts: number,
  now: Date,
  random?: () => number,
): RetryDecision {
  if (retry === false) return { kind: 'dead', reason: 'final' };
  if (attempt >= maxAttempts) return { kind: 'dead', reason: 'exhausted' };
  if (retry instanceof Date) {
    return { kind: 'retry', at: new Date(Math.max(retry.getTime(), now.getTime())), reason: 'target' };
  }
  return {
    kind: 'retry',
    at: new Date(now.getTime() + backoffDelay(schedule, attempt, random)),
    reason: 'schedule',
  };
}
