import { randomUUID } from 'node:crypto';
import { caseErrors } from '../domain/cases/case-errors.js';
import { mappingsFor } from '../domain/cases/mappings.js';
import type {
  CaseConnector,
  CaseUser,
  ClosureType,
  ConfigurationRecord,
  SyncMode,
} from '../domain/cases/types.js';
import { checkArrayLength, checkConnector } from '../domain/cases/validate-case.js';
import { decodeVersion } from '../domain/cases/version.js';
import { CasebridgeError } from '../errors.js';
import { caseConfigureRepo, configurationFromRow } from '../store/repos/cases-configure-repo.js';
import type { CasesDeps } from './cases-deps.js';
import { requireOwner } from './cases-service.js';

export interface ConfigurationInput {
  connector?: CaseConnector;
  closure_type?: ClosureType;
  customFields?: Array<Record<string, unknown>>;
  templates?: Array<Record<string, unknown>>;
  sync?: SyncMode;
}

/** Kibana's configuration object plus casebridge's `sync`; mappings come from the connector type. */
export function configurationResponse(record: ConfigurationRecord) {
  return {
    ...record,
    observableTypes: [],
    mappings: mappingsFor(record.connector.type),
    error: null,
  };
}

function checkCustomFieldDefinitions(fields: Array<Record<string, unknown>>): void {
  checkArrayLength('customFields', fields, 10);
  const keys = fields.map((field) => String(field.key));
  const duplicated = keys.filter((key, index) => keys.indexOf(key) !== index);
  if (duplicated.length > 0) {
    throw caseErrors.invalid(
      `Invalid duplicated customFields keys in request: ${[...new Set(duplicated)].join(',')}`,
    );
  }
}

/** Per-owner settings (§2): default connector, closure on push, custom fields and sync mode. */
export class ConfigureService {
  constructor(private readonly deps: CasesDeps) {}

  async list(owners: string[]) {
    return (await caseConfigureRepo.list(this.deps.store.db, owners)).map((row) =>
      configurationResponse(configurationFromRow(row)),
    );
  }

  /** The configuration that governs a case of this owner (closure, sync), if any. */
  async forOwner(owner: string): Promise<ConfigurationRecord | undefined> {
    const [row] = await caseConfigureRepo.list(this.deps.store.db, [owner]);
    return row ? configurationFromRow(row) : undefined;
  }

  /** Create is an upsert per owner, as in Kibana: the owner's previous configuration is replaced. */
  async create(input: ConfigurationInput & { owner: string }, by: CaseUser) {
    const connector = checkConnector(input.connector as CaseConnector);
    checkCustomFieldDefinitions(input.customFields ?? []);
    requireOwner(input.owner, 'create case configuration');
    const id = randomUUID();
    await this.deps.store.db.transaction().execute((trx) =>
      caseConfigureRepo.replaceForOwner(trx, {
        id,
        version: 1,
        owner: input.owner,
        connector: JSON.stringify(connector),
        closure_type: input.closure_type ?? 'close-by-user',
        custom_fields: JSON.stringify(input.customFields ?? []),
        templates: JSON.stringify(input.templates ?? []),
        sync: input.sync ?? 'manual',
        created_at: new Date().toISOString(),
        created_by: JSON.stringify(by),
        updated_at: null,
        updated_by: null,
      }),
    );
    return this.get(id);
  }

  async get(id: string) {
    const row = await caseConfigureRepo.get(this.deps.store.db, id);
    if (!row) {
      throw new CasebridgeError(
        'CB_ERR_CASE_CONFIGURATION_NOT_FOUND',
        `Saved object [cases-configure/${id}] not found`,
      );
    }
    return configurationResponse(configurationFromRow(row));
  }

  async update(id: string, version: string, input: ConfigurationInput, by: CaseUser) {
    if (input.connector !== undefined) checkConnector(input.connector);
    if (input.customFields !== undefined) checkCustomFieldDefinitions(input.customFields);
    const current = await caseConfigureRepo.get(this.deps.store.db, id);
    if (!current) await this.get(id);
    const expected = decodeVersion(version);
    const written =
      current !== undefined &&
      expected === current.version &&
      (await caseConfigureRepo.update(this.deps.store.db, id, current.version, {
        ...(input.connector !== undefined ? { connector: JSON.stringify(input.connector) } : {}),
        ...(input.closure_type !== undefined ? { closure_type: input.closure_type } : {}),
        ...(input.customFields !== undefined ? { custom_fields: JSON.stringify(input.customFields) } : {}),
        ...(input.templates !== undefined ? { templates: JSON.stringify(input.templates) } : {}),
        ...(input.sync !== undefined ? { sync: input.sync } : {}),
        updated_at: new Date().toISOString(),
        updated_by: JSON.stringify(by),
      }));
    if (!written) throw caseErrors.configurationStale();
    return this.get(id);
  }

  /** Connectors whose type can receive cases (`supportedFeatureIds` has `cases`), in Kibana's camelCase shape. */
  async connectors() {
    const { registry } = this.deps.actions.deps;
    const all = await this.deps.actions.list();
    return all
      .filter((connector) => registry.get(connector.connector_type_id)?.supportedFeatureIds.includes('cases'))
      .map((connector) => ({
        id: connector.id,
        actionTypeId: connector.connector_type_id,
        name: connector.name,
        ...(connector.config !== undefined ? { config: connector.config } : {}),
        isPreconfigured: connector.is_preconfigured,
        isSystemAction: connector.is_system_action,
        isDeprecated: connector.is_deprecated,
        ...(connector.is_missing_secrets !== undefined
          ? { isMissingSecrets: connector.is_missing_secrets }
          : {}),
        referencedByCount: connector.referenced_by_count ?? 0,
      }));
  }
}
