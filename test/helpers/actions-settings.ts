import { loadConfig } from '../../src/config/load-config.js';
import type { ActionsConfig } from '../../src/config/schema.js';

/**
 * The default `actions` settings (as a fresh install has them) with a short response timeout
 * for tests, plus the overrides a test needs.
 */
export function actionsSettings(overrides: Partial<ActionsConfig> = {}): ActionsConfig {
  return { ...loadConfig({ env: {} }).actions, responseTimeout: '10s', ...overrides };
}
