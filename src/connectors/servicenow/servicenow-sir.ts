import { defineConnectorType } from '../contract.js';
import { checkAdditionalFields, handshake, runSubAction } from './common.js';
import { operation } from './errors.js';
import { IncidentService, type Fields } from './incidents.js';
import { pushIncident } from './push.js';
import { ServiceNowSecrets, SirConfig, SirParams, type SirIncidentType } from './schema.js';
import { isTableApiDeprecated, validateConfig, validateConnector, validateSecrets } from './validation.js';

const OBSERVABLE_FIELDS = ['dest_ip', 'source_ip', 'malware_hash', 'malware_url'] as const;
const SPLIT = /[ ,|\r\n\t]+/;

/** Strings split on Kibana's separators, arrays kept; duplicates and empty items dropped. */
function items(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : value.split(SPLIT);
  return [...new Set(list.filter((item) => item !== ''))];
}

/** §5.12: IPv4 (dest then source), then SHA256, then URL. */
export function observablesOf(incident: SirIncidentType): { value: string; type: string }[] {
  const ips = [...new Set([...items(incident.dest_ip), ...items(incident.source_ip)])];
  return [
    ...ips.map((value) => ({ value, type: 'ipv4-addr' })),
    ...items(incident.malware_hash).map((value) => ({ value, type: 'SHA256' })),
    ...items(incident.malware_url).map((value) => ({ value, type: 'URL' })),
  ];
}

function joined(value: string | string[] | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Kibana's `.servicenow-sir` (ServiceNow SecOps, `sn_si_incident`). In import-set mode the
 * observable fields go as null and are then attached through the Elastic SecOps app's bulk
 * endpoint; in Table-API mode they are sent as comma-joined fields.
 */
export const serviceNowSirConnectorType = defineConnectorType({
  id: '.servicenow-sir',
  name: 'ServiceNow SecOps',
  minimumLicenseRequired: 'platinum',
  supportedFeatureIds: ['alerting', 'cases', 'siem', 'workflows'],
  schemas: { config: SirConfig, secrets: ServiceNowSecrets, params: SirParams },
  validate: {
    config: (config, ctx) => validateConfig(config, ctx),
    secrets: (secrets) => validateSecrets(secrets),
    connector: (config, secrets) => validateConnector(config, secrets),
    params: (params) => {
      if (params.subAction === 'pushToService') {
        const incident = params.subActionParams.incident;
        incident.additional_fields = checkAdditionalFields(incident.additional_fields);
      }
      return params;
    },
  },
  isDeprecated: isTableApiDeprecated,
  testParams: { subAction: 'handshake', subActionParams: {} },
  requiresSecrets: true,
  async execute(ctx, params) {
    return runSubAction(ctx, async (client) => {
      const importMode = ctx.config.usesTableApi === false;
      const sn = new IncidentService(client, {
        table: 'sn_si_incident',
        importSetTable: 'x_elas2_sir_int_elastic_si_incident',
        appScope: 'x_elas2_sir_int',
        useImportApi: importMode,
      });
      switch (params.subAction) {
        case 'pushToService': {
          const { externalId, additional_fields, ...incident } = params.subActionParams.incident;
          const fields: Fields = { ...incident };
          for (const field of OBSERVABLE_FIELDS)
            fields[field] = importMode ? null : joined(params.subActionParams.incident[field]);
          const result = await pushIncident(sn, {
            externalId: externalId ?? null,
            fields,
            additional: checkAdditionalFields(additional_fields),
            comments: params.subActionParams.comments ?? null,
            caller: ctx.secrets.username ?? null,
            commentField: 'work_notes',
          });
          const observables = observablesOf(params.subActionParams.incident);
          if (importMode && observables.length > 0) {
            await operation(
              `Unable to add observables to security incident with id ${result.id}`,
              { method: 'post', endpoint: 'other' },
              client.authMode,
              async () => {
                await sn.checkApp();
                await client.call({
                  method: 'post',
                  endpoint: 'other',
                  path: `/api/x_elas2_sir_int/elastic_api/incident/${encodeURIComponent(result.id)}/observables/bulk`,
                  json: observables,
                });
              },
            );
          }
          return result;
        }
        case 'getIncident':
          return sn.getIncident(params.subActionParams.externalId);
        case 'getFields':
          return sn.getFields();
        case 'getChoices':
          return sn.getChoices(params.subActionParams.fields);
        case 'handshake':
          return handshake(client, sn, { table: 'sn_si_incident', choiceField: 'priority' });
      }
    });
  },
});
