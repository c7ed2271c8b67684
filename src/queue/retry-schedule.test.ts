import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, maxAttemptsFor, type RetrySchedule } from './retry-schedule.js';

const schedule: RetrySchedule = {
  baseDelayMs: 30_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  minDelayMs: 1_000,
  jitter: 'none',
};
const now = new Date('2024-05-01T10:00:00.000Z');

describe('retry schedule', () => {
  it('grows exponentially and stops at the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(schedule, n))).toEqual([
      30_000, 60_000, 120_000, 240_000, 3_600_000,
    ]);
  });

  it('full jitter picks uniformly between the floor and the bound', () => {
    const jittered = { ...schedule, jitter: 'full' as const };
    expect(backoffDelay(jittered, 2, () => 0)).toBe(1_000);
    expect(backoffDelay(jittered, 2, () => 0.999999)).toBe(60_000);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(jittered, 3);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(120_000);
    }
  });

  it('retry:false is final even with attempts left', () => {
    expect(decideRetry(schedule, false, 1, 3, now)).toEqual({ kind: 'dead', reason: 'final' });
  });

  it('a Date is obeyed exactly, neither jittered nor capped', () => {
    const at = new Date(now.getTime() + 7_200_000);
    expect(decideRetry({ ...schedule, jitter: 'full' }, at, 1, 3, now)).toEqual({
      kind: 'retry',
      at,
      reason: 'target',
    });
  });

  it('true follows the schedule until attempts run out', () => {
    expect(decideRetry(schedule, true, 1, 3, now)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 30_000),
      reason: 'schedule',
    });
    expect(decideRetry(schedule, true, 3, 3, now)).toEqual({ kind: 'dead', reason: 'exhausted' });
  });

  it('takes attempts in Kibana’s order: type override, run.maxAttempts, type default, 3', () => {
    const run = { maxAttempts: 5, connectorTypeOverrides: [{ id: '.servicenow', maxAttempts: 7 }] };
    expect(maxAttemptsFor(run, '.servicenow', 2)).toBe(7);
    expect(maxAttemptsFor(run, '.webhook', 2)).toBe(5);
    expect(maxAttemptsFor({ maxAttempts: 0, connectorTypeOverrides: [] }, '.webhook', 4)).toBe(4);
    expect(maxAttemptsFor({ maxAttempts: 0, connectorTypeOverrides: [] }, '.webhook', 0)).toBe(3);
  });
});
