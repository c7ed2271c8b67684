import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestTokensRepo } from '../../src/store/repos/ingest-tokens-repo.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';

// Alert ingest, routes, matching, rendering, dedup and lifecycle through the HTTP API. Workers
// are not started: these tests look at what is stored and queued.
describe.each(dialects)('alerts API on %s', (dialect) => {
  let t: TestApp;
  let snId: string;
  let sirId: string;
  let hookId: string;

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    auth?: string,
  ) => {
    const res = await t.app.server.inject({
      method,
      url,
      headers: {
        authorization: auth ?? t.adminAuth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return {
      status: res.statusCode,
      body:
        res.body === ''
          ? undefined
          : (JSON.parse(res.body) as Record<string, unknown> & { alerts: Outcome[] }),
    };
  };
  type Outcome = {
    alert_id: string;
    routes: {
      route_id: string;
      action: string;
      reason: string;
      delivery_id: string | null;
      correlation_key: string;
    }[];
  };
  const count = async (table: 'deliveries' | 'alert_states') =>
    Number(
      (
        await t.testStore.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const delivery = async (id: string | null) =>
    JSON.parse(
      (
        await t.testStore.store.db
          .selectFrom('deliveries')
          .select('params')
          .where('id', '=', id ?? '')
          .executeTakeFirstOrThrow()
      ).params,
    ) as {
      subAction: string;
      subActionParams: Record<string, Record<string, unknown>>;
      body?: string;
    };
  const connector = async (type: string, config: Record<string, unknown>, secrets: Record<string, unknown>) =>
    (await call('POST', '/api/actions/connector', { name: type, connector_type_id: type, config, secrets }))
      .body?.id as string;
  const alert = (status: string, extra: Record<string, unknown> = {}) => ({
    source: 'kibana',
    rule: { id: 'r1', name: 'CPU high', tags: ['infra'] },
    alert: { id: 'host-1' },
    status,
    severity: 'critical',
    labels: { team: 'ops', severity: 'critical' },
    context: { value: 97.5 },
    ...extra,
  });
  const route = (extra: Record<string, unknown> = {}) => ({
    name: 'ops to ServiceNow',
    connector_id: snId,
    sub_action: 'pushToService',
    params: {
      incident: {
        short_description: '{{rule.name}} on {{alert.id}}',
        description: 'value {{context.value}} {{labels}}',
      },
    },
    matchers: [{ field: 'labels.team', op: '=', value: 'ops' }],
    ...extra,
  });
  const setExternalId = (id: string) =>
    t.testStore.store.db.updateTable('alert_states').set({ external_id: id }).execute();

  beforeAll(async () => {
    t = await createTestApp({ dialect, config: { 'queue.enabled': false } });
    const sn = { apiUrl: 'https://example.service-now.com', usesTableApi: true };
    snId = await connector('.servicenow', sn, { username: 'u', password: 'p' });
    sirId = await connector('.servicenow-sir', sn, { username: 'u', password: 'p' });
    hookId = await connector(
      '.webhook',
      { url: 'https://hooks.example.com/in', method: 'post', hasAuth: false },
      {},
    );
  });
  beforeEach(async () => {
    const db = t.testStore.store.db;
    for (const table of ['alert_routes', 'alert_states', 'alert_deliveries', 'deliveries'] as const)
      await db.deleteFrom(table).execute();
  });
  afterAll(async () => t.close());

  it('creates, lists, reads, replaces and deletes routes', async () => {
    const created = await call('POST', '/api/casebridge/routes/sn', route());
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'sn', is_preconfigured: false, connector_id: snId });
    expect((await call('POST', '/api/casebridge/routes/sn', route())).body).toMatchObject({
      code: 'CB_ERR_CONFLICT',
    });
    expect((await call('GET', '/api/casebridge/routes')).body).toHaveLength(1);
    expect((await call('PUT', '/api/casebridge/routes/sn', route({ name: 'renamed' }))).body).toMatchObject({
      name: 'renamed',
    });
    expect((await call('GET', '/api/casebridge/routes/sn')).body).toMatchObject({ name: 'renamed' });
    expect((await call('POST', '/api/casebridge/routes', route(), t.readAuth)).status).toBe(403);
    expect((await call('DELETE', '/api/casebridge/routes/sn')).status).toBe(204);
    expect((await call('GET', '/api/casebridge/routes/sn')).status).toBe(404);
  });

  it('refuses invalid routes with a message that says what to fix, storing nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        route({ params: { incident: { short_description: '{{rule.name}' } } }),
        /params\.incident\.short_description: the Mustache template does not parse/,
      ],
      [
        route({ matchers: [{ field: 'labels.x', op: '=~', value: '(' }] }),
        /matchers\.0: value is not a valid regular expression/,
      ],
      [route({ connector_id: 'nope' }), /connector nope does not exist/],
      [route({ sub_action: 'closeIncident' }), /routes use "pushToService"/],
      [route({ connector_id: sirId, lifecycle: { on_recovery: 'close' } }), /cannot close a ticket/],
      [route({ connector_id: hookId, params: { body: '{}' } }), /take no sub_action/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/casebridge/routes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'CB_ERR_ROUTE_INVALID' });
      expect(String(res.body?.message)).toMatch(message);
    }
    expect(
      (
        await call(
          'POST',
          '/api/casebridge/routes',
          route({ matchers: [{ field: 'x', op: '~', value: '' }] }),
        )
      ).body,
    ).toMatchObject({
      code: 'CB_ERR_VALIDATION',
    });
    expect(await count('alert_states')).toBe(0);
    expect((await call('GET', '/api/casebridge/routes')).body).toHaveLength(0);
  });

  it('refuses bad alert payloads with 400 and stores nothing', async () => {
    await call('POST', '/api/casebridge/routes/sn', route());
    const bad: [string, unknown, RegExp][] = [
      [
        '/api/casebridge/alerts',
        { source: 'kibana', rule: { id: 'r' }, alert: { id: 'a' }, status: 'burning' },
        /status\]: must be "firing" or "recovered"/,
      ],
      [
        '/api/casebridge/alerts',
        [alert('firing'), { status: 'firing' }],
        /\[request body\.1\.source\]: is required.*\[request body\.1\.rule\.id\]/,
      ],
      ['/api/casebridge/alerts', [], /empty array/],
      [
        '/api/casebridge/alerts',
        alert('firing', { labels: { a: { b: 1 } } }),
        /labels\.a\]: must be a string/,
      ],
      [
        '/api/casebridge/alerts',
        alert('firing', { started_at: 'yesterday' }),
        /started_at\]: must be an ISO-8601/,
      ],
      ['/api/casebridge/alerts/alertmanager', { version: '3', alerts: [] }, /version\]: must be "4"/],
      [
        '/api/casebridge/alerts/alertmanager',
        { version: '4', alerts: [{ status: 'firing', labels: {} }] },
        /alerts\.0\.fingerprint\]: is required/,
      ],
    ];
    for (const [url, body, message] of bad) {
      const res = await call('POST', url, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'CB_ERR_ALERT_INVALID' });
      expect(String(res.body?.message)).toMatch(message);
    }
    const notJson = await t.app.server.inject({
      method: 'POST',
      url: '/api/casebridge/alerts',
      headers: { authorization: t.adminAuth, 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(await count('alert_states')).toBe(0);
    expect(await count('deliveries')).toBe(0);
  });

  it('fire, fire again, recover: create, update by sys_id, close by correlation id', async () => {
    await call('POST', '/api/casebridge/routes/sn', route());
    const first = await call('POST', '/api/casebridge/alerts', alert('firing'));
    expect(first.status).toBe(202);
    const created = first.body?.alerts[0]?.routes[0];
    expect(created).toMatchObject({ route_id: 'sn', action: 'create', correlation_key: 'r1:host-1' });
    const createParams = await delivery(created?.delivery_id ?? null);
    expect(createParams).toMatchObject({
      subAction: 'pushToService',
      subActionParams: {
        incident: { short_description: 'CPU high on host-1', correlation_id: 'r1:host-1', externalId: null },
      },
    });
    expect(createParams.subActionParams.incident?.description).toBe(
      'value 97.5 {"team":"ops","severity":"critical"}',
    );

    // Before the create reports the incident's sys_id, a repeat folds into it.
    const early = await call('POST', '/api/casebridge/alerts', alert('firing'));
    expect(early.body?.alerts[0]?.routes[0]).toMatchObject({
      action: 'none',
      reason: 'coalesced',
      delivery_id: null,
    });

    await setExternalId('sys-1');
    const again = (await call('POST', '/api/casebridge/alerts', alert('firing'))).body?.alerts[0]?.routes[0];
    expect(again?.action).toBe('update');
    expect((await delivery(again?.delivery_id ?? null)).subActionParams.incident).toMatchObject({
      externalId: 'sys-1',
      correlation_id: 'r1:host-1',
    });

    const recovered = (await call('POST', '/api/casebridge/alerts', alert('recovered'))).body?.alerts[0]
      ?.routes[0];
    expect(recovered?.action).toBe('close');
    expect(await delivery(recovered?.delivery_id ?? null)).toEqual({
      subAction: 'closeIncident',
      subActionParams: { incident: { externalId: 'sys-1', correlation_id: 'r1:host-1' } },
    });
    expect(
      (await call('POST', '/api/casebridge/alerts', alert('recovered'))).body?.alerts[0]?.routes[0]?.reason,
    ).toBe('already_closed');

    const states = await call('GET', '/api/casebridge/alerts?route_id=sn');
    expect(states.body).toMatchObject({
      total: 1,
      data: [
        {
          ticket: { status: 'closed', external_id: 'sys-1', generation: 1 },
          counts: { fired: 3, recovered: 2 },
        },
      ],
    });
    expect(await count('deliveries')).toBe(3);
  });

  it('after close: reopens inside the window and opens a new ticket (new key) outside it', async () => {
    await call(
      'POST',
      '/api/casebridge/routes/sn',
      route({
        lifecycle: {
          after_close: 'reopen',
          reopen_window: '1h',
          close_code: 'Solved (Permanently)',
          close_notes: 'recovered',
        },
      }),
    );
    await call('POST', '/api/casebridge/alerts', alert('firing'));
    await setExternalId('sys-1');
    const close = (await call('POST', '/api/casebridge/alerts', alert('recovered'))).body?.alerts[0]
      ?.routes[0];
    expect((await delivery(close?.delivery_id ?? null)).subActionParams.incident).toMatchObject({
      externalId: 'sys-1',
      state: '7',
      additional_fields: { close_code: 'Solved (Permanently)', close_notes: 'recovered' },
    });
    const reopen = (await call('POST', '/api/casebridge/alerts', alert('firing'))).body?.alerts[0]?.routes[0];
    expect(reopen?.action).toBe('reopen');
    expect((await delivery(reopen?.delivery_id ?? null)).subActionParams.incident).toMatchObject({
      externalId: 'sys-1',
      state: '2',
    });

    await call('POST', '/api/casebridge/alerts', alert('recovered'));
    await t.testStore.store.db
      .updateTable('alert_states')
      .set({ closed_at: new Date(Date.now() - 2 * 3_600_000).toISOString() })
      .execute();
    const fresh = (await call('POST', '/api/casebridge/alerts', alert('firing'))).body?.alerts[0]?.routes[0];
    expect(fresh).toMatchObject({ action: 'create', reason: 'fired after the reopen window: new ticket' });
    expect((await delivery(fresh?.delivery_id ?? null)).subActionParams.incident).toMatchObject({
      externalId: null,
      correlation_id: 'r1:host-1#2',
    });
  });

  it('honours ignore, update and won’t-fix after close', async () => {
    await call(
      'POST',
      '/api/casebridge/routes/sn',
      route({ lifecycle: { after_close: 'ignore', wont_fix_states: ['8'] } }),
    );
    await call('POST', '/api/casebridge/alerts', alert('firing'));
    await setExternalId('sys-1');
    await call('POST', '/api/casebridge/alerts', alert('recovered'));
    expect(
      (await call('POST', '/api/casebridge/alerts', alert('firing'))).body?.alerts[0]?.routes[0]?.reason,
    ).toBe('ignored');
    await t.testStore.store.db.updateTable('alert_states').set({ target_state: '8' }).execute();
    expect(
      (await call('POST', '/api/casebridge/alerts', alert('firing'))).body?.alerts[0]?.routes[0]?.action,
    ).toBe('create');
  });

  it('groups a burst of updates into one', async () => {
    await call('POST', '/api/casebridge/routes/sn', route({ grouping_window: '1h' }));
    await call('POST', '/api/casebridge/alerts', alert('firing'));
    await setExternalId('sys-1');
    const burst = await call('POST', '/api/casebridge/alerts', [
      alert('firing'),
      alert('firing'),
      alert('firing'),
    ]);
    expect(burst.body?.alerts.map((entry) => entry.routes[0]?.reason)).toEqual([
      'coalesced',
      'coalesced',
      'coalesced',
    ]);
    expect(await count('deliveries')).toBe(1);
  });

  it('matches with = != =~ !~ and follows continue/stop in order', async () => {
    await call(
      'POST',
      '/api/casebridge/routes/a',
      route({ order: 1, continue: true, matchers: [{ field: 'severity', op: '=~', value: 'crit.*|high' }] }),
    );
    await call(
      'POST',
      '/api/casebridge/routes/b',
      route({
        order: 2,
        matchers: [
          { field: 'source', op: '!=', value: 'grafana' },
          { field: 'labels.env', op: '!~', value: 'dev|test' },
        ],
      }),
    );
    await call('POST', '/api/casebridge/routes/c', route({ order: 3, matchers: [] }));
    const routed = async (extra: Record<string, unknown>) =>
      (await call('POST', '/api/casebridge/alerts', alert('firing', extra))).body?.alerts[0]?.routes.map(
        (entry) => entry.route_id,
      );
    expect(await routed({ alert: { id: 'x1' } })).toEqual(['a', 'b']);
    expect(await routed({ alert: { id: 'x2' }, severity: 'warning' })).toEqual(['b']);
    expect(await routed({ alert: { id: 'x3' }, severity: 'low', labels: { env: 'dev' } })).toEqual(['c']);
  });

  it('accepts dotted ECS keys from a Kibana webhook body and hashes keys longer than the target allows', async () => {
    await call(
      'POST',
      '/api/casebridge/routes/sn',
      route({
        matchers: [{ field: 'kibana.alert.rule.category', op: '=', value: 'Metric threshold' }],
        correlation_key: '{{rule.id}}:{{alert.id}}:{{kibana.alert.reason}}',
      }),
    );
    const reason = 'x'.repeat(200);
    const res = await call('POST', '/api/casebridge/alerts', {
      source: 'kibana',
      'kibana.alert.rule.uuid': 'rule-uuid',
      'kibana.alert.rule.name': 'Latency',
      'kibana.alert.rule.category': 'Metric threshold',
      'kibana.alert.instance.id': 'svc-a',
      'kibana.alert.status': 'active',
      'kibana.alert.reason': reason,
    });
    expect(res.status).toBe(202);
    const outcome = res.body?.alerts[0]?.routes[0];
    expect(outcome?.correlation_key.startsWith('rule-uuid:svc-a:')).toBe(true);
    const sent = (await delivery(outcome?.delivery_id ?? null)).subActionParams.incident;
    expect(sent?.short_description).toBe('Latency on svc-a');
    expect(String(sent?.correlation_id)).toMatch(/^rule-uuid:svc-a:x{19}#[0-9a-f]{64}$/);
    expect(String(sent?.correlation_id)).toHaveLength(100);
  });

  it('splits an Alertmanager batch into alerts keyed by fingerprint and renders a webhook body as JSON', async () => {
    await call('POST', '/api/casebridge/routes/hook', {
      name: 'to webhook',
      connector_id: hookId,
      params: {
        body: '{"action":"{{lifecycle.action}}","key":"{{lifecycle.key}}","summary":"{{annotations.summary}}"}',
      },
    });
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="Disk"}',
      status: 'firing',
      receiver: 'casebridge',
      groupLabels: { alertname: 'Disk' },
      commonLabels: { alertname: 'Disk' },
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Disk', instance: 'a' },
          annotations: { summary: 'disk "a" full' },
          startsAt: '2024-05-01T10:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom/graph',
          fingerprint: 'f1',
        },
        {
          status: 'resolved',
          labels: { alertname: 'Disk', instance: 'b' },
          annotations: {},
          startsAt: '2024-05-01T10:00:00Z',
          endsAt: '2024-05-01T11:00:00Z',
          generatorURL: '',
          fingerprint: 'f2',
        },
      ],
    };
    const res = await call('POST', '/api/casebridge/alerts/alertmanager', payload);
    expect(res.status).toBe(202);
    expect(
      res.body?.alerts.map((entry) => [entry.alert_id, entry.routes[0]?.action, entry.routes[0]?.reason]),
    ).toEqual([
      ['Disk:f1', 'create', 'first firing'],
      ['Disk:f2', 'none', 'no_ticket'],
    ]);
    const body = (await delivery(res.body?.alerts[0]?.routes[0]?.delivery_id ?? null)).body ?? '';
    expect(JSON.parse(body)).toEqual({ action: 'create', key: 'Disk:f1', summary: 'disk "a" full' });
  });

  it('lets ingest tokens post alerts (bearer or basic) and nothing else', async () => {
    await call('POST', '/api/casebridge/routes/sn', route());
    const { token } = await ingestTokensRepo.create(t.testStore.store.db, 'am', 'alertmanager');
    const basic = `Basic ${Buffer.from(`alertmanager:${token}`).toString('base64')}`;
    expect(
      (
        await call(
          'POST',
          '/api/casebridge/alerts',
          alert('firing', { source: 'alertmanager' }),
          `Bearer ${token}`,
        )
      ).status,
    ).toBe(202);
    expect((await call('POST', '/api/casebridge/alerts', alert('firing'), basic)).body).toMatchObject({
      code: 'CB_ERR_ALERT_SOURCE_MISMATCH',
    });
    expect((await call('GET', '/api/casebridge/alerts', undefined, `Bearer ${token}`)).status).toBe(401);
    expect((await call('GET', '/api/casebridge/routes', undefined, basic)).status).toBe(401);
    expect((await call('POST', '/api/casebridge/alerts', alert('firing'), t.readAuth)).status).toBe(403);
    await ingestTokensRepo.revoke(t.testStore.store.db, 'am');
    expect(
      (
        await call(
          'POST',
          '/api/casebridge/alerts',
          alert('firing', { source: 'alertmanager' }),
          `Bearer ${token}`,
        )
      ).status,
    ).toBe(401);
  });
});
