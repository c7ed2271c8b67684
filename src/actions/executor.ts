import { randomUUID } from 'node:crypto';
import type { ExecutionSource, ExecutorResult } from '../connectors/contract.js';
import { CasebridgeError } from '../errors.js';
import type { ActionsService } from './actions-service.js';
import type { ConnectorRecord } from './connector-record.js';
import { validateConnector, validateParams } from './connector-validation.js';
import { OpenedConnectors, type OpenedConnector } from './opened-connectors.js';
import { createTokenStore } from './token-store.js';

export interface ExecuteOptions {
  source: ExecutionSource;
  /** Who asked (API key name or user); recorded in the event history. */
  user?: string;
  signal?: AbortSignal;
  /**
   * Queued runs treat invalid params as retryable (the connector may be fixed meanwhile), as
   * Kibana does; immediate runs do not.
   */
  queued?: boolean;
  /** The connector, when the caller has already looked it up (saves a read). */
  record?: ConnectorRecord;
  /** The delivery being run, handed to the connector (see ExecutionContext.delivery). */
  delivery?: { id: string; attempt: number };
}

/** The result plus the connector id, as `_execute` returns it. */
export type ExecutionOutcome = ExecutorResult & { connectorId: string };

/**
 * Runs one connector once: resolve, check, validate, decrypt, execute, record. Never throws for
 * a problem of the run itself (that is an `error` result); only for a missing connector, an
 * unknown or disabled type, which the API answers with 404/400/403 as Kibana does.
 */
export async function executeConnector(
  service: ActionsService,
  connectorId: string,
  params: Record<string, unknown>,
  options: ExecuteOptions,
): Promise<ExecutionOutcome> {
  const { deps } = service;
  const record = options.record ?? (await service.findRecord(connectorId));
  if (!record)
    throw new CasebridgeError('CB_ERR_NOT_FOUND', `Saved object [action/${connectorId}] not found`);
  const type = service.requireType(record.typeId);
  if (!record.isPreconfigured) service.ensureTypeEnabled(record.typeId);

  const checked = validateParams(type, params);
  if (!checked.ok) {
    return {
      connectorId,
      status: 'error',
      message: checked.message,
      retry: options.queued === true,
      errorSource: 'user',
    };
  }

  let opened: OpenedConnector;
  try {
    opened = openedFor(service).get(record, () => {
      const secrets = openSecrets(service, record);
      const valid = validateConnector(type, record.config, secrets, deps.http);
      const logger = deps.logger.child({ connector: type.id.replace(/^\./, ''), connectorId });
      return { secrets, valid, logger };
    });
  } catch (error) {
    if (!(error instanceof UnreadableSecrets)) {
      return {
        connectorId,
        status: 'error',
        message: (error as Error).message,
        retry: options.queued === true,
        errorSource: 'framework',
      };
    }
    const result: ExecutorResult = {
      status: 'error',
      message: `${error.message}; enter the connector's secrets again (PUT /api/actions/connector/${connectorId})`,
      retry: false,
      errorSource: 'framework',
    };
    recordExecution(service, record, undefined, result, 0, options);
    return { connectorId, ...result };
  }
  const { secrets, valid } = opened;

  const subAction = typeof params.subAction === 'string' ? params.subAction : undefined;
  const started = performance.now();
  let result: ExecutorResult;
  try {
    const returned = await type.execute(
      {
        connectorId,
        connectorName: record.name,
        config: valid.config,
        secrets: valid.secrets,
        http: deps.http,
        tokens: createTokenStore(deps.store.db, deps.keyring, connectorId),
        logger: opened.logger,
        source: options.source,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.delivery ? { delivery: options.delivery } : {}),
      },
      checked.params,
    );
    result = returned ?? { status: 'ok' };
  } catch (error) {
    result = {
      status: 'error',
      message: 'an error occurred while running the action',
      serviceMessage: (error as Error).message,
      retry: true,
      errorSource: 'framework',
    };
  }
  const durationMs = performance.now() - started;
  result = scrubSecrets(result, secrets);
  recordExecution(service, record, subAction, result, durationMs, options);
  return { connectorId, ...result };
}

/** Opened connectors per service (tests build many apps in one process). */
const openedByService = new WeakMap<ActionsService, OpenedConnectors>();

function openedFor(service: ActionsService): OpenedConnectors {
  let opened = openedByService.get(service);
  if (opened === undefined) {
    opened = new OpenedConnectors();
    openedByService.set(service, opened);
  }
  return opened;
}

/** Secrets that cannot be decrypted (lost key, damaged envelope): the user must enter them again. */
class UnreadableSecrets extends Error {}

function openSecrets(service: ActionsService, record: ConnectorRecord): Record<string, unknown> {
  if (record.plainSecrets) return record.plainSecrets;
  if (record.sealedSecrets === undefined) return {};
  try {
    return JSON.parse(service.deps.keyring.decrypt(record.sealedSecrets, record.id)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new UnreadableSecrets((error as Error).message);
  }
}

/**
 * Last line of defence: a secret value that reached a message (a target echoing our request, a
 * library quoting a header) is masked before it is returned, logged or recorded.
 */
function scrubSecrets(result: ExecutorResult, secrets: Record<string, unknown>): ExecutorResult {
  const values: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 4) values.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(secrets);
  if (values.length === 0) return result;
  const mask = (text: string | undefined): string | undefined =>
    text === undefined
      ? undefined
      : values.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
  const scrubbed: ExecutorResult = { ...result };
  const message = mask(result.message);
  const serviceMessage = mask(result.serviceMessage);
  if (message !== undefined) scrubbed.message = message;
  if (serviceMessage !== undefined) scrubbed.serviceMessage = serviceMessage;
  return scrubbed;
}

function recordExecution(
  service: ActionsService,
  record: ConnectorRecord,
  subAction: string | undefined,
  result: ExecutorResult,
  durationMs: number,
  options: ExecuteOptions,
): void {
  const { deps } = service;
  const outcome = result.status === 'ok' ? 'success' : 'failure';
  const label = `${record.typeId}:${record.id}: ${record.name}`;
  const retry =
    result.retry instanceof Date
      ? result.retry.toISOString()
      : result.retry === undefined
        ? null
        : String(result.retry);
  let errorMessage: string | null = null;
  if (outcome === 'failure') {
    errorMessage = result.message ?? 'unknown error running action';
    if (result.serviceMessage) errorMessage += `: ${result.serviceMessage}`;
    if (result.retry instanceof Date) errorMessage += `; retry at ${result.retry.toISOString()}`;
    else if (result.retry) errorMessage += `; retry: ${JSON.stringify(result.retry)}`;
  }
  deps.metrics.executions.inc({ type: record.typeId, outcome });
  const logFields = {
    connectorId: record.id,
    typeId: record.typeId,
    subAction,
    outcome,
    durationMs: Math.round(durationMs),
  };
  if (outcome === 'success') deps.logger.info(logFields, `action executed: ${label}`);
  else deps.logger.warn({ ...logFields, error: errorMessage }, `action execution failure: ${label}`);
  service.events.record({
    id: randomUUID(),
    at: new Date().toISOString(),
    connector_id: record.id,
    connector_name: record.name,
    type_id: record.typeId,
    sub_action: subAction ?? null,
    source: options.source,
    outcome,
    message: outcome === 'success' ? `action executed: ${label}` : `action execution failure: ${label}`,
    error_message: errorMessage,
    retry,
    duration_ms: Math.round(durationMs),
    user_name: options.user ?? null,
  });
}
