import type { AnyConnectorType } from './contract.js';
import { ConnectorTypeRegistry } from './registry.js';
import { serviceNowItsmConnectorType } from './servicenow/servicenow-itsm.js';
import { webhookConnectorType } from './webhook/webhook.js';

/** Every built-in connector type, in the order `connector_types` lists them. One line each. */
export const builtInConnectorTypes: AnyConnectorType[] = [webhookConnectorType, serviceNowItsmConnectorType];

export function createBuiltInRegistry(): ConnectorTypeRegistry {
  const registry = new ConnectorTypeRegistry();
  for (const type of builtInConnectorTypes) registry.register(type);
  return registry;
}
