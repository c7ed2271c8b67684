import { randomUUID } from 'node:crypto';
import type { ActionsService } from '../actions/actions-service.js';
import type { RouteDefinitionInput, RoutesConfig } from '../config/routes-schema.js';
import { CasebridgeError } from '../errors.js';
import type { Store } from '../store/db.js';
import { routesRepo, type AlertRouteRow } from '../store/repos/routes-repo.js';
import { compileRoute, type CompiledRoute } from './compiled-route.js';

export interface RouteResponse extends RouteDefinitionInput {
  id: string;
  is_preconfigured: boolean;
  created_at?: string;
  updated_at?: string;
}

/** How long compiled routes are reused: other instances' route edits show up within this. */
const CACHE_MS = 2_000;

/**
 * Alert routes: the config file's (read-only) and the API's, compiled once and cached for the
 * ingest path, which must not read and compile every route for every alert.
 */
export class RoutesService {
  private cache: { routes: CompiledRoute[]; at: number } | undefined;

  constructor(private readonly deps: { store: Store; actions: ActionsService; configured: RoutesConfig }) {}

  private async typeOf(connectorId: string): Promise<string> {
    const record = await this.deps.actions.findRecord(connectorId);
    if (!record) {
      throw new CasebridgeError(
        'CB_ERR_ROUTE_INVALID',
        `connector_id: connector ${connectorId} does not exist; create it first`,
      );
    }
    return record.typeId;
  }

  private async check(
    id: string,
    definition: RouteDefinitionInput,
    preconfigured: boolean,
  ): Promise<CompiledRoute> {
    const compiled = compileRoute(id, definition, await this.typeOf(definition.connector_id), preconfigured);
    if (!compiled.ok)
      throw new CasebridgeError(
        'CB_ERR_ROUTE_INVALID',
        `Route ${id} is invalid: ${compiled.problems.join('; ')}`,
      );
    return compiled.route;
  }

  /** Every enabled route in evaluation order (order, then id); invalid config routes are refused at load. */
  async active(): Promise<CompiledRoute[]> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.routes;
    const routes: CompiledRoute[] = [];
    for (const [id, definition] of Object.entries(this.deps.configured)) {
      if (definition.enabled !== false) routes.push(await this.check(id, definition, true));
    }
    for (const row of await routesRepo.list(this.deps.store.db)) {
      if (row.enabled !== 1) continue;
      const definition = JSON.parse(row.definition) as RouteDefinitionInput;
      const compiled = compileRoute(
        row.id,
        definition,
        await this.typeOf(definition.connector_id).catch(() => ''),
        false,
      );
      // A route whose connector was deleted or changed type since stays stored but cannot run.
      if (compiled.ok) routes.push(compiled.route);
    }
    routes.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.cache = { routes, at: Date.now() };
    return routes;
  }

  private toResponse(row: AlertRouteRow): RouteResponse {
    return {
      id: row.id,
      ...(JSON.parse(row.definition) as RouteDefinitionInput),
      is_preconfigured: false,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  async list(): Promise<RouteResponse[]> {
    const configured = Object.entries(this.deps.configured).map(([id, definition]) => ({
      id,
      ...definition,
      is_preconfigured: true,
    }));
    const stored = (await routesRepo.list(this.deps.store.db)).map((row) => this.toResponse(row));
    return [...configured, ...stored].sort(
      (a, b) => (a.order ?? 0) - (b.order ?? 0) || (a.id < b.id ? -1 : 1),
    );
  }

  async get(id: string): Promise<RouteResponse> {
    const configured = this.deps.configured[id];
    if (configured) return { id, ...configured, is_preconfigured: true };
    const row = await routesRepo.get(this.deps.store.db, id);
    if (!row) throw new CasebridgeError('CB_ERR_NOT_FOUND', `Route ${id} not found`);
    return this.toResponse(row);
  }

  private refuseConfigured(id: string): void {
    if (this.deps.configured[id]) {
      throw new CasebridgeError(
        'CB_ERR_PRECONFIGURED_READONLY',
        `Route ${id} is defined in the config file and cannot be changed through the API`,
      );
    }
  }

  async create(id: string | undefined, definition: RouteDefinitionInput): Promise<RouteResponse> {
    const routeId = id ?? randomUUID();
    this.refuseConfigured(routeId);
    await this.check(routeId, definition, false);
    const now = new Date().toISOString();
    const row: AlertRouteRow = {
      id: routeId,
      name: definition.name,
      position: definition.order ?? 0,
      enabled: definition.enabled === false ? 0 : 1,
      definition: JSON.stringify(definition),
      connector_id: definition.connector_id,
      created_at: now,
      updated_at: now,
    };
    if (await routesRepo.get(this.deps.store.db, routeId))
      throw new CasebridgeError('CB_ERR_CONFLICT', `Route ${routeId} already exists`);
    await routesRepo.insert(this.deps.store.db, row);
    this.cache = undefined;
    return this.toResponse(row);
  }

  async update(id: string, definition: RouteDefinitionInput): Promise<RouteResponse> {
    this.refuseConfigured(id);
    const existing = await routesRepo.get(this.deps.store.db, id);
    if (!existing) throw new CasebridgeError('CB_ERR_NOT_FOUND', `Route ${id} not found`);
    await this.check(id, definition, false);
    const row: AlertRouteRow = {
      ...existing,
      name: definition.name,
      position: definition.order ?? 0,
      enabled: definition.enabled === false ? 0 : 1,
      definition: JSON.stringify(definition),
      connector_id: definition.connector_id,
      updated_at: new Date().toISOString(),
    };
    await routesRepo.update(this.deps.store.db, row);
    this.cache = undefined;
    return this.toResponse(row);
  }

  async remove(id: string): Promise<void> {
    this.refuseConfigured(id);
    if (!(await routesRepo.remove(this.deps.store.db, id)))
      throw new CasebridgeError('CB_ERR_NOT_FOUND', `Route ${id} not found`);
    this.cache = undefined;
  }
}
