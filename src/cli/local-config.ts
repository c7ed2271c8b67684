import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { CliError } from './errors.js';

/** Adds `--config <file>` to a command that reads the configuration of this machine. */
export function withConfigOption(command: Command): Command {
  return command.option(
    '-c, --config <file>',
    'YAML configuration file (env CASEBRIDGE_CONFIG, default ./casebridge.yaml)',
  );
}

export function loadCliConfig(
  flags: { config?: string },
  overrides?: Record<string, unknown>,
): Readonly<Config> {
  try {
    return loadConfig({
      ...(flags.config !== undefined ? { file: flags.config } : {}),
      ...(overrides ? { overrides } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}
