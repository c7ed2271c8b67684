import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SIMULATOR, LISTENING, startCliProcess } from '../helpers/serve-process.js';

// `casebridge serve --demo` as a new user runs it: the simulator in-process and preconfigured
// ServiceNow connectors, so a first incident can be pushed with one curl.
describe('serve --demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-demo-'));
  let child: ChildProcess;
  let url = '';
  let simulatorUrl = '';

  beforeAll(async () => {
    const started = await startCliProcess(
      ['serve', '--demo', '--demo-port', '0', '--port', '0'],
      {
        CASEBRIDGE_DATA_DIR: dir,
        CASEBRIDGE_DATABASE__URL: `sqlite:${join(dir, 'casebridge.db')}`,
        CASEBRIDGE_LOG_LEVEL: 'warn',
      },
      { url: LISTENING, simulator: DEMO_SIMULATOR },
    );
    child = started.child;
    url = started.found.url;
    simulatorUrl = started.found.simulator;
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('pushes a first incident to the simulator through the preconfigured ITSM connector', async () => {
    const key = readFileSync(join(dir, 'initial-api-key'), 'utf8').trim();
    const response = await request(`${url}/api/actions/connector/servicenow-demo-itsm/_execute`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        params: {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'My first casebridge incident', urgency: '2' } },
        },
      }),
    });
    const result = (await response.body.json()) as { status: string; data: { id: string; title: string } };
    expect(result.status).toBe('ok');
    expect(result.data.title).toMatch(/^INC\d{7}$/);
    const incident = await request(`${simulatorUrl}/api/now/table/incident/${result.data.id}`, {
      headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    });
    const body = (await incident.body.json()) as { result: { short_description: string; number: string } };
    expect(body.result).toMatchObject({
      short_description: 'My first casebridge incident',
      number: result.data.title,
    });
  });
});
