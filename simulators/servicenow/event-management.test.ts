import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, rowsOf } from './test-support.js';

let sn: ServiceNowSimulator;
const itom = as('casebridge.itom');
const PATH = '/api/global/em/jsonv2';

// The record Kibana's ITOM connector sends (servicenow-kibana.md §5.13).
const EVENT = {
  source: 'A source',
  event_class: 'An event class',
  resource: 'C:',
  node: 'node.example.com',
  metric_name: 'Percentage Logical Disk Free Space',
  type: 'Disk space',
  severity: '4',
  description: 'desc',
  additional_info: '{"alert": "test"}',
  message_key: 'a key',
  time_of_event: '2021-10-13 10:51:44',
};

beforeAll(async () => {
  sn = await startServiceNowSimulator();
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

function send(records: unknown[]) {
  return call(sn.url, 'POST', PATH, { auth: itom, body: { records } });
}

describe('Event Management jsonv2', () => {
  it('inserts em_event rows and answers with the Default Bulk Endpoint message', async () => {
    const reply = await send([EVENT, { ...EVENT, message_key: 'other key' }]);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ result: { 'Default Bulk Endpoint': '2 events were inserted' } });
    const events = sn.tables.list('em_event');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      source: 'A source',
      node: 'node.example.com',
      state: 'Processed',
      time_of_event: '2021-10-13 10:51:44',
    });
  });

  it('rolls events with one message_key into one alert and closes it on severity 0', async () => {
    await send([EVENT]);
    await send([{ ...EVENT, severity: '2', description: 'worse' }]);
    let alerts = sn.tables.list('em_alert', 'message_key=a key');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      number: 'Alert0010001',
      severity: '2',
      state: 'Open',
      event_count: '2',
      description: 'worse',
    });

    await send([{ ...EVENT, severity: '0' }]);
    alerts = sn.tables.list('em_alert', 'message_key=a key');
    expect(alerts[0]).toMatchObject({ state: 'Closed', severity: '0' });

    // A new event after the close opens a new alert.
    await send([EVENT]);
    expect(sn.tables.list('em_alert', 'message_key=a key^state=Open')).toHaveLength(1);
    expect(sn.tables.count('em_alert')).toBe(2);
  });

  it('closes on resolution_state Closing, ignores a clear with nothing open, and marks bad events as Error', async () => {
    await send([EVENT]);
    await send([{ ...EVENT, resolution_state: 'Closing' }]);
    expect(sn.tables.list('em_alert')[0]?.state).toBe('Closed');
    await send([{ ...EVENT, message_key: 'never opened', severity: '0' }]);
    expect(sn.tables.list('em_event', 'message_key=never opened')[0]?.state).toBe('Ignored');
    await send([{ ...EVENT, message_key: 'bad', severity: '9' }]);
    expect(sn.tables.list('em_event', 'message_key=bad')[0]?.state).toBe('Error');
  });

  it('derives a message_key when none is given', async () => {
    const { message_key: _ignored, ...withoutKey } = EVENT;
    await send([withoutKey]);
    expect(sn.tables.list('em_event')[0]?.message_key).toBe(
      'A source_node.example.com_Disk space_C:_Percentage Logical Disk Free Space',
    );
  });

  it('refuses users without evt_mgmt_integration and bodies without records', async () => {
    expect(
      (await call(sn.url, 'POST', PATH, { auth: as('itil.user'), body: { records: [EVENT] } })).status,
    ).toBe(403);
    expect((await call(sn.url, 'POST', PATH, { auth: itom, body: { record: EVENT } })).status).toBe(400);
    expect((await call(sn.url, 'POST', PATH, { auth: itom, raw: 'records' })).status).toBe(400);
  });

  it('lists severity choices the way the ITOM connector asks for them', async () => {
    const rows = rowsOf(
      await call(
        sn.url,
        'GET',
        '/api/now/table/sys_choice?sysparm_query=name=task^ORname=em_event^element=severity^language=en&sysparm_fields=label,value,dependent_value,element',
        { auth: itom },
      ),
    );
    expect(rows.map((r) => r.label)).toEqual(['Clear', 'Critical', 'Major', 'Minor', 'Warning', 'OK']);
  });
});
