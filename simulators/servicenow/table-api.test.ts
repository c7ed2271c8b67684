import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedSysId } from './clock-ids.js';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, errorOf, resultOf, rowsOf } from './test-support.js';

let sn: ServiceNowSimulator;
const itil = as('itil.user');

beforeAll(async () => {
  sn = await startServiceNowSimulator({ port: 0 });
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

describe('Table API CRUD', () => {
  it('creates with 201, a Location header, a number and 32-hex sys_id; reads, updates and deletes', async () => {
    const created = await call(sn.url, 'POST', '/api/now/table/incident', {
      auth: itil,
      body: { short_description: 'Disk full', urgency: '2', impact: '2' },
    });
    expect(created.status).toBe(201);
    const rec = resultOf(created);
    expect(rec.number).toBe('INC0010001');
    expect(rec.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(rec.sys_created_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(created.headers.get('location')).toBe(`${sn.url}/api/now/table/incident/${String(rec.sys_id)}`);

    const id = String(rec.sys_id);
    const read = await call(sn.url, 'GET', `/api/now/v2/table/incident/${id}`, { auth: itil });
    expect(read.status).toBe(200);
    expect(resultOf(read).short_description).toBe('Disk full');

    const patched = await call(sn.url, 'PATCH', `/api/now/v1/table/incident/${id}`, {
      auth: itil,
      body: { description: 'details' },
    });
    expect(patched.status).toBe(200);
    expect(resultOf(patched)).toMatchObject({
      description: 'details',
      short_description: 'Disk full',
      sys_mod_count: '1',
    });

    // PUT behaves like a partial update: omitted fields keep their value.
    const put = await call(sn.url, 'PUT', `/api/now/table/incident/${id}`, {
      auth: itil,
      body: { category: 'hardware' },
    });
    expect(resultOf(put)).toMatchObject({ category: 'hardware', description: 'details' });

    const deleted = await call(sn.url, 'DELETE', `/api/now/table/incident/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const gone = await call(sn.url, 'GET', `/api/now/table/incident/${id}`);
    expect(gone.status).toBe(404);
    expect(errorOf(gone)).toEqual({
      message: 'No Record found',
      detail: "Record doesn't exist or ACL restricts the record retrieval",
    });
  });

  it('numbers security incidents SIR0010001 and requests REQ0010001', async () => {
    const sir = await call(sn.url, 'POST', '/api/now/table/sn_si_incident', {
      body: { short_description: 'phish' },
    });
    expect(resultOf(sir)).toMatchObject({ number: 'SIR0010001', state: '10' });
    const req = await call(sn.url, 'POST', '/api/now/table/sc_request', {
      body: { short_description: 'laptop' },
    });
    expect(resultOf(req).number).toBe('REQ0010001');
  });

  it('ignores unknown fields and system fields, coerces types and cuts strings to max_length', async () => {
    const reply = await call(sn.url, 'POST', '/api/now/table/incident', {
      auth: itil,
      body: {
        short_description: 'x'.repeat(500),
        u_custom: 'nope',
        sys_created_by: 'mallory',
        impact: 1,
        urgency: 'not-a-number',
        active: true,
        correlation_display: null,
        watch_list: ['a@example.com', 'b@example.com'],
      },
    });
    expect(reply.status).toBe(201);
    const rec = resultOf(reply);
    expect(rec).not.toHaveProperty('u_custom');
    expect(rec.sys_created_by).toBe('itil.user');
    expect(String(rec.short_description)).toHaveLength(160);
    expect(rec.impact).toBe('1');
    expect(rec.urgency).toBe('3'); // a non-number is not stored; the default stays
    expect(rec.active).toBe('true');
    expect(rec.correlation_display).toBe('');
    expect(rec.watch_list).toBe('a@example.com,b@example.com');
  });

  it('answers bad input with ServiceNow envelopes and never crashes', async () => {
    const unknown = await call(sn.url, 'GET', '/api/now/table/no_such_table');
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toEqual({ message: 'Invalid table no_such_table', detail: null });

    const malformed = await call(sn.url, 'POST', '/api/now/table/incident', {
      raw: '{"short_description": ',
    });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toBe('Exception while reading request');

    const array = await call(sn.url, 'POST', '/api/now/table/incident', {
      body: [{ short_description: 'a' }],
    });
    expect(array.status).toBe(400);
    const empty = await call(sn.url, 'POST', '/api/now/table/incident', { raw: '' });
    expect(empty.status).toBe(400);

    const wrongMethod = await call(sn.url, 'POST', `/api/now/table/incident/${seedSysId('x')}`, { body: {} });
    expect(wrongMethod.status).toBe(405);
    const missing = await call(sn.url, 'PATCH', `/api/now/table/incident/${seedSysId('x')}`, { body: {} });
    expect(missing.status).toBe(404);
    const unknownApi = await call(sn.url, 'GET', '/api/now/nothing/here');
    expect(unknownApi.status).toBe(400);
    expect(errorOf(unknownApi).message).toBe('Requested URI does not represent any resource');

    // An empty object is a valid insert: dictionary "mandatory" is not enforced over REST.
    const blank = await call(sn.url, 'POST', '/api/now/table/incident', { body: {} });
    expect(blank.status).toBe(201);
  });
});

describe('Table API reads', () => {
  it('pages with sysparm_limit/offset, X-Total-Count and Link first/prev/next/last', async () => {
    for (let i = 0; i < 5; i++) sn.tables.insert('incident', { short_description: `paged ${i}` });
    const page = await call(
      sn.url,
      'GET',
      '/api/now/table/incident?sysparm_query=short_descriptionSTARTSWITHpaged&sysparm_limit=2&sysparm_offset=2',
    );
    expect(page.headers.get('x-total-count')).toBe('5');
    expect(rowsOf(page).map((r) => r.short_description)).toEqual(['paged 2', 'paged 3']);
    const link = page.headers.get('link') ?? '';
    const rels = Object.fromEntries(
      [...link.matchAll(/<([^>]+)>;rel="(\w+)"/g)].map((m) => [
        m[2],
        new URL(m[1] ?? '').searchParams.get('sysparm_offset'),
      ]),
    );
    expect(rels).toEqual({ first: '0', prev: '0', next: '4', last: '4' });

    const first = await call(sn.url, 'GET', '/api/now/table/incident?sysparm_limit=2');
    expect(first.headers.get('link')).not.toContain('rel="prev"');
    const last = await call(sn.url, 'GET', '/api/now/table/incident?sysparm_limit=2&sysparm_offset=4');
    expect(last.headers.get('link')).not.toContain('rel="next"');

    const quiet = await call(
      sn.url,
      'GET',
      '/api/now/table/incident?sysparm_no_count=true&sysparm_suppress_pagination_header=true',
    );
    expect(quiet.headers.get('x-total-count')).toBeNull();
    expect(quiet.headers.get('link')).toBeNull();
  });

  it('renders display values false/true/all with reference links, and excludes links on request', async () => {
    const caller = seedSysId('sys_user', 'abel.tuter');
    const rec = sn.tables.insert('incident', {
      short_description: 'refs',
      caller_id: caller,
      impact: '1',
      urgency: '1',
    });
    const path = `/api/now/table/incident/${rec.sys_id}?sysparm_fields=caller_id,priority,state,bogus_field`;
    const raw = resultOf(await call(sn.url, 'GET', path));
    expect(raw).toEqual({
      caller_id: { link: `${sn.url}/api/now/table/sys_user/${caller}`, value: caller },
      priority: '1',
      state: '1',
    });
    const display = resultOf(await call(sn.url, 'GET', `${path}&sysparm_display_value=true`));
    expect(display).toEqual({
      caller_id: { display_value: 'Abel Tuter', link: `${sn.url}/api/now/table/sys_user/${caller}` },
      priority: '1 - Critical',
      state: 'New',
    });
    const all = resultOf(
      await call(sn.url, 'GET', `${path}&sysparm_display_value=all&sysparm_exclude_reference_link=true`),
    );
    expect(all).toEqual({
      caller_id: { display_value: 'Abel Tuter', value: caller },
      priority: { display_value: '1 - Critical', value: '1' },
      state: { display_value: 'New', value: '1' },
    });
    const plain = resultOf(await call(sn.url, 'GET', `${path}&sysparm_exclude_reference_link=true`));
    expect(plain.caller_id).toBe(caller);
  });

  it('resolves references by display value and accepts display values with sysparm_input_display_value', async () => {
    const reply = await call(sn.url, 'POST', '/api/now/table/incident?sysparm_input_display_value=true', {
      body: {
        caller_id: 'Beth Anglin',
        impact: '1 - High',
        urgency: '2 - Medium',
        category: 'Network',
        cmdb_ci: 'host-a',
      },
    });
    const rec = resultOf(reply);
    expect(rec.caller_id).toMatchObject({ value: seedSysId('sys_user', 'beth.anglin') });
    expect(rec.cmdb_ci).toMatchObject({ value: seedSysId('cmdb_ci', 'host-a') });
    expect(rec).toMatchObject({ impact: '1', urgency: '2', priority: '2', category: 'network' });
  });

  it('filters by name-value query parameters and counts with the stats API', async () => {
    sn.tables.insert('incident', { short_description: 'a', category: 'network' });
    sn.tables.insert('incident', { short_description: 'b', category: 'network' });
    sn.tables.insert('incident', { short_description: 'c', category: 'software' });
    const rows = rowsOf(
      await call(sn.url, 'GET', '/api/now/table/incident?category=network&sysparm_fields=short_description'),
    );
    expect(rows).toEqual([{ short_description: 'a' }, { short_description: 'b' }]);
    const stats = await call(
      sn.url,
      'GET',
      '/api/now/stats/incident?sysparm_count=true&sysparm_query=category=software',
    );
    expect(stats.json).toEqual({ result: { stats: { count: '1' } } });
  });

  it('answers field discovery and choice queries the way Kibana sends them', async () => {
    const fields = rowsOf(
      await call(
        sn.url,
        'GET',
        '/api/now/table/sys_dictionary?sysparm_query=name=task^ORname=incident^internal_type=string&active=true&array=false&read_only=false&sysparm_fields=max_length,element,column_label,mandatory',
        { auth: as('casebridge.itsm') },
      ),
    );
    expect(fields).toContainEqual({
      column_label: 'Short description',
      mandatory: 'false',
      max_length: '160',
      element: 'short_description',
    });
    expect(fields).toContainEqual({
      column_label: 'Correlation ID',
      mandatory: 'false',
      max_length: '100',
      element: 'correlation_id',
    });
    expect(fields.some((f) => f.element === 'caller_id')).toBe(false); // a reference, not a string

    const choices = rowsOf(
      await call(
        sn.url,
        'GET',
        '/api/now/table/sys_choice?sysparm_query=name=task^ORname=incident^element=priority^ORelement=category^language=en&sysparm_fields=label,value,dependent_value,element',
        { auth: as('casebridge.itsm') },
      ),
    );
    expect(choices).toContainEqual({
      label: '1 - Critical',
      value: '1',
      dependent_value: '',
      element: 'priority',
    });
    expect(choices).toContainEqual({
      label: 'Software',
      value: 'software',
      dependent_value: '',
      element: 'category',
    });
    expect(choices.every((c) => c.element === 'priority' || c.element === 'category')).toBe(true);
  });

  it('serves the seeded reference tables', async () => {
    for (const table of ['sys_user', 'sys_user_group', 'cmdb_ci', 'cmdb_ci_service', 'label', 'sys_choice']) {
      const reply = await call(sn.url, 'GET', `/api/now/table/${table}?sysparm_limit=1`, { auth: itil });
      expect(Number(reply.headers.get('x-total-count')), table).toBeGreaterThan(0);
    }
    const group = rowsOf(await call(sn.url, 'GET', '/api/now/table/sys_user_group?name=Service%20Desk'));
    expect(group[0]?.sys_id).toBe(seedSysId('sys_user_group', 'Service Desk'));
  });
});
