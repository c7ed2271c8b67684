// Maps an authenticated API request to its handler. Paths follow the platform:
//   /api/now[/v1|/v2]/table/{table}[/{sys_id}]   Table API
//   /api/now/stats/{table}                       aggregate count
//   /api/now/import/{staging_table}[/insertMultiple]
//   /api/global/em/jsonv2                        Event Management bulk endpoint
//   /api/{x_elas2_*}/elastic_api/...             Elastic apps' scripted REST API
import type { SimContext, SimRequest } from './context.js';
import { handleElasticApi, unknownResource } from './elastic-app.js';
import { handleEvents } from './event-management.js';
import { handleImport } from './import-set.js';
import type { ApiResource } from './rate-limit.js';
import type { SimResponse } from './responses.js';
import { handleStats, handleTable } from './table-api.js';

export interface Route {
  resource: ApiResource;
  run: (ctx: SimContext, req: SimRequest) => SimResponse;
}

const cache = new Map<string, Route | undefined>();

/** The handler for an /api/ path, or undefined when no API lives there (memoised: paths repeat). */
export function route(path: string): Route | undefined {
  if (cache.has(path)) return cache.get(path);
  if (cache.size > 1000) cache.clear();
  const found = parseRoute(path);
  cache.set(path, found);
  return found;
}

function parseRoute(path: string): Route | undefined {
  const s = path.split('/').map(safeDecode);
  // s[0] is "" (leading slash), s[1] is "api".
  if (s[1] !== 'api') return undefined;
  if (s[2] === 'now') {
    const versioned = s[3] === 'v1' || s[3] === 'v2';
    const at = versioned ? 4 : 3;
    const kind = s[at];
    const name = s[at + 1];
    const extra = s[at + 2];
    if (kind === 'table' && name && s.length <= at + 3) {
      return { resource: 'table', run: (ctx, req) => handleTable(ctx, req, name, extra || undefined) };
    }
    if (kind === 'stats' && name && !versioned && s.length === at + 2) {
      return { resource: 'table', run: (ctx, req) => handleStats(ctx, req, name) };
    }
    if (kind === 'import' && name && !versioned && s.length <= at + 3) {
      return { resource: 'import', run: (ctx, req) => handleImport(ctx, req, name, extra || undefined) };
    }
    return undefined;
  }
  if (s[2] === 'global' && s[3] === 'em' && s[4] === 'jsonv2' && s.length === 5) {
    return { resource: 'event', run: handleEvents };
  }
  const scope = s[2];
  if ((scope === 'x_elas2_inc_int' || scope === 'x_elas2_sir_int') && s[3] === 'elastic_api') {
    const rest = s.slice(4);
    return { resource: 'other', run: (ctx, req) => handleElasticApi(ctx, req, scope, rest) };
  }
  return undefined;
}

export function unknownApi(): Route {
  return {
    resource: 'other',
    run: () => {
      throw unknownResource();
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
