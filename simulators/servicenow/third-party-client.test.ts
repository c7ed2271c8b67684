// Fidelity check: the npm package `servicenow-rest-api` (unmodified) against the simulator for
// create, read, query, update and delete. The client hard-codes https:// and reads the instance
// name verbatim when it contains a dot, so the simulator serves TLS with a throw-away certificate
// for 127.0.0.1 and the client trusts it through its own setNetworkOptions (axios options).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSysId } from './clock-ids.js';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';

type Callback = (result: unknown) => void;

/** The part of the client's (untyped, CommonJS) API this test uses. */
interface ServiceNowClient {
  setNetworkOptions(options: Record<string, unknown>): void;
  createNewTask(data: Record<string, string>, table: string, callback: Callback): void;
  getTableData(fields: string[], filters: string[], table: string, callback: Callback): void;
  getSampleData(table: string, callback: Callback): void;
  getSysId(table: string, number: string, callback: Callback): void;
  UpdateTask(table: string, number: string, data: Record<string, string>, callback: Callback): void;
  DeleteTask(table: string, number: string, callback: Callback): void;
}

const require = createRequire(import.meta.url);
const ServiceNow = require('servicenow-rest-api') as new (
  instance: string,
  user: string,
  password: string,
) => ServiceNowClient;
const clientVersion = (require('servicenow-rest-api/package.json') as { version: string }).version;

let sn: ServiceNowSimulator;
let client: ServiceNowClient;
let dir: string;

function promised(run: (callback: Callback) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    run((result) => (result instanceof Error ? reject(result) : resolve(result)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sn-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  sn = await startServiceNowSimulator({ tls });
  client = new ServiceNow(`127.0.0.1:${sn.port}`, 'admin', 'admin');
  client.setNetworkOptions({ httpsAgent: new Agent({ ca: tls.cert }) });
});
afterAll(async () => {
  await sn.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`servicenow-rest-api ${clientVersion} against the simulator`, () => {
  it('serves https', () => {
    expect(sn.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates, reads, queries, updates and deletes an incident', async () => {
    const created = (await promised((cb) =>
      client.createNewTask(
        {
          short_description: 'Printer on fire',
          urgency: '1 - High',
          impact: '2 - Medium',
          caller_id: 'Abel Tuter',
        },
        'incident',
        cb,
      ),
    )) as Record<string, unknown>;
    // The client asks for display values on create, and sends display values as input.
    expect(created).toMatchObject({
      short_description: 'Printer on fire',
      urgency: '1 - High',
      impact: '2 - Medium',
      priority: '2 - High',
      state: 'New',
      caller_id: { display_value: 'Abel Tuter' },
    });
    const number = String(created.number);
    expect(number).toMatch(/^INC\d{7}$/);

    const sample = (await promised((cb) => client.getSampleData('incident', cb))) as unknown[];
    expect(sample).toHaveLength(1);

    const queried = (await promised((cb) =>
      client.getTableData(
        ['number', 'short_description', 'caller_id'],
        ['short_descriptionLIKEprinter', 'urgency=1'],
        'incident',
        cb,
      ),
    )) as Record<string, unknown>[];
    expect(queried).toEqual([
      {
        number,
        short_description: 'Printer on fire',
        caller_id: {
          display_value: 'Abel Tuter',
          link: `${sn.url}/api/now/table/sys_user/${seedSysId('sys_user', 'abel.tuter')}`,
        },
      },
    ]);

    const sysId = await promised((cb) => client.getSysId('incident', number, cb));
    expect(sysId).toMatch(/^[0-9a-f]{32}$/);

    const updated = (await promised((cb) =>
      client.UpdateTask(
        'incident',
        number,
        { state: 'In Progress', work_notes: 'Extinguisher on the way' },
        cb,
      ),
    )) as Record<string, unknown>;
    expect(updated).toMatchObject({ number, state: 'In Progress' });
    expect(String(updated.work_notes)).toContain('Extinguisher on the way');
    expect(sn.tables.get('incident', String(sysId))?.state).toBe('2');

    const deleted = (await promised((cb) => client.DeleteTask('incident', number, cb))) as { status: number };
    expect(deleted.status).toBe(204);
    expect(sn.tables.get('incident', String(sysId))).toBeUndefined();

    const paths = sn.requestLog.all().map((e) => `${e.method} ${e.path}`);
    expect(paths).toEqual([
      'POST /api/now/table/incident',
      'GET /api/now/v2/table/incident',
      'GET /api/now/v2/table/incident',
      'GET /api/now/v2/table/incident',
      'GET /api/now/v2/table/incident',
      `PUT /api/now/table/incident/${String(sysId)}`,
      'GET /api/now/v2/table/incident',
      `DELETE /api/now/table/incident/${String(sysId)}`,
    ]);
  });

  it('surfaces the simulator errors to the client', async () => {
    await expect(promised((cb) => client.getTableData([], [], 'no_such_table', cb))).rejects.toMatchObject({
      response: {
        status: 400,
        data: { error: { message: 'Invalid table no_such_table' }, status: 'failure' },
      },
    });
  });
});
