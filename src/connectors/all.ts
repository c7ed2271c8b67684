import type { AnyConnectorType } from './contract.js';
import { ConnectorTypeRegistry } from './registry.js';
import { serviceNowItomConnectorType } from './servicenow/servicenow-itom.js';
import { serviceNowItsmConnectorType } from './servicenow/servicenow-itsm.js';
import { serviceNowSirConnectorType } from './servicenow/servicenow-sir.js';
import { webhookConnectorType } from './webhook/webhook.js';

/** Every built-in connector type, in the order `connector_types` lists them. One line each. */
export const builtInConnectorTypes: AnyConnectorType[] = [
  webhookConnectorType,
  serviceNowItsmConnectorType,
  serviceNowSirConnectorType,
  serviceNowItomConnectorType,
];

export function createBuiltInRegistry(): ConnectorTypeRegistry {
  const registry = new ConnectorTypeRegistry();
  for (const type of builtInConnectorTypes) registry.register(type);
  return registry;
}
