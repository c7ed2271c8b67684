import type { PreconfiguredConnectorConfig } from '../config/schema.js';
import type { ConnectorRow } from '../store/repos/connectors-repo.js';
import type { ConnectorTypeRegistry } from '../connectors/registry.js';

/** A connector as the service sees it: stored or preconfigured, secrets still sealed or absent. */
export interface ConnectorRecord {
  id: string;
  name: string;
  typeId: string;
  config: Record<string, unknown>;
  isPreconfigured: boolean;
  exposeConfig: boolean;
  isMissingSecrets: boolean;
  /** Stored connectors: the encrypted envelope. Preconfigured: plaintext secrets from config. */
  sealedSecrets?: string;
  plainSecrets?: Record<string, unknown>;
}

export function recordFromRow(row: ConnectorRow): ConnectorRecord {
  return {
    id: row.id,
    name: row.name,
    typeId: row.type_id,
    config: JSON.parse(row.config) as Record<string, unknown>,
    isPreconfigured: false,
    exposeConfig: true,
    isMissingSecrets: row.is_missing_secrets === 1,
    sealedSecrets: row.secrets,
  };
}

export function recordFromPreconfigured(id: string, entry: PreconfiguredConnectorConfig): ConnectorRecord {
  return {
    id,
    name: entry.name,
    typeId: entry.actionTypeId,
    config: entry.config ?? {},
    isPreconfigured: true,
    exposeConfig: entry.exposeConfig ?? false,
    isMissingSecrets: false,
    plainSecrets: entry.secrets ?? {},
  };
}

/** The public, snake_case connector object of Kibana's API (§2.2). Secrets never appear. */
export interface ConnectorResponse {
  id: string;
  name: string;
  connector_type_id: string;
  config?: Record<string, unknown>;
  is_preconfigured: boolean;
  is_deprecated: boolean;
  is_missing_secrets?: boolean;
  is_system_action: boolean;
  is_connector_type_deprecated: boolean;
  referenced_by_count?: number;
}

export function toConnectorResponse(
  record: ConnectorRecord,
  registry: ConnectorTypeRegistry,
  referencedByCount?: number,
): ConnectorResponse {
  const type = registry.get(record.typeId);
  const response: ConnectorResponse = {
    id: record.id,
    name: record.name,
    connector_type_id: record.typeId,
    is_preconfigured: record.isPreconfigured,
    is_deprecated: type?.isDeprecated?.(record.config) ?? false,
    is_system_action: false,
    is_connector_type_deprecated: false,
  };
  if (!record.isPreconfigured || record.exposeConfig) response.config = record.config;
  if (!record.isPreconfigured) response.is_missing_secrets = record.isMissingSecrets;
  if (referencedByCount !== undefined) response.referenced_by_count = referencedByCount;
  return response;
}
