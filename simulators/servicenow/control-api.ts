// The control HTTP API under /__control, for scripting the simulator from another process (the CLI
// instance, demo mode, a shell). It is not part of ServiceNow: no auth, no faults, not logged.
//   GET    /__control/state                 tables, faults, app state
//   GET    /__control/requests[?limit=N]    the request log;  DELETE clears it
//   POST   /__control/faults                FaultSpec;        DELETE clears faults and hangs
//   POST   /__control/latency               {"ms":N,"match"?}
//   POST   /__control/flap                  FlapSpec;         DELETE stops flapping
//   POST   /__control/app                   {"scope"?,"state"?,"hibernating"?,"importErrors"?}
//   POST   /__control/tokens/expire
//   POST   /__control/rate-limits           [rules]
//   POST   /__control/users                 SimUser
//   GET    /__control/tables/{t}[?sysparm_query=]   raw rows;  POST inserts a row (as admin)
//   POST   /__control/reset
//   GET    / and /__control/ui              a read-only HTML overview
import type { ServerResponse } from 'node:http';
import type { ElasticScope, SimRequest } from './context.js';
import type { FaultAction, FaultMatch, FaultSpec } from './faults.js';
import type { SimulatorControl, SimulatorTables } from './handles.js';
import type { RequestLog } from './request-log.js';
import { send } from './server.js';
import type { SimResponse } from './responses.js';
import type { ElasticAppState, SimRateLimitRule, SimUser } from './types.js';
import { renderOverview } from './web-page.js';

export interface ControlDeps {
  control: SimulatorControl;
  tables: SimulatorTables;
  log: RequestLog;
  url: () => string;
}

const OK: SimResponse = { status: 200, json: { ok: true } };

export function createControlApi(deps: ControlDeps): (req: SimRequest, res: ServerResponse) => void {
  return (req, res) => {
    let response: SimResponse;
    try {
      response = dispatch(deps, req);
    } catch (err) {
      response = {
        status: 400,
        json: { ok: false, error: err instanceof Error ? err.message : String(err) },
      };
    }
    send(res, response);
  };
}

const KINDS = new Set(['status', 'html', 'drop', 'hang']);

/** Checks a fault posted as JSON, so a typo is a 400 here rather than a failure later. */
function faultSpec(b: Record<string, unknown>): FaultSpec {
  const action = b.action as FaultAction | undefined;
  if (!action || typeof action !== 'object' || !KINDS.has(action.kind)) {
    throw new Error('action.kind must be one of status, html, drop, hang');
  }
  if (action.kind === 'status' && typeof action.status !== 'number')
    throw new Error('action.status must be a number');
  return {
    action,
    ...(typeof b.times === 'number' ? { times: b.times } : {}),
    ...(b.match && typeof b.match === 'object' ? { match: b.match as FaultMatch } : {}),
  };
}

function dispatch(deps: ControlDeps, req: SimRequest): SimResponse {
  const { control, tables, log } = deps;
  const path = req.path.replace(/\/+$/, '') || '/';
  const key = `${req.method} ${path}`;
  const body = (): Record<string, unknown> => (req.body.length === 0 ? {} : req.object());
  switch (key) {
    case 'GET /':
    case 'GET /__control':
    case 'GET /__control/ui':
      return {
        status: 200,
        contentType: 'text/html',
        text: renderOverview(deps.url(), control.state().tables, log.all().slice(-50)),
      };
    case 'GET /__control/state':
      return { status: 200, json: { url: deps.url(), ...control.state() } };
    case 'GET /__control/requests': {
      const limit = Number(req.query.get('limit') ?? '0');
      const all = log.all();
      return { status: 200, json: { requests: limit > 0 ? all.slice(-limit) : all } };
    }
    case 'DELETE /__control/requests':
      log.clear();
      return OK;
    case 'POST /__control/faults':
      control.fault(faultSpec(body()));
      return OK;
    case 'DELETE /__control/faults':
      control.clearFaults();
      return OK;
    case 'POST /__control/latency': {
      const b = body();
      control.latency(Number(b.ms ?? 0), b.match as FaultSpec['match']);
      return OK;
    }
    case 'POST /__control/flap': {
      const b = body();
      const spec = faultSpec(b);
      control.flap({
        up: Number(b.up ?? 1),
        down: Number(b.down ?? 1),
        action: spec.action,
        ...(spec.match ? { match: spec.match } : {}),
      });
      return OK;
    }
    case 'DELETE /__control/flap':
      control.flap(undefined);
      return OK;
    case 'POST /__control/app': {
      const b = body();
      if (typeof b.scope === 'string' && typeof b.state === 'string') {
        control.setApp(b.scope as ElasticScope, b.state as ElasticAppState);
      }
      if (typeof b.hibernating === 'boolean') control.setHibernating(b.hibernating);
      if (typeof b.importErrors === 'number') control.failImports(b.importErrors);
      return { status: 200, json: control.state() };
    }
    case 'POST /__control/tokens/expire':
      control.expireTokens();
      return OK;
    case 'POST /__control/rate-limits':
      control.setRateLimits(req.json() as SimRateLimitRule[]);
      return OK;
    case 'POST /__control/users':
      control.addUser(body() as unknown as SimUser);
      return OK;
    case 'POST /__control/reset':
      control.reset();
      return OK;
  }
  const m = /^\/__control\/tables\/([a-z0-9_]+)$/.exec(path);
  if (m?.[1]) {
    const table = m[1];
    if (req.method === 'GET') {
      return { status: 200, json: { result: tables.list(table, req.query.get('sysparm_query') ?? '') } };
    }
    if (req.method === 'POST') return { status: 201, json: { result: tables.insert(table, body()) } };
  }
  return { status: 404, json: { ok: false, error: `No control route ${key}` } };
}
