import { defineConnectorType } from '../contract.js';
import { handshake, runSubAction } from './common.js';
import { operation } from './errors.js';
import { IncidentService } from './incidents.js';
import { ItomConfig, ItomParams, ServiceNowSecrets, type ItomEventType } from './schema.js';
import { validateConfig, validateConnector, validateSecrets } from './validation.js';

/** `YYYY-MM-DD HH:mm:ss` in UTC, as em_event expects. */
function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Kibana's prepareParams (§5.13): `time_of_event` as epoch milliseconds (a string of digits) or
 * a date string, formatted in UTC and dropped when invalid; every null field removed.
 */
export function prepareEvent(event: ItomEventType): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === null || value === undefined) continue;
    if (key === 'time_of_event') {
      const text = String(value).trim();
      const date =
        /^\d+$/.test(text) && String(Number(text)) === text ? new Date(Number(text)) : new Date(text);
      if (text !== '' && !Number.isNaN(date.getTime())) out[key] = formatUtc(date);
      continue;
    }
    out[key] = String(value);
  }
  return out;
}

/**
 * Kibana's `.servicenow-itom`: events into Event Management through `/api/global/em/jsonv2`.
 * A later event with severity `0` (Clear) and the same `message_key` closes the alert the first
 * one opened, which is how a recovered Kibana alert clears its ServiceNow alert.
 */
export const serviceNowItomConnectorType = defineConnectorType({
  id: '.servicenow-itom',
  name: 'ServiceNow ITOM',
  minimumLicenseRequired: 'platinum',
  supportedFeatureIds: ['alerting', 'siem', 'workflows'],
  schemas: { config: ItomConfig, secrets: ServiceNowSecrets, params: ItomParams },
  validate: {
    config: (config, ctx) => validateConfig(config, ctx),
    secrets: (secrets) => validateSecrets(secrets),
    connector: (config, secrets) => validateConnector(config, secrets),
  },
  testParams: { subAction: 'handshake', subActionParams: {} },
  requiresSecrets: true,
  async execute(ctx, params) {
    return runSubAction(ctx, async (client) => {
      switch (params.subAction) {
        case 'addEvent':
          await operation('Unable to add event', undefined, client.authMode, () =>
            client.call({
              method: 'post',
              endpoint: 'other',
              path: '/api/global/em/jsonv2',
              json: { records: [prepareEvent(params.subActionParams)] },
            }),
          );
          return {};
        case 'getChoices':
          return new IncidentService(client, {
            table: 'em_event',
            importSetTable: '',
            appScope: '',
            useImportApi: false,
          }).getChoices(params.subActionParams.fields);
        case 'handshake':
          return handshake(client, null, { table: 'em_event', choiceField: 'severity' });
      }
    });
  },
});
