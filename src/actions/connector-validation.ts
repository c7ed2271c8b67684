import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AnyConnectorType, ValidationContext } from '../connectors/contract.js';
import { describeSchemaErrors } from '../connectors/schema-errors.js';
import { CasebridgeError, type ErrorCode } from '../errors.js';

/**
 * Validates config, secrets and the pair against a connector type, in Kibana's order, and
 * returns the values to store (schema defaults applied, normalised by the type's own steps).
 * Failures carry Kibana 8.x's texts: `error validating action type config: <detail>`.
 */
export function validateConnector(
  type: AnyConnectorType,
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
  ctx: ValidationContext,
): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const validConfig = checkSchema(type.schemas.config, config, 'config', 'CB_ERR_CONNECTOR_CONFIG_INVALID');
  const finalConfig =
    runStep('config', 'CB_ERR_CONNECTOR_CONFIG_INVALID', () => type.validate?.config?.(validConfig, ctx)) ??
    validConfig;
  const validSecrets = checkSchema(
    type.schemas.secrets,
    secrets,
    'secrets',
    'CB_ERR_CONNECTOR_SECRETS_INVALID',
  );
  const finalSecrets =
    runStep('secrets', 'CB_ERR_CONNECTOR_SECRETS_INVALID', () =>
      type.validate?.secrets?.(validSecrets, ctx),
    ) ?? validSecrets;
  const pairProblem = type.validate?.connector?.(finalConfig, finalSecrets);
  if (pairProblem) {
    throw new CasebridgeError(
      'CB_ERR_CONNECTOR_INVALID',
      `error validating action type connector: ${pairProblem}`,
    );
  }
  return { config: finalConfig as Record<string, unknown>, secrets: finalSecrets as Record<string, unknown> };
}

/** Validates execute params; returns the error detail, or the params with defaults applied. */
export function validateParams(
  type: AnyConnectorType,
  params: Record<string, unknown>,
): { ok: true; params: unknown } | { ok: false; message: string } {
  const withDefaults = Value.Default(type.schemas.params, Value.Clone(params));
  const problem = describeSchemaErrors(type.schemas.params, withDefaults);
  if (problem !== null) return { ok: false, message: `error validating action params: ${problem}` };
  try {
    return { ok: true, params: type.validate?.params?.(withDefaults) ?? withDefaults };
  } catch (error) {
    return { ok: false, message: `error validating action params: ${(error as Error).message}` };
  }
}

function checkSchema(schema: TSchema, value: unknown, what: string, code: ErrorCode): unknown {
  const withDefaults = Value.Default(schema, Value.Clone(value));
  const problem = describeSchemaErrors(schema, withDefaults);
  if (problem !== null) throw new CasebridgeError(code, `error validating action type ${what}: ${problem}`);
  return withDefaults;
}

function runStep<T>(what: string, code: ErrorCode, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof CasebridgeError) throw error;
    throw new CasebridgeError(code, `error validating action type ${what}: ${(error as Error).message}`);
  }
}

/** Kibana refuses blank strings anywhere in config or secrets, naming the top-level key. */
export function findBlankString(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.some(findBlankString);
  if (value !== null && typeof value === 'object') return Object.values(value).some(findBlankString);
  return false;
}
