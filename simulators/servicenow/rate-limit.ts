// Inbound REST rate limiting as the platform's rules work: a rule applies to one user, a role or
// everyone; a user rule beats role rules, which beat the all-users rule, and among several role
// rules the lowest limit wins. Counting is exact here (the platform commits counts every 30 s and
// may over-admit briefly). A per-second bucket is an addition so tests can trip a rule quickly.
import { randomUUID } from 'node:crypto';
import { hasRole, type AuthUser } from './auth.js';
import type { SimRateLimitRule } from './types.js';

export type ApiResource = 'table' | 'import' | 'event' | 'other';

export interface RateDecision {
  headers: Record<string, string>;
  /** Seconds to wait when the request is over the limit; undefined when it may proceed. */
  retryAfter?: number;
  ruleId: string;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private rules: (SimRateLimitRule & { sys_id: string })[] = [];
  private readonly windows = new Map<string, Window>();

  constructor(rules: SimRateLimitRule[] = []) {
    this.setRules(rules);
  }

  setRules(rules: SimRateLimitRule[]): void {
    this.rules = rules.map((r) => ({ ...r, sys_id: r.sys_id ?? randomUUID().replaceAll('-', '') }));
    this.windows.clear();
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  check(user: AuthUser, resource: ApiResource, method: string, now = Date.now()): RateDecision | undefined {
    const rule = this.pick(user, resource, method);
    if (!rule) return undefined;
    let decision: RateDecision | undefined;
    if (rule.requestsPerSecond !== undefined) {
      decision = this.count(rule.sys_id, user, 'sec', 1000, rule.requestsPerSecond, now);
    }
    if (rule.requestsPerHour !== undefined && decision?.retryAfter === undefined) {
      decision = this.count(rule.sys_id, user, 'hour', 3_600_000, rule.requestsPerHour, now);
    }
    return decision;
  }

  private pick(
    user: AuthUser,
    resource: ApiResource,
    method: string,
  ): (SimRateLimitRule & { sys_id: string }) | undefined {
    const applies = this.rules.filter(
      (r) =>
        (r.resource === undefined || r.resource === 'all' || r.resource === resource) &&
        (r.method === undefined || r.method.toUpperCase() === method),
    );
    const byUser = applies.find((r) => r.user === user.user_name);
    if (byUser) return byUser;
    const byRole = applies
      .filter((r) => r.role !== undefined && hasRole({ ...user, isAdmin: false }, [r.role]))
      .sort((a, b) => limitOf(a) - limitOf(b));
    if (byRole[0]) return byRole[0];
    return applies.find((r) => r.user === undefined && r.role === undefined);
  }

  private count(
    ruleId: string,
    user: AuthUser,
    unit: string,
    lengthMs: number,
    limit: number,
    now: number,
  ): RateDecision {
    const key = `${ruleId}|${user.user_name}|${unit}`;
    const start = now - (now % lengthMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) this.windows.set(key, (w = { start, count: 0 }));
    w.count++;
    const resetSeconds = Math.ceil((start + lengthMs) / 1000);
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Reset': String(resetSeconds),
      'X-RateLimit-Rule': ruleId,
    };
    if (w.count <= limit) return { headers, ruleId };
    const retryAfter = Math.max(1, Math.ceil((start + lengthMs - now) / 1000));
    return { headers: { ...headers, 'Retry-After': String(retryAfter) }, retryAfter, ruleId };
  }
}

function limitOf(rule: SimRateLimitRule): number {
  return rule.requestsPerHour ?? (rule.requestsPerSecond ?? 0) * 3600;
}
