// The Elastic scoped apps' REST API: the health check Kibana calls before every import-set write,
// and the SecOps app's observables endpoints. A scripted REST API that is not installed answers
// like any unknown URI: 400 "Requested URI does not represent any resource".
import { hasRole } from './auth.js';
import { newSysId } from './clock-ids.js';
import type { ElasticScope, SimContext, SimRequest } from './context.js';
import { badRequestBody, recordNotFound, SnError, type SimResponse } from './responses.js';

export const APP_VERSION = '1.0.0';

export function unknownResource(): SnError {
  return new SnError(400, 'Requested URI does not represent any resource', null);
}

function appRole(scope: ElasticScope): string {
  return `${scope}.integration_user`;
}

/** GET /api/{scope}/elastic_api/{rest}; rest is "health" or "incident/{sys_id}/observables[/bulk]". */
export function handleElasticApi(
  ctx: SimContext,
  req: SimRequest,
  scope: ElasticScope,
  rest: string[],
): SimResponse {
  if (ctx.state.apps[scope] !== 'installed') throw unknownResource();
  if (!req.user || !hasRole(req.user, [appRole(scope)])) {
    throw new SnError(403, 'User Not Authorized', `Role ${appRole(scope)} is required`);
  }
  if (rest.length === 1 && rest[0] === 'health' && req.method === 'GET') {
    return { status: 200, json: { result: { name: 'Elastic', scope, version: APP_VERSION } } };
  }
  const [kind, sysId, leaf, bulk] = rest;
  if (
    scope === 'x_elas2_sir_int' &&
    kind === 'incident' &&
    sysId &&
    leaf === 'observables' &&
    req.method === 'POST'
  ) {
    if (!ctx.db.get('sn_si_incident', sysId)) throw recordNotFound();
    return addObservables(ctx, req, sysId, bulk === 'bulk');
  }
  throw unknownResource();
}

function addObservables(ctx: SimContext, req: SimRequest, incidentId: string, bulk: boolean): SimResponse {
  const body = req.json();
  const items = bulk ? body : [body];
  if (!Array.isArray(items)) throw badRequestBody('Expected a JSON array of observables');
  const list = ctx.state.observables.get(incidentId) ?? [];
  ctx.state.observables.set(incidentId, list);
  const result = items.map((item: unknown) => {
    const { value, type } = (item ?? {}) as { value?: unknown; type?: unknown };
    if (typeof value !== 'string' || typeof type !== 'string')
      throw badRequestBody('Observable needs value and type');
    let entry = list.find((o) => o.value === value && o.type === type);
    if (!entry) list.push((entry = { value, type, observable_sys_id: newSysId() }));
    return { value: entry.value, observable_sys_id: entry.observable_sys_id };
  });
  return { status: 200, json: { result: bulk ? result : result[0] } };
}
