import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { call, errorOf, rowsOf } from './test-support.js';

let sn: ServiceNowSimulator;
let strict: ServiceNowSimulator;

const ROWS = [
  {
    short_description: 'VPN down in Paris',
    category: 'network',
    impact: '1',
    urgency: '1',
    correlation_id: 'r1:a1',
  },
  {
    short_description: 'Email slow',
    category: 'software',
    impact: '2',
    urgency: '2',
    correlation_id: 'r1:a2',
  },
  { short_description: 'Disk full', category: 'hardware', impact: '3', urgency: '3', correlation_id: '' },
  {
    short_description: 'VPN flapping',
    category: 'network',
    impact: '2',
    urgency: '3',
    correlation_id: 'r2:a1',
  },
];

beforeAll(async () => {
  sn = await startServiceNowSimulator({ seed: false });
  strict = await startServiceNowSimulator({ seed: false, invalidQueryReturnsNoRows: true });
  for (const row of ROWS) {
    sn.tables.insert('incident', row);
    strict.tables.insert('incident', row);
  }
});
afterAll(async () => {
  await sn.close();
  await strict.close();
});

async function titles(query: string, target: ServiceNowSimulator = sn): Promise<unknown[]> {
  const reply = await call(
    target.url,
    'GET',
    `/api/now/table/incident?sysparm_fields=short_description&sysparm_query=${encodeURIComponent(query)}`,
  );
  expect(reply.status).toBe(200);
  return rowsOf(reply).map((r) => r.short_description);
}

describe('sysparm_query', () => {
  it.each([
    ['category=network', ['VPN down in Paris', 'VPN flapping']],
    ['category!=network', ['Email slow', 'Disk full']],
    ['category=network^impact=2', ['VPN flapping']],
    ['category=software^ORcategory=hardware', ['Email slow', 'Disk full']],
    ['category=software^ORcategory=hardware^impact=3', ['Disk full']],
    ['short_descriptionLIKEvpn', ['VPN down in Paris', 'VPN flapping']],
    ['short_descriptionNOT LIKEvpn', ['Email slow', 'Disk full']],
    ['short_descriptionSTARTSWITHemail', ['Email slow']],
    ['short_descriptionENDSWITHfull', ['Disk full']],
    ['categoryINsoftware,hardware', ['Email slow', 'Disk full']],
    ['categoryNOT INsoftware,hardware', ['VPN down in Paris', 'VPN flapping']],
    ['correlation_idISEMPTY', ['Disk full']],
    ['correlation_idISNOTEMPTY^category=network', ['VPN down in Paris', 'VPN flapping']],
    ['priority<3', ['VPN down in Paris']],
    ['priority>=4', ['Disk full', 'VPN flapping']],
    ['priorityBETWEEN2@3', ['Email slow']],
    ['category=hardware^NQcategory=software', ['Email slow', 'Disk full']],
    ['ORDERBYshort_description', ['Disk full', 'Email slow', 'VPN down in Paris', 'VPN flapping']],
    ['ORDERBYDESCpriority^category=network', ['VPN flapping', 'VPN down in Paris']],
    ['correlation_id=r1:a2', ['Email slow']],
  ])('%s', async (query, expected) => {
    expect(await titles(query)).toEqual(expected);
  });

  it('orders newest first by sys_created_on even within the same second (Kibana correlation lookup)', async () => {
    expect(await titles('ORDERBYDESCsys_created_on^category=network')).toEqual([
      'VPN flapping',
      'VPN down in Paris',
    ]);
  });

  it('follows one reference hop in dot-walked names', async () => {
    const target = await startServiceNowSimulator();
    try {
      target.tables.insert('incident', { short_description: 'walked', caller_id: 'abel.tuter' });
      target.tables.insert('incident', { short_description: 'other', caller_id: 'beth.anglin' });
      expect(await titles('caller_id.user_name=abel.tuter', target)).toEqual(['walked']);
    } finally {
      await target.close();
    }
  });

  it('ignores unknown fields by default and matches nothing with invalidQueryReturnsNoRows', async () => {
    expect(await titles('no_such_field=1^category=hardware')).toEqual(['Disk full']);
    expect(await titles('no_such_field=1^category=hardware', strict)).toEqual([]);
  });

  it('refuses a query it cannot parse with a 400 envelope', async () => {
    for (const bad of ['=novalue', 'Category=network', 'priorityBETWEEN1', 'ORDERBY']) {
      const reply = await call(
        sn.url,
        'GET',
        `/api/now/table/incident?sysparm_query=${encodeURIComponent(bad)}`,
      );
      expect(reply.status, bad).toBe(400);
      expect(errorOf(reply).message).toBe('Invalid query');
    }
  });
});
