// In-process handles: what a test holds to script the instance and to read or seed its tables.
// The control HTTP API (control-api.ts) calls the same functions, so both stay in step.
import type { ServerResponse } from 'node:http';
import type { UserRegistry } from './auth.js';
import type { ElasticScope, InstanceState, SimContext } from './context.js';
import type { FaultInjector, FaultMatch, FaultSpec, FlapSpec } from './faults.js';
import { compileQuery, sortRecords } from './query.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import { seedUsers } from './seed-data.js';
import type { SimDatabase } from './store.js';
import type { ElasticAppState, SimOAuthClient, SimRateLimitRule, SimUser, SnRecord } from './types.js';
import { insertRecord, updateRecord } from './writes.js';

export interface SimulatorControl {
  /** Answer the next N matching requests with this status (and body, default an error envelope). */
  failNext(times: number, status?: number, body?: unknown, match?: FaultMatch): void;
  /** Close the connection without an answer for the next N matching requests. */
  dropNext(times?: number, match?: FaultMatch): void;
  /** Never answer the next N matching requests (until reset or close). */
  hangNext(times?: number, match?: FaultMatch): void;
  /** Answer the next N matching requests with 200 and an HTML page. */
  htmlNext(times?: number, match?: FaultMatch): void;
  /** Any scripted fault. */
  fault(spec: FaultSpec): void;
  /** Delay every matching request; 0 turns it off. */
  latency(ms: number, match?: FaultMatch): void;
  /** Alternate `up` healthy and `down` failing requests; undefined stops flapping. */
  flap(spec: FlapSpec | undefined): void;
  clearFaults(): void;
  setApp(scope: ElasticScope, state: ElasticAppState): void;
  setHibernating(on: boolean): void;
  /** The next N import-set rows fail inside the transform (status "error" inside a 201). */
  failImports(times: number): void;
  /** Expire every issued access token now (refresh tokens stay valid). */
  expireTokens(): void;
  setRateLimits(rules: SimRateLimitRule[]): void;
  addUser(user: SimUser): void;
  addOAuthClient(client: SimOAuthClient): void;
  /** Back to the start: data reseeded, faults, log, tokens, rate limits and app state reset. */
  reset(): void;
  state(): {
    apps: InstanceState['apps'];
    hibernating: boolean;
    faults: ReturnType<FaultInjector['pending']>;
    tables: Record<string, number>;
  };
}

export interface SimulatorTables {
  get(table: string, sysId: string): SnRecord | undefined;
  /** Rows matching an encoded query (sysparm_query syntax), in stored order unless it orders. */
  list(table: string, query?: string): SnRecord[];
  /** Inserts through the same rules as the Table API, as admin. */
  insert(table: string, values: Record<string, unknown>): SnRecord;
  update(table: string, sysId: string, values: Record<string, unknown>): SnRecord;
  count(table: string): number;
  /** Journal entries of a record, newest first, optionally for one element. */
  journal(recordId: string, element?: string): SnRecord[];
  observables(securityIncidentId: string): { value: string; type: string; observable_sys_id: string }[];
  names(): string[];
}

export interface HandleDeps {
  ctx: SimContext;
  faults: FaultInjector;
  rate: RateLimiter;
  log: RequestLog;
  hung: Set<ServerResponse>;
  initialRules: SimRateLimitRule[];
  initialState: () => InstanceState;
  reseed: (db: SimDatabase, users: UserRegistry) => void;
}

const ADMIN = { user_name: 'admin', sys_id: '', isAdmin: true };

export function createControl(deps: HandleDeps): SimulatorControl {
  const { ctx, faults } = deps;
  const releaseHung = (): void => {
    for (const res of deps.hung) res.socket?.destroy();
    deps.hung.clear();
  };
  return {
    failNext: (times, status = 500, body, match) => faults.failNext(times, status, body, match),
    dropNext: (times = 1, match) =>
      faults.add({ action: { kind: 'drop' }, times, ...(match ? { match } : {}) }),
    hangNext: (times = 1, match) =>
      faults.add({ action: { kind: 'hang' }, times, ...(match ? { match } : {}) }),
    htmlNext: (times = 1, match) =>
      faults.add({ action: { kind: 'html' }, times, ...(match ? { match } : {}) }),
    fault: (spec) => faults.add(spec),
    latency: (ms, match) => faults.setLatency(ms, match),
    flap: (spec) => faults.setFlap(spec),
    clearFaults: () => {
      faults.reset();
      releaseHung();
    },
    setApp: (scope, state) => {
      ctx.state.apps[scope] = state;
    },
    setHibernating: (on) => {
      ctx.state.hibernating = on;
    },
    failImports: (times) => {
      ctx.state.importErrors = times;
    },
    expireTokens: () => ctx.oauth.expireAccessTokens(),
    setRateLimits: (rules) => deps.rate.setRules(rules),
    addUser: (user) => {
      ctx.users.add(user);
      seedUsers(ctx.db, [user]);
    },
    addOAuthClient: (client) => ctx.oauth.addClient(client),
    reset: () => {
      faults.reset();
      releaseHung();
      deps.log.clear();
      ctx.oauth.revokeAll();
      deps.rate.setRules(deps.initialRules);
      ctx.state = deps.initialState();
      ctx.db.clear();
      deps.reseed(ctx.db, ctx.users);
    },
    state: () => ({
      apps: { ...ctx.state.apps },
      hibernating: ctx.state.hibernating,
      faults: faults.pending(),
      tables: Object.fromEntries([...ctx.db.tables.keys()].map((t) => [t, ctx.db.count(t)])),
    }),
  };
}

export function createTables(ctx: SimContext): SimulatorTables {
  const def = (table: string) => {
    const d = ctx.db.def(table);
    if (!d) throw new Error(`Unknown table ${table}`);
    return d;
  };
  const opts = { actor: ADMIN, inputDisplayValue: false, strictChoices: ctx.strictChoices };
  return {
    get: (table, sysId) => {
      const rec = ctx.db.get(table, sysId);
      return rec ? ctx.db.full(table, rec) : undefined;
    },
    list: (table, query = '') => {
      const q = compileQuery(query, def(table), ctx.db, ctx);
      const rows = [...ctx.db.all(table)].filter(q.matches);
      sortRecords(rows, q.order, ctx.db);
      return rows.map((r) => ctx.db.full(table, r));
    },
    insert: (table, values) => ctx.db.full(table, insertRecord(ctx.db, def(table), values, opts)),
    update: (table, sysId, values) => {
      const before = ctx.db.get(table, sysId);
      if (!before) throw new Error(`No ${table} record ${sysId}`);
      return ctx.db.full(table, updateRecord(ctx.db, def(table), before, values, opts));
    },
    count: (table) => ctx.db.count(table),
    journal: (recordId, element) => {
      const all = [...ctx.db.all('sys_journal_field')].filter((e) => e.element_id === recordId);
      return all
        .filter((e) => element === undefined || e.element === element)
        .reverse()
        .map((e) => ctx.db.full('sys_journal_field', e));
    },
    observables: (id) => [...(ctx.state.observables.get(id) ?? [])],
    names: () => [...ctx.db.tables.keys()],
  };
}
