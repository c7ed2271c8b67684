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

/** A case. JSON columns hold Kibana's shapes (tags, connector, users…); `version` counts writes. */
export interface CasesTable {
  id: string;
  version: number;
  owner: string;
  title: string;
  description: string;
  tags: string;
  status: string;
  severity: string;
  settings: string;
  connector: string;
  assignees: string;
  category: string | null;
  custom_fields: string;
  external_service: string | null;
  created_at: string;
  created_by: string;
  updated_at: string | null;
  updated_by: string | null;
  closed_at: string | null;
  closed_by: string | null;
  total_comment: number;
  total_alerts: number;
}

/** An attachment of a case; `body` is the request minus `type` and `owner`. */
export interface CaseCommentsTable {
  id: string;
  case_id: string;
  seq: number;
  version: number;
  owner: string;
  type: string;
  body: string;
  created_at: string;
  created_by: string;
  updated_at: string | null;
  updated_by: string | null;
  pushed_at: string | null;
  pushed_by: string | null;
}

/** A case's history in order (`seq`); push decisions compare positions in it. */
export interface CaseUserActionsTable {
  id: string;
  case_id: string;
  seq: number;
  type: string;
  action: string;
  payload: string;
  comment_id: string | null;
  owner: string;
  created_at: string;
  created_by: string;
}

/** Per-owner cases settings: default connector, closure, custom fields, sync mode. */
export interface CaseConfigurationsTable {
  id: string;
  version: number;
  owner: string;
  connector: string;
  closure_type: string;
  custom_fields: string;
  templates: string;
  sync: string;
  created_at: string;
  created_by: string;
  updated_at: string | null;
  updated_by: string | null;
}

// Declaration merging adds the cases tables without touching the interface above.
export interface Database {
  cases: CasesTable;
  case_comments: CaseCommentsTable;
  case_user_actions: CaseUserActionsTable;
  case_configurations: CaseConfigurationsTable;
}
