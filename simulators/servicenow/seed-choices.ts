// Choice lists (sys_choice) as a stock instance ships them for the fields casebridge maps.
// Impact, urgency and priority live on task, the rest on the concrete tables, so queries of the form
// `name=task^ORname=incident` (Kibana's getChoices) find both.
import type { CloseCodeSet } from './types.js';

export interface ChoiceSeed {
  name: string;
  element: string;
  value: string;
  label: string;
  dependent_value?: string;
}

type Pairs = [value: string, label: string][];

function list(name: string, element: string, pairs: Pairs, dependent?: string): ChoiceSeed[] {
  return pairs.map(([value, label]) => ({
    name,
    element,
    value,
    label,
    ...(dependent === undefined ? {} : { dependent_value: dependent }),
  }));
}

const LEVELS: Pairs = [
  ['1', '1 - High'],
  ['2', '2 - Medium'],
  ['3', '3 - Low'],
];

const MODERN_CLOSE_CODES = [
  'Duplicate',
  'Known error',
  'No resolution provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Solution provided',
  'Workaround provided',
  'User error',
];

const LEGACY_CLOSE_CODES = [
  'Solved (Work Around)',
  'Solved (Permanently)',
  'Solved Remotely (Work Around)',
  'Solved Remotely (Permanently)',
  'Not Solved (Not Reproducible)',
  'Not Solved (Too Costly)',
  'Closed/Resolved by Caller',
];

export function choiceSeeds(closeCodes: CloseCodeSet): ChoiceSeed[] {
  const codes = [
    ...(closeCodes === 'legacy' ? [] : MODERN_CLOSE_CODES),
    ...(closeCodes === 'modern' ? [] : LEGACY_CLOSE_CODES),
  ];
  return [
    ...list('task', 'impact', LEVELS),
    ...list('task', 'urgency', LEVELS),
    ...list('task', 'priority', [
      ['1', '1 - Critical'],
      ['2', '2 - High'],
      ['3', '3 - Moderate'],
      ['4', '4 - Low'],
      ['5', '5 - Planning'],
    ]),
    ...list('incident', 'state', [
      ['1', 'New'],
      ['2', 'In Progress'],
      ['3', 'On Hold'],
      ['6', 'Resolved'],
      ['7', 'Closed'],
      ['8', 'Canceled'],
    ]),
    ...list('incident', 'hold_reason', [
      ['1', 'Awaiting Caller'],
      ['3', 'Awaiting Problem'],
      ['4', 'Awaiting Vendor'],
      ['5', 'Awaiting Change'],
    ]),
    ...list('incident', 'category', [
      ['inquiry', 'Inquiry / Help'],
      ['software', 'Software'],
      ['hardware', 'Hardware'],
      ['network', 'Network'],
      ['database', 'Database'],
      ['security', 'Security'],
    ]),
    ...list(
      'incident',
      'subcategory',
      [
        ['antivirus', 'Antivirus'],
        ['email', 'Email'],
        ['os', 'Operating System'],
        ['internal application', 'Internal Application'],
      ],
      'software',
    ),
    ...list(
      'incident',
      'subcategory',
      [
        ['cpu', 'CPU'],
        ['disk', 'Disk'],
        ['memory', 'Memory'],
        ['monitor', 'Monitor'],
      ],
      'hardware',
    ),
    ...list(
      'incident',
      'subcategory',
      [
        ['dhcp', 'DHCP'],
        ['dns', 'DNS'],
        ['ip address', 'IP Address'],
        ['vpn', 'VPN'],
        ['wireless', 'Wireless'],
      ],
      'network',
    ),
    ...list(
      'incident',
      'subcategory',
      [
        ['db2', 'DB2'],
        ['oracle', 'Oracle'],
        ['sql server', 'MS SQL Server'],
      ],
      'database',
    ),
    ...list(
      'incident',
      'close_code',
      codes.map((c): [string, string] => [c, c]),
    ),
    ...list('incident', 'contact_type', [
      ['email', 'Email'],
      ['phone', 'Phone'],
      ['self-service', 'Self-service'],
      ['virtual_agent', 'Virtual Agent'],
      ['walk-in', 'Walk-in'],
      ['monitoring', 'Monitoring'],
    ]),
    ...list('sn_si_incident', 'state', [
      ['10', 'Draft'],
      ['16', 'Analysis'],
      ['18', 'Contain'],
      ['19', 'Eradicate'],
      ['20', 'Recover'],
      ['100', 'Review'],
      ['3', 'Closed'],
      ['7', 'Cancelled'],
    ]),
    ...list('sn_si_incident', 'category', [
      ['malicious code activity', 'Malicious code activity'],
      ['phishing', 'Phishing'],
      ['unauthorized access', 'Unauthorized access'],
      ['denial of service', 'Denial of service'],
      ['policy violation', 'Policy violation'],
    ]),
    ...list(
      'sn_si_incident',
      'subcategory',
      [
        ['malware', 'Malware'],
        ['ransomware', 'Ransomware'],
        ['virus', 'Virus'],
      ],
      'malicious code activity',
    ),
    ...list('sn_si_incident', 'severity', LEVELS),
    ...list('sn_si_incident', 'close_code', [
      ['Resolved', 'Resolved'],
      ['False positive', 'False positive'],
      ['Duplicate', 'Duplicate'],
    ]),
    ...list('em_event', 'severity', [
      ['0', 'Clear'],
      ['1', 'Critical'],
      ['2', 'Major'],
      ['3', 'Minor'],
      ['4', 'Warning'],
      ['5', 'OK'],
    ]),
    ...list('em_alert', 'severity', [
      ['0', 'Clear'],
      ['1', 'Critical'],
      ['2', 'Major'],
      ['3', 'Minor'],
      ['4', 'Warning'],
      ['5', 'OK'],
    ]),
  ];
}
