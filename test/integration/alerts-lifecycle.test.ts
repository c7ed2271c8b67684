import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  demoSeed,
  startServiceNowSimulator,
  type ServiceNowSimulator,
} from '../../simulators/servicenow/index.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { api, fastQueueConfig, statuses, waitFor } from './queue-receiver.js';

interface TicketView {
  status: string;
  key: string;
  generation: number;
  external_id: string | null;
  number: string | null;
  url: string | null;
}
interface StateView {
  ticket: TicketView;
  last_action: string;
  last_reason: string;
}

// The whole alert lifecycle through the HTTP API with a worker running, against the ServiceNow
// simulator: what ends up in its tables and what casebridge asked of it.
describe.each(dialects)('alert lifecycle against the ServiceNow simulator on %s', (dialect) => {
  let sim: ServiceNowSimulator;
  let t: TestApp;
  let itsmId: string;
  let resolvingId: string;
  let itomId: string;

  const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const res = await api(t)(method, url, body);
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const connector = async (type: string, config: Record<string, unknown>, secrets: object) => {
    const res = await call('POST', '/api/actions/connector', {
      name: type,
      connector_type_id: type,
      config,
      secrets,
    });
    expect(res.status).toBe(200);
    return String(res.body.id);
  };
  const addRoute = async (id: string, body: Record<string, unknown>) =>
    expect((await call('POST', `/api/casebridge/routes/${id}`, body)).status).toBe(200);
  /** Posts one alert, waits until the queue has run everything, returns the action taken. */
  const fire = async (rule: string, status: string, value = 90) => {
    const res = await call('POST', '/api/casebridge/alerts', {
      source: 'prometheus',
      rule: { id: rule, name: `rule ${rule}` },
      alert: { id: 'h1' },
      status,
      annotations: { summary: `value is ${value}` },
      context: { value },
    });
    expect(res.status).toBe(202);
    const alerts = res.body.alerts as { routes: { action: string; delivery_id: string | null }[] }[];
    const outcome = alerts[0]?.routes[0];
    if (outcome?.delivery_id) {
      const id = outcome.delivery_id;
      await waitFor(async () => (await statuses(t)).get(id) === 'succeeded', 10_000).catch(async () => {
        const detail = (await call('GET', `/api/casebridge/deliveries/${id}`)).body;
        throw new Error(`delivery ${id} did not succeed: ${JSON.stringify(detail)}`);
      });
    }
    return outcome?.action;
  };
  const state = async (routeId: string) =>
    ((await call('GET', `/api/casebridge/alerts?route_id=${routeId}`)).body.data as StateView[])[0];
  const incidents = (key: string) => sim.tables.list('incident', `correlation_id=${key}`);
  /** Requests casebridge made, without the OAuth and choice noise. */
  const requests = () =>
    sim.requestLog
      .all()
      .map((entry) => `${entry.method} ${entry.path}`)
      .filter((line) => !line.includes('sys_choice'));

  beforeAll(async () => {
    sim = await startServiceNowSimulator({});
    t = await createTestApp({
      dialect,
      config: { ...fastQueueConfig, 'actions.allowedHosts': ['127.0.0.1'] },
    });
    itsmId = await connector(
      '.servicenow',
      { apiUrl: sim.url, usesTableApi: false },
      demoSeed.connectors.itsm,
    );
    // Resolved (6), not closed (7): a closed incident is read-only on ServiceNow, so a route that
    // reopens recovers into the connector's auto-close state 6 instead.
    resolvingId = await connector(
      '.servicenow',
      {
        apiUrl: sim.url,
        usesTableApi: false,
        ticketSettings: {
          autoCloseState: '6',
          closeCode: 'Solved (Permanently)',
          closeNotes: 'The alert recovered.',
        },
      },
      demoSeed.connectors.itsm,
    );
    itomId = await connector('.servicenow-itom', { apiUrl: sim.url }, demoSeed.connectors.itom);
    const incident = {
      short_description: '{{rule.name}} on {{alert.id}}',
      description: '{{annotations.summary}}',
    };
    await addRoute('close-new', {
      name: 'close, then a new incident',
      matchers: [{ field: 'rule.id', op: '=', value: 'r1' }],
      connector_id: itsmId,
      sub_action: 'pushToService',
      params: { incident },
      lifecycle: { on_recovery: 'close', after_close: 'new' },
    });
    await addRoute('resolve-reopen', {
      name: 'resolve, then reopen inside the window',
      matchers: [{ field: 'rule.id', op: '=', value: 'r2' }],
      connector_id: resolvingId,
      sub_action: 'pushToService',
      params: { incident },
      lifecycle: { on_recovery: 'close', after_close: 'reopen', reopen_window: '1500ms' },
    });
    await addRoute('itom', {
      name: 'events',
      matchers: [{ field: 'rule.id', op: '=', value: 'r3' }],
      connector_id: itomId,
      sub_action: 'addEvent',
      params: {
        source: 'casebridge',
        event_class: 'prometheus',
        resource: '{{alert.id}}',
        node: '{{alert.id}}',
        type: '{{rule.name}}',
        severity: '2',
        description: '{{annotations.summary}}',
      },
      lifecycle: { on_recovery: 'close', after_close: 'new' },
    });
    await t.app.queue.startWorker();
  });
  beforeEach(() => sim.requestLog.clear());
  afterAll(async () => {
    await t.app.queue.stopWorkers(1_000);
    await t.close();
    await sim.close();
  });

  it('fire, fire again, recover, fire after close: one incident updated, closed, then a new one', async () => {
    expect(await fire('r1', 'firing', 91)).toBe('create');
    const [incident] = incidents('r1:h1');
    expect(incident).toMatchObject({ short_description: 'rule r1 on h1', description: 'value is 91' });
    expect(incident?.state).toBe('1');
    // The create's answer was recorded in the delivery's success transaction.
    expect((await state('close-new'))?.ticket).toMatchObject({
      status: 'open',
      key: 'r1:h1',
      external_id: incident?.sys_id,
      number: incident?.number,
    });
    expect((await state('close-new'))?.ticket.url).toContain(String(incident?.sys_id));

    expect(await fire('r1', 'firing', 95)).toBe('update');
    expect(incidents('r1:h1')).toHaveLength(1);
    expect(sim.tables.get('incident', String(incident?.sys_id))?.description).toBe('value is 95');

    sim.requestLog.clear();
    expect(await fire('r1', 'recovered')).toBe('close');
    const closed = sim.tables.get('incident', String(incident?.sys_id));
    expect(closed).toMatchObject({ state: '7', active: 'false' });
    expect(closed?.close_code).not.toBe('');
    // closeIncident finds the incident by correlation id on the target, then writes it.
    const sysId = String(incident?.sys_id);
    expect(requests()).toEqual([
      `GET /api/now/v2/table/incident/${sysId}`,
      'GET /api/x_elas2_inc_int/elastic_api/health',
      'POST /api/now/import/x_elas2_inc_int_elastic_incident',
      `GET /api/now/v2/table/incident/${sysId}`,
    ]);
    expect(sim.requestLog.find('/api/now/import/')[0]?.body).toMatchObject({
      elastic_incident_id: sysId,
      u_state: '7',
    });

    expect(await fire('r1', 'recovered')).toBe('none');
    expect(await fire('r1', 'firing', 99)).toBe('create');
    const [second] = incidents('r1:h1#2');
    expect(second).toMatchObject({ state: '1', description: 'value is 99' });
    expect(second?.sys_id).not.toBe(incident?.sys_id);
    expect(sim.tables.get('incident', String(incident?.sys_id))?.state).toBe('7');
    expect((await state('close-new'))?.ticket).toMatchObject({
      status: 'open',
      key: 'r1:h1#2',
      generation: 2,
      external_id: second?.sys_id,
    });
  });

  it('recover into resolved (connector auto-close state), fire inside the reopen window (reopened), then after it (new incident)', async () => {
    expect(await fire('r2', 'firing')).toBe('create');
    const [incident] = incidents('r2:h1');
    const sysId = String(incident?.sys_id);
    expect(await fire('r2', 'recovered')).toBe('close');
    expect(sim.tables.get('incident', sysId)).toMatchObject({
      state: '6',
      close_code: 'Solved (Permanently)',
      close_notes: 'The alert recovered.',
    });

    expect(await fire('r2', 'firing')).toBe('reopen');
    expect(sim.tables.get('incident', sysId)).toMatchObject({ state: '2', reopen_count: '1' });
    expect(incidents('r2:h1')).toHaveLength(1);
    // Every write went to the incident the create made, by its sys_id (the import set carries it).
    const imports = sim.requestLog.all().filter((entry) => entry.path.startsWith('/api/now/import/'));
    expect(imports.length).toBe(3);
    expect(imports.slice(1).every((entry) => JSON.stringify(entry.body).includes(sysId))).toBe(true);

    expect(await fire('r2', 'recovered')).toBe('close');
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(await fire('r2', 'firing')).toBe('create');
    expect(incidents('r2:h1#2')).toHaveLength(1);
    expect(sim.tables.get('incident', sysId)?.state).toBe('6');
    expect((await state('resolve-reopen'))?.last_reason).toBe('fired after the reopen window: new ticket');
  });

  it('ITOM: an event per firing under one message key, then severity 0 clears the alert', async () => {
    expect(await fire('r3', 'firing', 80)).toBe('create');
    expect(await fire('r3', 'firing', 85)).toBe('update');
    expect(sim.tables.list('em_event', 'message_key=r3:h1')).toHaveLength(2);
    const alerts = sim.tables.list('em_alert', 'message_key=r3:h1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.state).toBe('Open');

    expect(await fire('r3', 'recovered')).toBe('close');
    expect(sim.tables.list('em_alert', 'message_key=r3:h1')[0]?.state).toBe('Closed');
    const events = sim.requestLog.all().filter((entry) => entry.path === '/api/global/em/jsonv2');
    expect(events).toHaveLength(3);
    expect(
      events.map((entry) => (entry.body as { records: { severity: string }[] }).records[0]?.severity),
    ).toEqual(['2', '2', '0']);
    expect((await state('itom'))?.ticket).toMatchObject({ status: 'closed', key: 'r3:h1' });
  });
});
