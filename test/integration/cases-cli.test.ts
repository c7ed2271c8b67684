import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SIMULATOR, LISTENING, startCliProcess } from '../helpers/serve-process.js';

// `casebridge cases …` as a user runs it: the compiled bin against `serve --demo`, whose
// in-process ServiceNow simulator receives the pushes. (`npm test` builds dist/ first.)
const run = promisify(execFile);
const bin = new URL('../../bin/casebridge.js', import.meta.url).pathname;

describe('casebridge cases CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-cases-cli-'));
  const env: Record<string, string> = {
    CASEBRIDGE_DATA_DIR: dir,
    CASEBRIDGE_DATABASE__URL: `sqlite:${join(dir, 'casebridge.db')}`,
    CASEBRIDGE_LOG_LEVEL: 'warn',
  };
  let server: ChildProcess;
  let simUrl: string;

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'cases', ...args], {
        env: { ...process.env, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const incident = async (sysId: string) => {
    const reply = await request(`${simUrl}/api/now/table/incident/${sysId}`, {
      headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    });
    return ((await reply.body.json()) as { result: Record<string, string> }).result;
  };

  beforeAll(async () => {
    const started = await startCliProcess(['serve', '--port', '0', '--demo', '--demo-port', '0'], env, {
      api: LISTENING,
      sim: DEMO_SIMULATOR,
    });
    server = started.child;
    env.CASEBRIDGE_URL = started.found.api;
    simUrl = started.found.sim;
  });
  afterAll(() => {
    server.kill('SIGTERM');
  });

  it('creates, comments, pushes, lists, shows and closes a case; the simulator has the incident', async () => {
    const created = await cli(
      'create',
      '--title',
      'Printer on fire',
      '--description',
      'Third floor',
      '--tags',
      'facilities, urgent',
      '--connector',
      'servicenow-demo-itsm',
    );
    expect(created.code).toBe(0);
    const kase = JSON.parse(created.stdout) as { id: string; owner: string; tags: string[] };
    expect(kase).toMatchObject({ owner: 'cases', tags: ['facilities', 'urgent'] });

    expect((await cli('comment', kase.id, 'Extinguisher used')).code).toBe(0);
    const pushed = await cli('push', kase.id);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(new RegExp(`^pushed ${kase.id} to servicenow-demo-itsm: INC\\d+ `));

    const shown = JSON.parse((await cli('show', kase.id)).stdout) as {
      external_service: { external_id: string; external_title: string };
      comments: Array<{ comment: string }>;
    };
    expect(shown.comments.map((comment) => comment.comment)).toEqual(['Extinguisher used']);
    const ticket = await incident(shown.external_service.external_id);
    expect(ticket).toMatchObject({ short_description: 'Printer on fire', state: '1' });

    const listed = await cli('list');
    expect(listed.stdout).toContain(kase.id);
    expect(listed.stdout).toContain(shown.external_service.external_title);
    expect(listed.stdout).toMatch(/1 of 1 cases\n$/);

    expect((await cli('close', kase.id)).stdout).toBe(`closed ${kase.id}\n`);
    expect((await cli('list', '--status', 'closed', '--json')).stdout).toContain(kase.id);
    // Closing by hand does not touch the ticket until the case is pushed (sync is manual).
    expect((await incident(shown.external_service.external_id)).state).toBe('1');
    expect((await cli('push', kase.id)).code).toBe(0);
    expect((await incident(shown.external_service.external_id)).state).toBe('7');
  });

  it('gets and sets the settings; with on-change sync a new case reaches ServiceNow by itself', async () => {
    expect((await cli('settings')).stdout).toBe('{}\n');
    const set = await cli('settings', '--set', '{"sync":"on-change","connector":"servicenow-demo-itsm"}');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      owner: 'cases',
      sync: 'on-change',
      closure_type: 'close-by-user',
      connector: { id: 'servicenow-demo-itsm', type: '.servicenow' },
    });
    const changed = await cli('settings', '--set', '{"closure_type":"close-by-pushing"}');
    expect(JSON.parse(changed.stdout)).toMatchObject({ sync: 'on-change', closure_type: 'close-by-pushing' });

    const kase = JSON.parse(
      (
        await cli(
          'create',
          '--title',
          'Synced by itself',
          '--description',
          'by the queue',
          '--connector',
          'servicenow-demo-itsm',
        )
      ).stdout,
    ) as { id: string };
    let shown: { external_service: { external_id: string } | null; status: string } | undefined;
    for (let i = 0; i < 100 && !shown?.external_service; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      shown = JSON.parse((await cli('show', kase.id)).stdout) as typeof shown;
    }
    expect(shown?.external_service).not.toBeNull();
    // close-by-pushing: the automatic push closed the case.
    expect(shown?.status).toBe('closed');
    const ticket = await incident(shown?.external_service?.external_id ?? '');
    expect(ticket.short_description).toBe('Synced by itself');
  });

  it('reports errors with the API message and a failing exit code', async () => {
    const missing = await cli('show', 'no-such-case');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404');
    expect(missing.stderr).toContain('Saved object [cases/no-such-case] not found');
    const noConnector = await cli(
      'push',
      JSON.parse((await cli('create', '--title', 'x', '--description', 'y')).stdout).id,
    );
    expect(noConnector.code).toBe(2);
    expect(noConnector.stderr).toContain('has no connector');
    const badTitle = await cli('create', '--title', ' ', '--description', 'y');
    expect(badTitle.code).toBe(1);
    expect(badTitle.stderr).toContain('The title field cannot be an empty string.');
  });
});
