import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, basic, call, errorOf, resultOf } from './test-support.js';

let sn: ServiceNowSimulator;

beforeAll(async () => {
  sn = await startServiceNowSimulator({
    extraUsers: [
      { user_name: 'gone', password: 'gone', roles: ['itil'], active: false },
      { user_name: 'tagger', password: 'tagger', roles: ['tag_writer'] },
    ],
    acl: { label_entry: { create: ['tag_writer'] } },
  });
});
afterAll(() => sn.close());

describe('basic auth', () => {
  it('answers 401 with the envelope and a Basic challenge without or with wrong credentials', async () => {
    for (const auth of [
      null,
      basic('itil.user', 'wrong'),
      basic('nobody', 'x'),
      basic('gone', 'gone'),
      'Basic !!!',
      'Digest x',
    ]) {
      const reply = await call(sn.url, 'GET', '/api/now/table/incident', { auth });
      expect(reply.status, String(auth)).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Basic realm="Service-now"');
      expect(errorOf(reply)).toEqual({
        message: 'User Not Authenticated',
        detail: 'Required to provide Auth information',
      });
    }
  });

  it('authenticates before routing, so unknown paths still need credentials', async () => {
    expect((await call(sn.url, 'GET', '/api/now/table/nope', { auth: null })).status).toBe(401);
  });
});

describe('ACLs', () => {
  it('refuses a user without roles: insert 403, list 403, single record looks missing (404)', async () => {
    const noRoles = as('no.roles');
    const insert = await call(sn.url, 'POST', '/api/now/table/incident', {
      auth: noRoles,
      body: { short_description: 'x' },
    });
    expect(insert.status).toBe(403);
    expect(errorOf(insert)).toEqual({
      message: 'Operation Failed',
      detail: 'ACL Exception Insert Failed due to security constraints',
    });
    expect((await call(sn.url, 'GET', '/api/now/table/incident', { auth: noRoles })).status).toBe(403);
    const rec = sn.tables.insert('incident', { short_description: 'hidden' });
    const one = await call(sn.url, 'GET', `/api/now/table/incident/${rec.sys_id}`, { auth: noRoles });
    expect(one.status).toBe(404);
    const update = await call(sn.url, 'PATCH', `/api/now/table/incident/${rec.sys_id}`, {
      auth: noRoles,
      body: {},
    });
    expect(update.status).toBe(404);
  });

  it('lets itil work incidents but not delete them, nor touch security incidents', async () => {
    const itil = as('itil.user');
    const created = resultOf(await call(sn.url, 'POST', '/api/now/table/incident', { auth: itil, body: {} }));
    const del = await call(sn.url, 'DELETE', `/api/now/table/incident/${String(created.sys_id)}`, {
      auth: itil,
    });
    expect(del.status).toBe(403);
    expect(errorOf(del).detail).toBe('ACL Exception Delete Failed due to security constraints');
    expect(
      (await call(sn.url, 'POST', '/api/now/table/sn_si_incident', { auth: itil, body: {} })).status,
    ).toBe(403);
  });

  it('grants through contained roles: the Elastic ITSM app role contains itil', async () => {
    const reply = await call(sn.url, 'POST', '/api/now/v2/table/incident', {
      auth: as('casebridge.itsm'),
      body: {},
    });
    expect(reply.status).toBe(201);
    const sir = await call(sn.url, 'POST', '/api/now/table/sn_si_incident', {
      auth: as('casebridge.sir'),
      body: {},
    });
    expect(sir.status).toBe(201);
  });

  it('restricts label_entry writes to admin unless an ACL override grants a role', async () => {
    const label = sn.tables.list('label', 'name=casebridge')[0];
    const rec = sn.tables.insert('incident', { short_description: 'tagged' });
    const body = { label: label?.sys_id, table: 'incident', table_key: rec.sys_id, title: 'INC tag' };
    expect(
      (await call(sn.url, 'POST', '/api/now/table/label_entry', { auth: as('itil.user'), body })).status,
    ).toBe(403);
    const ok = await call(sn.url, 'POST', '/api/now/table/label_entry', {
      auth: basic('tagger', 'tagger'),
      body,
    });
    expect(ok.status).toBe(201);
    expect(resultOf(ok).label).toMatchObject({ value: label?.sys_id });
  });

  it('gives the ITOM user events but not incidents', async () => {
    const itom = as('casebridge.itom');
    expect((await call(sn.url, 'GET', '/api/now/table/incident', { auth: itom })).status).toBe(403);
    expect(
      (await call(sn.url, 'GET', '/api/now/table/sys_choice?name=em_event', { auth: itom })).status,
    ).toBe(200);
  });
});
