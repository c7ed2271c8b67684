import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { HttpClient } from './http-types.js';

/**
 * What a connector type's `execute` returns: Kibana's executor result. `retry` tells the
 * delivery queue what to do with an error: `false` is final, `true` retries on the schedule, a
 * `Date` retries exactly then (a rate-limit reset or Retry-After).
 */
export interface ExecutorResult<Data = unknown> {
  status: 'ok' | 'error';
  message?: string;
  serviceMessage?: string;
  data?: Data;
  retry?: boolean | Date;
  errorSource?: 'user' | 'framework';
}

/** Cached OAuth tokens, stored encrypted per connector (see store/repos/tokens-repo.ts). */
export interface TokenStore {
  get(tokenType: string): Promise<{ token: string; expiresAt: Date } | undefined>;
  set(tokenType: string, token: string, expiresAt: Date): Promise<void>;
  /** Drops every cached token of the connector (on a 401, or when its config changes). */
  clear(): Promise<void>;
}

/** Where a run came from; recorded in the event history. */
export type ExecutionSource = 'http_request' | 'queue' | 'case_push' | 'alert' | 'cli';

/** Everything an `execute` call may use, handed over once. */
export interface ExecutionContext<Config, Secrets> {
  connectorId: string;
  connectorName: string;
  config: Config;
  secrets: Secrets;
  http: HttpClient;
  tokens: TokenStore;
  logger: Logger;
  source: ExecutionSource;
  signal?: AbortSignal;
  /**
   * Set for queued runs: the delivery and which attempt this is. A connector that creates
   * objects can use the id as a correlation or idempotency key, so a retry after a crash between
   * the target's answer and our commit finds the first object instead of creating a second.
   */
  delivery?: { id: string; attempt: number };
}

/** Helpers the validation steps get: the allow-list checks from the networking settings. */
export interface ValidationContext {
  ensureUriAllowed(url: string): void;
  ensureHostnameAllowed(hostname: string): void;
}

/**
 * One contract for every connector type. Schemas are TypeBox (JSON Schema), so the types are
 * derived from them, the API validates with them and `connector_types` can publish them.
 *
 * `validate.*` steps run after the schema check and throw an Error whose message is appended to
 * Kibana's prefix (`error validating action type config: <message>`); they may return a
 * normalised value (a trailing slash removed, defaults filled in) that is what gets stored.
 */
export interface ConnectorType<
  ConfigSchema extends TSchema = TSchema,
  SecretsSchema extends TSchema = TSchema,
  ParamsSchema extends TSchema = TSchema,
> {
  id: string;
  name: string;
  minimumLicenseRequired: 'basic' | 'standard' | 'gold' | 'platinum' | 'enterprise' | 'trial';
  supportedFeatureIds: readonly string[];
  schemas: { config: ConfigSchema; secrets: SecretsSchema; params: ParamsSchema };
  validate?: {
    config?(config: Static<ConfigSchema>, ctx: ValidationContext): Static<ConfigSchema> | void;
    secrets?(secrets: Static<SecretsSchema>, ctx: ValidationContext): Static<SecretsSchema> | void;
    connector?(config: Static<ConfigSchema>, secrets: Static<SecretsSchema>): string | null;
    params?(params: Static<ParamsSchema>): Static<ParamsSchema> | void;
  };
  /** Default attempts for queued runs (overridden by `actions.run.*` settings). */
  maxAttempts?: number;
  /** Connector-level deprecation (Kibana: ServiceNow table-API connectors). */
  isDeprecated?(config: Static<ConfigSchema>): boolean;
  /**
   * Params for a harmless run that proves the connector reaches its target with its
   * credentials (`casebridge connectors test`, `POST /api/casebridge/connectors/{id}/_test`).
   * ServiceNow types use their `handshake` sub-action; the webhook sends an empty body.
   */
  testParams?: Record<string, unknown>;
  /** Whether a connector of this type must have secrets (drives `is_missing_secrets`). */
  requiresSecrets?: boolean;
  execute(
    ctx: ExecutionContext<Static<ConfigSchema>, Static<SecretsSchema>>,
    params: Static<ParamsSchema>,
  ): Promise<ExecutorResult>;
}

/** A connector type with its generic parameters erased, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: the registry stores every type behind one interface
export type AnyConnectorType = ConnectorType<any, any, any>;

/**
 * Declares a connector type with its schemas' types inferred, so `execute` sees typed config,
 * secrets and params without casts.
 */
export function defineConnectorType<C extends TSchema, S extends TSchema, P extends TSchema>(
  type: ConnectorType<C, S, P>,
): ConnectorType<C, S, P> {
  return type;
}
