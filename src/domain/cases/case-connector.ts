import type { CaseConnector } from './types.js';

type FieldKind = 'string' | 'boolean' | 'stringArray' | 'number';

/**
 * The `fields` each case connector type accepts (cases-kibana.md §1.7). Every listed key may be
 * null; keys marked optional may be absent. Unknown keys are refused, as Kibana's strict codecs do.
 */
const fieldSpecs: Record<string, Record<string, { kind: FieldKind; optional?: boolean }> | null> = {
  '.none': null,
  '.cases-webhook': null,
  '.jira': {
    issueType: { kind: 'string' },
    priority: { kind: 'string' },
    parent: { kind: 'string' },
    otherFields: { kind: 'string', optional: true },
  },
  '.resilient': {
    incidentTypes: { kind: 'stringArray' },
    severityCode: { kind: 'string' },
    additionalFields: { kind: 'string', optional: true },
  },
  '.servicenow': {
    impact: { kind: 'string' },
    severity: { kind: 'string' },
    urgency: { kind: 'string' },
    category: { kind: 'string' },
    subcategory: { kind: 'string' },
    additionalFields: { kind: 'string', optional: true },
  },
  '.servicenow-sir': {
    category: { kind: 'string' },
    subcategory: { kind: 'string' },
    priority: { kind: 'string' },
    destIp: { kind: 'boolean' },
    sourceIp: { kind: 'boolean' },
    malwareHash: { kind: 'boolean' },
    malwareUrl: { kind: 'boolean' },
    additionalFields: { kind: 'string', optional: true },
  },
  '.swimlane': { caseId: { kind: 'string' } },
};

export const caseConnectorTypes = Object.keys(fieldSpecs);

function matches(kind: FieldKind, value: unknown): boolean {
  if (value === null) return true;
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number';
    case 'stringArray':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

/**
 * Checks a case connector against its type and returns the problem in Kibana's io-ts wording
 * (`Invalid value "x" supplied to "connector,fields,key"`), or null when it is valid.
 */
export function checkCaseConnector(connector: CaseConnector, path = 'connector'): string | null {
  if (!Object.hasOwn(fieldSpecs, connector.type)) {
    return `Invalid value "${connector.type}" supplied to "${path},type"`;
  }
  const spec = fieldSpecs[connector.type];
  const fields = connector.fields;
  if (spec === null || spec === undefined) {
    return fields === null ? null : `Invalid value ${JSON.stringify(fields)} supplied to "${path},fields"`;
  }
  if (fields === null) return null;
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    return `Invalid value ${JSON.stringify(fields)} supplied to "${path},fields"`;
  }
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(spec, key)) return `invalid keys "${key}" supplied to "${path},fields"`;
  }
  for (const [key, rule] of Object.entries(spec)) {
    if (!Object.hasOwn(fields, key)) {
      if (rule.optional) continue;
      return `Invalid value undefined supplied to "${path},fields,${key}"`;
    }
    if (!matches(rule.kind, fields[key])) {
      return `Invalid value ${JSON.stringify(fields[key])} supplied to "${path},fields,${key}"`;
    }
  }
  return null;
}
