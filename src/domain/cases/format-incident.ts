import { caseUrl, displayName } from './display-name.js';
import { mappingsFor } from './mappings.js';
import type { CaseRecord } from './types.js';

/** Facts of an attached alert that ServiceNow SIR copies into its incident (§3.3). */
export interface AlertFacts {
  destinationIp?: string[];
  sourceIp?: string[];
  fileHashSha256?: string[];
  urlFull?: string[];
}

export type Incident = Record<string, unknown> & { externalId: string | null };

const field = (fields: Record<string, unknown> | null, key: string): unknown =>
  fields !== null && Object.hasOwn(fields, key) ? fields[key] : null;

const unique = (values: Array<string[] | undefined>): string[] => [
  ...new Set(values.flatMap((v) => v ?? [])),
];

/** The `correlation_*` pair ServiceNow gets so an incident can be found from its case. */
const correlation = (caseId: string) => ({ correlation_id: caseId, correlation_display: 'Elastic Case' });

type Formatter = (kase: CaseRecord, alerts: AlertFacts[]) => Record<string, unknown>;

/** Per-type extra incident keys (§3.3). Types without an entry add nothing. */
const formatters: Record<string, Formatter> = {
  '.servicenow': (kase) => {
    const fields = kase.connector.fields;
    return {
      severity: field(fields, 'severity'),
      urgency: field(fields, 'urgency'),
      impact: field(fields, 'impact'),
      category: field(fields, 'category'),
      subcategory: field(fields, 'subcategory'),
      additional_fields: field(fields, 'additionalFields'),
      ...correlation(kase.id),
    };
  },
  '.servicenow-sir': (kase, alerts) => {
    const fields = kase.connector.fields;
    const when = (flag: string, pick: (alert: AlertFacts) => string[] | undefined) =>
      field(fields, flag) === true ? unique(alerts.map(pick)) : null;
    return {
      dest_ip: when('destIp', (alert) => alert.destinationIp),
      source_ip: when('sourceIp', (alert) => alert.sourceIp),
      malware_hash: when('malwareHash', (alert) => alert.fileHashSha256),
      malware_url: when('malwareUrl', (alert) => alert.urlFull),
      category: field(fields, 'category'),
      subcategory: field(fields, 'subcategory'),
      priority: field(fields, 'priority'),
      additional_fields: field(fields, 'additionalFields'),
      ...correlation(kase.id),
    };
  },
  '.jira': (kase) => {
    const fields = kase.connector.fields;
    return {
      priority: field(fields, 'priority'),
      // Jira labels cannot hold whitespace; Kibana hyphenates each run of it.
      labels: kase.tags.map((tag) => tag.replace(/\s+/g, '-')),
      issueType: field(fields, 'issueType'),
      parent: field(fields, 'parent'),
    };
  },
  '.resilient': (kase) => ({
    incidentTypes: field(kase.connector.fields, 'incidentTypes'),
    severityCode: field(kase.connector.fields, 'severityCode'),
  }),
  '.swimlane': (kase) => {
    const fields = kase.connector.fields;
    // An explicit null caseId is kept; only a missing key falls back to the case id.
    return { caseId: fields !== null && Object.hasOwn(fields, 'caseId') ? fields.caseId : kase.id };
  },
  '.cases-webhook': (kase) => ({
    title: kase.title,
    description: kase.description,
    tags: kase.tags,
    id: kase.id,
    severity: kase.severity,
    status: kase.status,
  }),
};

/**
 * The connector fields used for a push: the case's own when the case is set to this connector
 * type, otherwise none, because the fields of one type mean nothing to another.
 */
function caseForTarget(kase: CaseRecord, connectorType: string): CaseRecord {
  return kase.connector.type === connectorType
    ? kase
    : { ...kase, connector: { ...kase.connector, fields: null } };
}

/** `<description>\n\nAdded by <name>.` plus the case link when a public URL is configured. */
export function decorateDescription(kase: CaseRecord, publicBaseUrl: string | undefined): string {
  const by = `${kase.description}\n\nAdded by ${displayName(kase.updated_by ?? kase.created_by)}.`;
  const url = caseUrl(publicBaseUrl, kase.owner, kase.id);
  return url === null ? by : `${by}\nFor more details, view this case in Kibana.\nCase URL: ${url}`;
}

/**
 * Builds the `incident` of a push (§3.2): mapped title and description, then the type's own
 * keys (which win on a clash), then the external id of the last push to this connector.
 */
export function buildIncident(input: {
  kase: CaseRecord;
  connectorType: string;
  externalId: string | null;
  alerts: AlertFacts[];
  publicBaseUrl?: string;
}): Incident {
  const { kase, connectorType } = input;
  const mapped: Record<string, unknown> = {};
  for (const mapping of mappingsFor(connectorType)) {
    if (mapping.target === 'not_mapped') continue;
    if (mapping.source === 'title') mapped[mapping.target] = kase.title;
    if (mapping.source === 'description')
      mapped[mapping.target] = decorateDescription(kase, input.publicBaseUrl);
  }
  const formatted = formatters[connectorType]?.(caseForTarget(kase, connectorType), input.alerts) ?? {};
  return { ...mapped, ...formatted, externalId: input.externalId };
}
