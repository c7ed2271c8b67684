// Scripted failures, applied before authentication as a proxy or a struggling node would: fail the
// next N requests (a status and body, an HTML page, a dropped connection or a hang), add latency,
// or flap between healthy and failing. Scoped by method and path when a match is given.

export interface FaultMatch {
  method?: string;
  /** Matches when the request path contains this text. */
  path?: string;
}

export type FaultAction =
  | { kind: 'status'; status: number; body?: unknown; contentType?: string; headers?: Record<string, string> }
  | { kind: 'html'; status?: number; html?: string }
  | { kind: 'drop' }
  | { kind: 'hang' };

export interface FaultSpec {
  action: FaultAction;
  /** How many matching requests to affect (default 1). */
  times?: number;
  match?: FaultMatch;
}

export interface FlapSpec {
  /** Healthy requests per cycle. */
  up: number;
  /** Failing requests per cycle. */
  down: number;
  action: FaultAction;
  match?: FaultMatch;
}

interface Pending {
  action: FaultAction;
  remaining: number;
  match: FaultMatch | undefined;
}

export class FaultInjector {
  private queue: Pending[] = [];
  private latency: { ms: number; match: FaultMatch | undefined } | undefined;
  private flap: (FlapSpec & { position: number }) | undefined;

  /** Whether anything is scripted, so the hot path can skip the checks. */
  get idle(): boolean {
    return this.queue.length === 0 && this.latency === undefined && this.flap === undefined;
  }

  add(spec: FaultSpec): void {
    this.queue.push({ action: spec.action, remaining: spec.times ?? 1, match: spec.match });
  }

  failNext(times: number, status = 500, body?: unknown, match?: FaultMatch): void {
    this.add({ action: { kind: 'status', status, ...(body === undefined ? {} : { body }) }, times, match });
  }

  setLatency(ms: number, match?: FaultMatch): void {
    this.latency = ms > 0 ? { ms, match } : undefined;
  }

  setFlap(spec: FlapSpec | undefined): void {
    this.flap = spec ? { ...spec, position: 0 } : undefined;
  }

  reset(): void {
    this.queue = [];
    this.latency = undefined;
    this.flap = undefined;
  }

  pending(): { queued: number; latencyMs: number; flapping: boolean } {
    return {
      queued: this.queue.reduce((n, p) => n + p.remaining, 0),
      latencyMs: this.latency?.ms ?? 0,
      flapping: this.flap !== undefined,
    };
  }

  latencyFor(method: string, path: string): number {
    return this.latency && matches(this.latency.match, method, path) ? this.latency.ms : 0;
  }

  /** The fault for this request, consuming one use of it; undefined to answer normally. */
  take(method: string, path: string): FaultAction | undefined {
    const index = this.queue.findIndex((p) => matches(p.match, method, path));
    const hit = this.queue[index];
    if (hit) {
      if (--hit.remaining <= 0) this.queue.splice(index, 1);
      return hit.action;
    }
    const flap = this.flap;
    if (!flap || !matches(flap.match, method, path)) return undefined;
    const cycle = flap.up + flap.down;
    const position = flap.position++ % Math.max(cycle, 1);
    return position >= flap.up ? flap.action : undefined;
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  return match.path === undefined || path.includes(match.path);
}
