import { existsSync, readFileSync } from 'node:fs';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './schema.js';

/** A configuration problem; `main` prints it and exits with code 2. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid configuration at "${key}": ${reason}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Path of a YAML file; when absent, `CASEBRIDGE_CONFIG` or `./casebridge.yaml` if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (CLI flags such as `--port`). */
  overrides?: Record<string, unknown>;
}

const ENV_PREFIX = 'CASEBRIDGE_';

/**
 * Builds the configuration from, lowest to highest precedence: defaults, the YAML file,
 * `CASEBRIDGE_*` variables, explicit overrides. Nested keys in variables are separated by a double
 * underscore and written in SCREAMING_SNAKE case: `CASEBRIDGE_ACTIONS__ALLOWED_HOSTS='["a.com"]'`
 * sets `actions.allowedHosts`. Values that parse as JSON are taken as JSON, others as strings.
 * `DATABASE_URL` is honoured as well, as most hosting platforms set it.
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const file =
    options.file ?? env.CASEBRIDGE_CONFIG ?? (existsSync('casebridge.yaml') ? 'casebridge.yaml' : undefined);

  let raw: Record<string, unknown> = {};
  if (file !== undefined) raw = readYamlFile(file);
  if (env.DATABASE_URL) deepSet(raw, ['database', 'url'], env.DATABASE_URL);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === 'CASEBRIDGE_CONFIG' || value === undefined) continue;
    const path = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) => camelCase(segment));
    deepSet(raw, path, parseEnvValue(value));
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) deepSet(raw, key.split('.'), value);
  }

  const config = Value.Default(ConfigSchema, Value.Clone(raw)) as unknown;
  const firstError = Value.Errors(ConfigSchema, config).First();
  if (firstError) {
    const key = firstError.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const reason =
      firstError.type === ValueErrorType.ObjectAdditionalProperties
        ? 'unknown setting'
        : firstError.message.toLowerCase();
    throw new ConfigError(key, reason);
  }
  return deepFreeze(resolveEnvReferences(config as Config, env));
}

function readYamlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      '(file)',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError('(file)', `${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError('(file)', `${file} must hold a mapping`);
  return parsed as Record<string, unknown>;
}

/**
 * Preconfigured connectors keep their secrets out of the file: a string `${env:NAME}` anywhere
 * in their config or secrets is replaced by that variable, and a missing variable is an error.
 */
function resolveEnvReferences(config: Config, env: NodeJS.ProcessEnv): Config {
  const resolve = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
        const found = env[name];
        if (found === undefined) throw new ConfigError(key, `environment variable ${name} is not set`);
        return found;
      });
    }
    if (Array.isArray(value)) return value.map((item, index) => resolve(item, `${key}.${index}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${key}.${k}`)]));
    }
    return value;
  };
  const preconfigured = Object.fromEntries(
    Object.entries(config.actions.preconfigured).map(([id, connector]) => {
      if (id === '__proto__' || id === 'constructor') {
        throw new ConfigError(`actions.preconfigured.${id}`, `invalid preconfigured action id "${id}"`);
      }
      return [id, resolve(connector, `actions.preconfigured.${id}`) as typeof connector];
    }),
  );
  return { ...config, actions: { ...config.actions, preconfigured } };
}

function camelCase(screaming: string): string {
  return screaming.toLowerCase().replace(/_([a-z0-9])/g, (_whole, letter: string) => letter.toUpperCase());
}

function parseEnvValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function deepSet(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const [index, segment] of path.entries()) {
    if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') return;
    if (index === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
