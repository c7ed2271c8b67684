import { describe, expect, it } from 'vitest';
import { buildIncident, decorateDescription } from './format-incident.js';
import { mappingsFor } from './mappings.js';
import type { CaseRecord } from './types.js';

const elastic = { username: 'elastic', full_name: null, email: null };
const kase: CaseRecord = {
  id: 'case-1',
  version: 'v',
  owner: 'cases',
  title: 'Ransomware on host-7',
  description: 'EDR flagged encryption',
  tags: ['edr', 'high  prio'],
  status: 'open',
  severity: 'low',
  settings: { syncAlerts: true },
  connector: {
    id: 'sn',
    name: 'SN',
    type: '.servicenow',
    fields: { urgency: '2', impact: '2', severity: '2', category: 'software', subcategory: 'os' },
  },
  assignees: [],
  category: null,
  customFields: [],
  external_service: null,
  created_at: '2024-05-01T09:00:00.000Z',
  created_by: elastic,
  updated_at: null,
  updated_by: null,
  closed_at: null,
  closed_by: null,
};

describe('buildIncident', () => {
  it('maps a ServiceNow ITSM case as Kibana does, with the case link when a public URL is set', () => {
    expect(
      buildIncident({
        kase,
        connectorType: '.servicenow',
        externalId: null,
        alerts: [],
        publicBaseUrl: 'https://localhost:5601/',
      }),
    ).toEqual({
      short_description: 'Ransomware on host-7',
      description:
        'EDR flagged encryption\n\nAdded by elastic.\nFor more details, view this case in Kibana.\nCase URL: https://localhost:5601/app/management/insightsAndAlerting/cases/case-1',
      severity: '2',
      urgency: '2',
      impact: '2',
      category: 'software',
      subcategory: 'os',
      additional_fields: null,
      correlation_id: 'case-1',
      correlation_display: 'Elastic Case',
      externalId: null,
    });
  });

  it('collects unique SIR values only for the flags that are on', () => {
    const sir = {
      ...kase,
      connector: {
        id: 's',
        name: 'SIR',
        type: '.servicenow-sir',
        fields: {
          category: 'c',
          subcategory: null,
          priority: '1',
          destIp: true,
          sourceIp: false,
          malwareHash: true,
          malwareUrl: null,
        },
      },
    };
    const incident = buildIncident({
      kase: sir,
      connectorType: '.servicenow-sir',
      externalId: 'x1',
      alerts: [
        { destinationIp: ['10.0.0.1'], fileHashSha256: ['h1'] },
        { destinationIp: ['10.0.0.1', '10.0.0.2'], sourceIp: ['1.1.1.1'] },
      ],
    });
    expect(incident).toMatchObject({
      short_description: kase.title,
      description: 'EDR flagged encryption\n\nAdded by elastic.',
      dest_ip: ['10.0.0.1', '10.0.0.2'],
      source_ip: null,
      malware_hash: ['h1'],
      malware_url: null,
      priority: '1',
      externalId: 'x1',
    });
  });

  it('hyphenates Jira labels and ignores fields of another connector type', () => {
    const incident = buildIncident({ kase, connectorType: '.jira', externalId: null, alerts: [] });
    expect(incident).toEqual({
      summary: kase.title,
      description: 'EDR flagged encryption\n\nAdded by elastic.',
      priority: null,
      labels: ['edr', 'high-prio'],
      issueType: null,
      parent: null,
      externalId: null,
    });
  });

  it('sends only the external id to types it does not know', () => {
    expect(buildIncident({ kase, connectorType: '.unknown', externalId: 'e', alerts: [] })).toEqual({
      externalId: 'e',
    });
  });

  it('names the last editor, then the creator, then Unknown', () => {
    expect(
      decorateDescription(
        { ...kase, updated_by: { username: 'u', full_name: 'Full Name', email: null } },
        undefined,
      ),
    ).toBe('EDR flagged encryption\n\nAdded by Full Name.');
    expect(
      decorateDescription(
        { ...kase, created_by: { username: null, full_name: null, email: null } },
        undefined,
      ),
    ).toBe('EDR flagged encryption\n\nAdded by Unknown.');
  });

  it('has Kibana’s mappings per type', () => {
    expect(mappingsFor('.jira').map((m) => m.target)).toEqual(['summary', 'description', 'comments']);
    expect(mappingsFor('.resilient').map((m) => m.target)).toEqual(['name', 'description', 'comments']);
    expect(mappingsFor('.swimlane').map((m) => m.target)).toEqual(['caseName', 'description', 'comments']);
    expect(mappingsFor('.cases-webhook')).toEqual([]);
    expect(mappingsFor('.none')).toEqual([]);
  });
});
