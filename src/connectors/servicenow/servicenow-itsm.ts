import { defineConnectorType, type ExecutionContext } from '../contract.js';
import { checkAdditionalFields, handshake, runSubAction } from './common.js';
import { IncidentService, type Fields, type TableSetup } from './incidents.js';
import { closeIncident, pushIncident } from './push.js';
import {
  ItsmConfig,
  ItsmParams,
  ServiceNowSecrets,
  type ItsmConfigType,
  type ItsmParamsType,
  type ServiceNowSecretsType,
} from './schema.js';
import {
  applySettings,
  applyTags,
  checkMapping,
  closeValues,
  getChoicesWithReferences,
  mappedFields,
} from './ticket-settings.js';
import { isTableApiDeprecated, validateConfig, validateConnector, validateSecrets } from './validation.js';

type Ctx = ExecutionContext<ItsmConfigType, ServiceNowSecretsType>;
type Params<N extends ItsmParamsType['subAction']> = Extract<
  ItsmParamsType,
  { subAction: N }
>['subActionParams'];

export const ITSM_SETUP: Omit<TableSetup, 'useImportApi'> = {
  table: 'incident',
  importSetTable: 'x_elas2_inc_int_elastic_incident',
  appScope: 'x_elas2_inc_int',
};

function service(client: IncidentService['client'], config: ItsmConfigType): IncidentService {
  return new IncidentService(client, { ...ITSM_SETUP, useImportApi: config.usesTableApi === false });
}

function targetTable(config: ItsmConfigType): string {
  return config.ticketSettings?.ticketType === 'sc_request' ? 'sc_request' : 'incident';
}

async function push(ctx: Ctx, sn: IncidentService, params: Params<'pushToService'>) {
  const { config } = ctx;
  const settings = config.ticketSettings;
  const table = targetTable(config);
  const { externalId, additional_fields, ...incident } = params.incident;
  const own: Fields = {};
  for (const [key, value] of Object.entries(incident)) if (value !== undefined) own[key] = value;
  const applied = applySettings(params.incident, settings, params.lifecycle);
  const mapped = await mappedFields(sn, config.customMapping, params.source, table);
  // Explicit push values win over mapped values, which win over the settings; a null from the
  // push (Kibana sends every field) does not blank a configured value.
  const fields: Fields = { ...own };
  for (const [key, value] of Object.entries({ ...applied.fields, ...mapped }))
    if (fields[key] === null || fields[key] === undefined) fields[key] = value;
  const result = await pushIncident(sn, {
    externalId: externalId ?? null,
    fields,
    additional: checkAdditionalFields(additional_fields),
    comments: params.comments ?? null,
    caller: ctx.secrets.username ?? null,
    commentField: settings?.commentField ?? 'work_notes',
    ...(table !== ITSM_SETUP.table && { table }),
    createOnly: applied.createOnly,
  });
  if (externalId) return result;
  const tags = await applyTags(sn, settings?.tags, table, result);
  return tags ? { ...result, tags } : result;
}

/**
 * Kibana's `.servicenow` (ServiceNow ITSM): incidents through the Elastic app's import set
 * (`usesTableApi: false`) or the Table API (Kibana's deprecated default), plus casebridge's
 * ticket settings and custom mapping. See README.md for quirks.
 */
export const serviceNowItsmConnectorType = defineConnectorType({
  id: '.servicenow',
  name: 'ServiceNow ITSM',
  minimumLicenseRequired: 'platinum',
  supportedFeatureIds: ['alerting', 'cases', 'uptime', 'siem', 'workflows'],
  schemas: { config: ItsmConfig, secrets: ServiceNowSecrets, params: ItsmParams },
  validate: {
    config: (config, ctx) => validateConfig(config, ctx),
    secrets: (secrets) => validateSecrets(secrets),
    connector: (config, secrets) => validateConnector(config, secrets),
    params: (params) => {
      if (params.subAction === 'pushToService') {
        const additional = checkAdditionalFields(params.subActionParams.incident.additional_fields);
        params.subActionParams.incident.additional_fields = additional;
      }
      return params;
    },
  },
  isDeprecated: isTableApiDeprecated,
  testParams: { subAction: 'handshake', subActionParams: {} },
  requiresSecrets: true,
  async execute(ctx, params) {
    return runSubAction(ctx, async (client) => {
      const sn = service(client, ctx.config);
      switch (params.subAction) {
        case 'pushToService':
          return push(ctx, sn, params.subActionParams);
        case 'getIncident':
          return sn.getIncident(params.subActionParams.externalId);
        case 'getFields':
          return sn.getFields(targetTable(ctx.config));
        case 'getChoices':
          return getChoicesWithReferences(sn, params.subActionParams.fields, targetTable(ctx.config));
        case 'closeIncident': {
          const { externalId, correlation_id } = params.subActionParams.incident;
          return closeIncident(
            sn,
            { externalId: externalId ?? null, correlationId: correlation_id ?? null },
            closeValues(ctx.config.ticketSettings),
          );
        }
        case 'handshake':
          return handshake(client, sn, {
            table: targetTable(ctx.config),
            choiceField: 'urgency',
            extra: async (steps) => {
              if (!ctx.config.customMapping?.length) return;
              await checkMapping(sn, ctx.config.customMapping, targetTable(ctx.config));
              steps.push({
                step: 'table access',
                ok: true,
                detail: 'custom mapping targets are String fields',
              });
            },
          });
      }
    });
  },
});
