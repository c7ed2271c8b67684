import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionsConfig } from '../config/schema.js';
import type { AnyConnectorType } from '../connectors/contract.js';
import type { HttpClient } from '../connectors/http-types.js';
import type { ConnectorTypeRegistry } from '../connectors/registry.js';
import { CasebridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Keyring } from '../secrets/keyring.js';
import type { Store } from '../store/db.js';
import { connectorsRepo } from '../store/repos/connectors-repo.js';
import { tokensRepo } from '../store/repos/tokens-repo.js';
import {
  recordFromPreconfigured,
  recordFromRow,
  toConnectorResponse,
  type ConnectorRecord,
  type ConnectorResponse,
} from './connector-record.js';
import { validateConnector } from './connector-validation.js';
import { EventLog } from './event-log.js';

export interface ActionsServiceDeps {
  store: Store;
  registry: ConnectorTypeRegistry;
  settings: ActionsConfig;
  keyring: Keyring;
  http: HttpClient;
  logger: Logger;
  metrics: Metrics;
}

export interface ConnectorInput {
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/** Public connector-type entry of `GET /api/actions/connector_types`. */
export interface ConnectorTypeResponse {
  id: string;
  name: string;
  enabled: boolean;
  enabled_in_config: boolean;
  enabled_in_license: boolean;
  minimum_license_required: string;
  supported_feature_ids: string[];
  is_system_action_type: boolean;
  is_deprecated: boolean;
  source: 'stack';
}

const notFound = (id: string) =>
  new CasebridgeError('CB_ERR_NOT_FOUND', `Saved object [action/${id}] not found`);

/**
 * Connector CRUD with Kibana's processing order and messages (actions-framework.md §2.4–§2.8).
 * The order matters: it decides which error a client sees when several apply.
 */
export class ActionsService {
  /** The execution history, written behind (see event-log.ts). */
  readonly events: EventLog;

  constructor(readonly deps: ActionsServiceDeps) {
    this.events = new EventLog(deps.store.db, deps.logger);
  }

  isTypeEnabledInConfig(typeId: string): boolean {
    const enabled = this.deps.settings.enabledActionTypes;
    return enabled.includes('*') || enabled.includes(typeId);
  }

  listTypes(featureId?: string): ConnectorTypeResponse[] {
    return this.deps.registry
      .list()
      .filter((type) => featureId === undefined || type.supportedFeatureIds.includes(featureId))
      .map((type) => {
        const inConfig = this.isTypeEnabledInConfig(type.id);
        return {
          id: type.id,
          name: type.name,
          enabled: inConfig,
          enabled_in_config: inConfig,
          // casebridge has no licence tiers; every type is available.
          enabled_in_license: true,
          minimum_license_required: type.minimumLicenseRequired,
          supported_feature_ids: [...type.supportedFeatureIds],
          is_system_action_type: false,
          is_deprecated: false,
          source: 'stack',
        };
      });
  }

  requireType(typeId: string): AnyConnectorType {
    const type = this.deps.registry.get(typeId);
    if (!type)
      throw new CasebridgeError(
        'CB_ERR_CONNECTOR_TYPE_NOT_REGISTERED',
        `Action type "${typeId}" is not registered.`,
      );
    return type;
  }

  ensureTypeEnabled(typeId: string): void {
    if (!this.isTypeEnabledInConfig(typeId)) {
      throw new CasebridgeError(
        'CB_ERR_CONNECTOR_TYPE_DISABLED',
        `action type "${typeId}" is not enabled in the Kibana config xpack.actions.enabledActionTypes`,
      );
    }
  }

  preconfigured(id: string): ConnectorRecord | undefined {
    const entry = Object.hasOwn(this.deps.settings.preconfigured, id)
      ? this.deps.settings.preconfigured[id]
      : undefined;
    return entry ? recordFromPreconfigured(id, entry) : undefined;
  }

  /** A connector by id, preconfigured first (as Kibana resolves in-memory connectors first). */
  async findRecord(id: string): Promise<ConnectorRecord | undefined> {
    const pre = this.preconfigured(id);
    if (pre) return pre;
    const row = await connectorsRepo.get(this.deps.store.db, id);
    return row ? recordFromRow(row) : undefined;
  }

  async get(id: string): Promise<ConnectorResponse> {
    const record = await this.findRecord(id);
    if (!record) throw notFound(id);
    return toConnectorResponse(record, this.deps.registry);
  }

  /** Stored connectors then preconfigured ones, sorted by name like Kibana (ties keep that order). */
  async list(): Promise<ConnectorResponse[]> {
    const rows = await connectorsRepo.list(this.deps.store.db);
    const records = [
      ...rows.map(recordFromRow),
      ...Object.entries(this.deps.settings.preconfigured).map(([id, entry]) =>
        recordFromPreconfigured(id, entry),
      ),
    ];
    return records
      .map((record) => toConnectorResponse(record, this.deps.registry, 0))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async create(id: string | undefined, typeId: string, input: ConnectorInput): Promise<ConnectorResponse> {
    const connectorId = id ?? randomUUID();
    if (this.preconfigured(connectorId)) {
      throw new CasebridgeError(
        'CB_ERR_PRECONFIGURED_READONLY',
        `This ${connectorId} already exists in a preconfigured action.`,
      );
    }
    const type = this.requireType(typeId);
    const valid = validateConnector(type, input.config, input.secrets, this.deps.http);
    this.ensureTypeEnabled(typeId);
    const now = new Date().toISOString();
    const outcome = await connectorsRepo.insert(this.deps.store.db, {
      id: connectorId,
      name: input.name,
      type_id: typeId,
      config: JSON.stringify(valid.config),
      secrets: this.deps.keyring.encrypt(JSON.stringify(valid.secrets), connectorId),
      is_missing_secrets: 0,
      created_at: now,
      updated_at: now,
    });
    if (outcome === 'conflict') {
      throw new CasebridgeError('CB_ERR_CONFLICT', `Saved object [action/${connectorId}] conflict`);
    }
    this.deps.logger.info({ connectorId, typeId }, 'connector created');
    return this.get(connectorId);
  }

  async update(id: string, input: ConnectorInput): Promise<ConnectorResponse> {
    if (this.preconfigured(id)) {
      throw new CasebridgeError(
        'CB_ERR_PRECONFIGURED_READONLY',
        `Preconfigured action ${id} can not be updated.`,
      );
    }
    const { db } = this.deps.store;
    const row = await connectorsRepo.get(db, id);
    if (!row) throw notFound(id);
    const type = this.requireType(row.type_id);
    const valid = validateConnector(type, input.config, input.secrets, this.deps.http);
    this.ensureTypeEnabled(row.type_id);
    await db.transaction().execute(async (trx) => {
      await connectorsRepo.update(trx, id, {
        name: input.name,
        config: JSON.stringify(valid.config),
        secrets: this.deps.keyring.encrypt(JSON.stringify(valid.secrets), id),
        is_missing_secrets: 0,
        updated_at: new Date().toISOString(),
      });
      // New credentials or a new token URL make any cached token suspect.
      await trx.deleteFrom('connector_tokens').where('connector_id', '=', id).execute();
    });
    this.deps.logger.info({ connectorId: id }, 'connector updated');
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const { db } = this.deps.store;
    const row = await connectorsRepo.get(db, id);
    if (!row) {
      if (this.preconfigured(id)) {
        throw new CasebridgeError(
          'CB_ERR_PRECONFIGURED_READONLY',
          `Preconfigured action ${id} is not allowed to delete.`,
        );
      }
      throw notFound(id);
    }
    await tokensRepo.clear(db, id);
    await connectorsRepo.delete(db, id);
    this.deps.logger.info({ connectorId: id }, 'connector deleted');
  }
}
