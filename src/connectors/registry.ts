import type { AnyConnectorType } from './contract.js';

/** Feature ids Kibana accepts for `supportedFeatureIds`. */
const knownFeatureIds = new Set([
  'alerting',
  'cases',
  'uptime',
  'siem',
  'generativeAIForSecurity',
  'generativeAIForObservability',
  'generativeAIForSearchPlayground',
  'endpointSecurity',
  'workflows',
]);

/** Holds the connector types this process knows, in registration order. */
export class ConnectorTypeRegistry {
  readonly #types = new Map<string, AnyConnectorType>();

  register(type: AnyConnectorType): void {
    if (this.#types.has(type.id)) throw new Error(`Action type "${type.id}" is already registered.`);
    if (type.supportedFeatureIds.length === 0) {
      throw new Error(
        `At least one "supportedFeatureId" value must be supplied for connector type "${type.id}".`,
      );
    }
    const invalid = type.supportedFeatureIds.filter((id) => !knownFeatureIds.has(id));
    if (invalid.length > 0)
      throw new Error(`Invalid feature ids "${invalid.join(',')}" for connector type "${type.id}".`);
    this.#types.set(type.id, type);
  }

  get(id: string): AnyConnectorType | undefined {
    return this.#types.get(id);
  }

  has(id: string): boolean {
    return this.#types.has(id);
  }

  list(): AnyConnectorType[] {
    return [...this.#types.values()];
  }
}
