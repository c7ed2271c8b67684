import type { ExecutionContext, ExecutorResult } from '../contract.js';
import { ServiceNowClient } from './client.js';
import { failureResult, operation, ServiceNowError, WRONG_CONFIGURATION } from './errors.js';
import type { IncidentService } from './incidents.js';
import type { ServiceNowConfigType, ServiceNowSecretsType } from './schema.js';
import { hasUsableCredentials } from './validation.js';

type Ctx = ExecutionContext<ServiceNowConfigType, ServiceNowSecretsType>;

export const MAX_ADDITIONAL_FIELDS = 20;
const COMMON_ATTRIBUTES = [
  'short_description',
  'description',
  'externalId',
  'category',
  'subcategory',
  'correlation_id',
  'correlation_display',
  'additional_fields',
];

/**
 * Kibana's additional_fields rules (§3.1): an object or a JSON string, at most 20 keys, none of
 * the common attribute names. Returns the parsed object (or null).
 */
export function checkAdditionalFields(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  let parsed: unknown = value;
  if (typeof value === 'string') parsed = JSON.parse(value) as unknown;
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('additional_fields must be an object or a JSON object string.');
  const keys = Object.keys(parsed);
  if (keys.length > MAX_ADDITIONAL_FIELDS)
    throw new Error(
      `A maximum of ${MAX_ADDITIONAL_FIELDS} fields in additional_fields can be defined at a time.`,
    );
  const denied = keys.filter((key) => COMMON_ATTRIBUTES.includes(key));
  if (denied.length > 0)
    throw new Error(
      `The following properties cannot be defined inside additional_fields: ${denied.join(', ')}.`,
    );
  return parsed as Record<string, unknown>;
}

/**
 * Runs one sub-action with a fresh client: Kibana's "Wrong configuration" guard first, then the
 * handler; failures become Kibana's error result with our retry decision.
 */
export async function runSubAction(
  ctx: Ctx,
  handler: (client: ServiceNowClient) => Promise<unknown>,
): Promise<ExecutorResult> {
  try {
    if (!hasUsableCredentials(ctx.config, ctx.secrets)) throw new ServiceNowError(WRONG_CONFIGURATION);
    const data = await handler(new ServiceNowClient(ctx));
    return { status: 'ok', data: data ?? {} };
  } catch (error) {
    if (!(error instanceof ServiceNowError)) ctx.logger.error({ err: error }, 'ServiceNow sub-action failed');
    return failureResult(error);
  }
}

export interface HandshakeStep {
  step: 'token' | 'app check' | 'table access' | 'role';
  ok: boolean;
  detail: string;
}

/**
 * Proves the connector works, step by step, and says which step failed: the OAuth token, the
 * Elastic app (import-set mode), reading the target table, and reading choice lists (the
 * `personalize_choices` role Kibana's UI needs).
 */
export async function handshake(
  client: ServiceNowClient,
  service: IncidentService | null,
  probe: { table: string; choiceField: string; extra?: (steps: HandshakeStep[]) => Promise<void> },
): Promise<{ authMode: string; mode: string; steps: HandshakeStep[] }> {
  const steps: HandshakeStep[] = [];
  const run = async (step: HandshakeStep['step'], detail: string, work: () => Promise<unknown>) => {
    try {
      await work();
      steps.push({ step, ok: true, detail });
    } catch (error) {
      throw new ServiceNowError(
        `handshake failed at step "${step}" (${detail}): ${(error as Error).message}`,
        {
          ...(error instanceof ServiceNowError && error.status !== undefined && { status: error.status }),
          retry: error instanceof ServiceNowError ? error.retry : false,
        },
      );
    }
  };
  if (client.auth.renewable) {
    await run(
      'token',
      `OAuth ${client.authMode.replace('oauth_', '')} grant at /oauth_token.do`,
      async () => {
        await client.auth.invalidate();
        await operation(
          'Unable to get an access token',
          { method: 'post', endpoint: 'token' },
          client.authMode,
          () => client.auth.header(),
        );
      },
    );
  }
  const importMode = service?.setup.useImportApi ?? false;
  if (service && importMode)
    await run('app check', `Elastic app ${service.setup.appScope} health`, () => service.checkApp());
  await run('table access', `read ${probe.table}`, async () => {
    await operation(
      `Unable to read table ${probe.table}`,
      { method: 'get', endpoint: 'table' },
      client.authMode,
      () =>
        client.call({
          method: 'get',
          endpoint: 'table',
          path: `/api/now/v2/table/${probe.table}`,
          query: { sysparm_limit: '1', sysparm_fields: 'sys_id' },
        }),
    );
  });
  await run('role', `read the ${probe.choiceField} choice list (personalize_choices)`, async () => {
    await operation('Unable to get choices', { method: 'get', endpoint: 'table' }, client.authMode, () =>
      client.call({
        method: 'get',
        endpoint: 'table',
        path: '/api/now/table/sys_choice',
        query: {
          sysparm_query: `name=task^ORname=${probe.table}^element=${probe.choiceField}^language=en`,
          sysparm_fields: 'value',
          sysparm_limit: '1',
        },
      }),
    );
  });
  await probe.extra?.(steps);
  return { authMode: client.authMode, mode: importMode ? 'import_set' : 'table_api', steps };
}
