/**
 * Table shapes as Kysely sees them. Both dialects store the same columns: JSON as text,
 * booleans as 0/1 integers and times as ISO-8601 UTC text (which sorts correctly as text), so a
 * repo never needs to know which database it runs on.
 */
export interface ConnectorsTable {
  id: string;
  name: string;
  type_id: string;
  config: string;
  /** AES-256-GCM envelope (see src/secrets); never leaves the store decrypted except to execute. */
  secrets: string;
  is_missing_secrets: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: 'all' | 'read';
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface EventsTable {
  id: string;
  at: string;
  connector_id: string;
  connector_name: string;
  type_id: string;
  sub_action: string | null;
  source: string;
  outcome: 'success' | 'failure';
  message: string;
  error_message: string | null;
  retry: string | null;
  duration_ms: number;
  user_name: string | null;
}

export interface ConnectorTokensTable {
  connector_id: string;
  token_type: string;
  /** Encrypted with the connector id as associated data, like connector secrets. */
  token: string;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  connectors: ConnectorsTable;
  api_keys: ApiKeysTable;
  events: EventsTable;
  connector_tokens: ConnectorTokensTable;
}
