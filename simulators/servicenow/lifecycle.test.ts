import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';
import { as, call, errorOf, resultOf, rowsOf } from './test-support.js';

let sn: ServiceNowSimulator;
const itil = as('itil.user');

beforeAll(async () => {
  sn = await startServiceNowSimulator();
});
afterAll(() => sn.close());
beforeEach(() => sn.control.reset());

async function create(body: Record<string, unknown> = {}): Promise<string> {
  const reply = await call(sn.url, 'POST', '/api/now/table/incident', {
    auth: itil,
    body: { short_description: 'lifecycle', ...body },
  });
  expect(reply.status).toBe(201);
  return String(resultOf(reply).sys_id);
}

function patch(id: string, body: Record<string, unknown>, auth = itil) {
  return call(sn.url, 'PATCH', `/api/now/table/incident/${id}`, { auth, body });
}

describe('journal fields', () => {
  it('appends work_notes and comments instead of overwriting, and lists them in sys_journal_field', async () => {
    const id = await create({ work_notes: 'first note' });
    await patch(id, { work_notes: 'second note', comments: 'visible to the caller' });
    const record = resultOf(await call(sn.url, 'GET', `/api/now/table/incident/${id}`, { auth: itil }));
    // A read returns the newest entry (issue 4); the whole history lives in sys_journal_field.
    expect(record.work_notes).toBe('second note');
    expect(record.comments).toBe('visible to the caller');

    const display = resultOf(
      await call(
        sn.url,
        'GET',
        `/api/now/table/incident/${id}?sysparm_display_value=true&sysparm_fields=work_notes`,
        {
          auth: itil,
        },
      ),
    );
    const text = String(display.work_notes);
    expect(text.indexOf('second note')).toBeLessThan(text.indexOf('first note')); // newest first
    expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - ITIL User \(Work notes\)\nsecond note\n\n/);

    const journal = rowsOf(
      await call(
        sn.url,
        'GET',
        `/api/now/table/sys_journal_field?sysparm_query=element_id=${id}^element=work_notes^ORDERBYDESCsys_created_on&sysparm_fields=value,element,name,sys_created_by`,
        { auth: itil },
      ),
    );
    expect(journal).toEqual([
      { value: 'second note', element: 'work_notes', name: 'incident', sys_created_by: 'itil.user' },
      { value: 'first note', element: 'work_notes', name: 'incident', sys_created_by: 'itil.user' },
    ]);
    expect(sn.tables.journal(id, 'comments').map((e) => e.value)).toEqual(['visible to the caller']);
  });

  it('reads back "" instead of the newest entry with journalValue: empty', async () => {
    const latest = await startServiceNowSimulator({ journalValue: 'empty' });
    try {
      const rec = latest.tables.insert('incident', { work_notes: 'one' });
      latest.tables.update('incident', rec.sys_id ?? '', { work_notes: 'two' });
      const reply = await call(
        latest.url,
        'GET',
        `/api/now/table/incident/${rec.sys_id}?sysparm_fields=work_notes,comments`,
      );
      expect(resultOf(reply)).toEqual({ work_notes: '', comments: '' });
    } finally {
      await latest.close();
    }
  });

  it('does not journal empty or whitespace-only notes', async () => {
    const id = await create({ work_notes: '   ' });
    expect(sn.tables.journal(id)).toEqual([]);
  });
});

describe('incident lifecycle', () => {
  it('defaults to New with impact/urgency 3 and derives priority from impact x urgency', async () => {
    const id = await create();
    expect(sn.tables.get('incident', id)).toMatchObject({
      state: '1',
      impact: '3',
      urgency: '3',
      priority: '5',
      active: 'true',
    });
    const matrix: [string, string, string][] = [
      ['1', '1', '1'],
      ['1', '2', '2'],
      ['2', '2', '3'],
      ['1', '3', '3'],
      ['2', '3', '4'],
      ['3', '3', '5'],
    ];
    for (const [impact, urgency, priority] of matrix) {
      // A direct write to priority is overwritten by the lookup, as with Priority Data Lookup rules.
      const reply = await patch(id, { impact, urgency, priority: '1' });
      expect(resultOf(reply).priority, `${impact}x${urgency}`).toBe(priority);
    }
  });

  it('refuses On Hold without hold_reason and clears hold_reason when leaving On Hold', async () => {
    const id = await create();
    const refused = await patch(id, { state: '3' });
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toEqual({
      message: 'Operation Failed',
      detail: 'Data Policy Exception: The following fields are mandatory: On hold reason',
    });
    expect(resultOf(await patch(id, { state: '3', hold_reason: '1' })).hold_reason).toBe('1');
    expect(resultOf(await patch(id, { state: '2' })).hold_reason).toBe('');
  });

  it('refuses resolving or closing without close_code and close_notes', async () => {
    const id = await create();
    for (const state of ['6', '7']) {
      const refused = await patch(id, { state, close_notes: 'done' });
      expect(refused.status).toBe(403);
      expect(errorOf(refused).detail).toBe(
        'Data Policy Exception: The following fields are mandatory: Resolution code',
      );
    }
    const both = await patch(id, { state: '6' });
    expect(errorOf(both).detail).toContain('Resolution code, Resolution notes');
    expect(sn.tables.get('incident', id)?.state).toBe('1'); // nothing was written
  });

  it('stamps resolution and closure, makes closed incidents read-only, and counts reopens', async () => {
    const id = await create();
    const resolved = resultOf(
      await patch(id, { state: '6', close_code: 'Solution provided', close_notes: 'fixed' }),
    );
    expect(resolved.resolved_at).not.toBe('');
    expect(resolved.active).toBe('true');
    const reopened = resultOf(await patch(id, { state: '2' }));
    expect(reopened).toMatchObject({ resolved_at: '', reopen_count: '1' });

    const closed = resultOf(
      await patch(id, { state: '7', close_code: 'Solution provided', close_notes: 'fixed' }),
    );
    expect(closed).toMatchObject({ state: '7', incident_state: '7', active: 'false' });
    expect(closed.closed_at).not.toBe('');
    const locked = await patch(id, { comments: 'too late' });
    expect(locked.status).toBe(403);
    expect(errorOf(locked).detail).toBe('ACL Exception Update Failed due to security constraints');
    expect((await patch(id, { comments: 'admin may' }, as('admin'))).status).toBe(200);
  });

  it('accepts Kibana legacy close codes by default and can refuse codes not in the choice list', async () => {
    const id = await create();
    const legacy = await patch(id, {
      state: '7',
      close_code: 'Closed/Resolved by Caller',
      close_notes: 'Closed by Caller',
    });
    expect(legacy.status).toBe(200);

    const modern = await startServiceNowSimulator({ closeCodes: 'modern', strictChoices: true });
    try {
      const rec = modern.tables.insert('incident', { short_description: 'strict' });
      const refused = await call(modern.url, 'PATCH', `/api/now/table/incident/${rec.sys_id}`, {
        body: { state: '7', close_code: 'Closed/Resolved by Caller', close_notes: 'x' },
      });
      expect(refused.status).toBe(403);
      expect(errorOf(refused).detail).toContain('Invalid choice value for Resolution code');
    } finally {
      await modern.close();
    }
  });

  it('cancels (state 8) without close fields and deactivates the incident', async () => {
    const id = await create();
    expect(resultOf(await patch(id, { state: '8' }))).toMatchObject({ state: '8', active: 'false' });
  });

  it('closes security incidents with their own states (3 Closed)', async () => {
    const reply = await call(sn.url, 'POST', '/api/now/table/sn_si_incident', {
      auth: as('casebridge.sir'),
      body: { short_description: 'phishing', impact: '1', urgency: '2' },
    });
    const sir = resultOf(reply);
    expect(sir).toMatchObject({ state: '10', priority: '2' });
    const closed = await call(sn.url, 'PATCH', `/api/now/table/sn_si_incident/${String(sir.sys_id)}`, {
      auth: as('casebridge.sir'),
      body: { state: '3' },
    });
    expect(resultOf(closed)).toMatchObject({ state: '3', active: 'false' });
  });
});
