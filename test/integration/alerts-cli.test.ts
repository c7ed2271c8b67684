import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENING, startCliProcess } from '../helpers/serve-process.js';

// `casebridge alerts list|show` as a user runs it: the compiled bin against a running server.
// (`npm test` builds dist/ before the suite runs.)
const run = promisify(execFile);
const bin = new URL('../../bin/casebridge.js', import.meta.url).pathname;

describe('casebridge alerts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-alerts-cli-'));
  const env = {
    CASEBRIDGE_DATA_DIR: dir,
    CASEBRIDGE_DATABASE__URL: `sqlite:${join(dir, 'casebridge.db')}`,
    CASEBRIDGE_LOG_LEVEL: 'warn',
    CASEBRIDGE_QUEUE__ENABLED: 'false',
  };
  let server: ChildProcess;
  let url: string;
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `ApiKey ${readFileSync(join(dir, 'initial-api-key'), 'utf8').trim()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const cli = (...args: string[]) =>
    run(process.execPath, [bin, 'alerts', ...args], { env: { ...process.env, ...env, CASEBRIDGE_URL: url } });

  beforeAll(async () => {
    const started = await startCliProcess(['serve', '--port', '0'], env, { url: LISTENING });
    server = started.child;
    url = started.found.url;
    const hook = await api('POST', '/api/actions/connector', {
      name: 'hook',
      connector_type_id: '.webhook',
      config: { url: 'http://127.0.0.1:9/', hasAuth: false, method: 'post' },
    });
    await api('POST', '/api/casebridge/routes/ops', {
      name: 'ops',
      connector_id: hook.id,
      params: { body: '{"action":"{{lifecycle.action}}"}' },
    });
    await api('POST', '/api/casebridge/alerts', [
      { source: 'kibana', rule: { id: 'cpu' }, alert: { id: 'web-1' }, status: 'firing' },
      { source: 'prometheus', rule: { id: 'disk' }, alert: { id: 'db-1' }, status: 'firing' },
    ]);
  }, 20_000);
  afterAll(() => {
    server.kill('SIGTERM');
  });

  it('lists states with their ticket, filters them, and shows one as JSON', async () => {
    const { stdout } = await cli('list');
    expect(stdout).toMatch(
      /^ops {2}disk:db-1 {2}firing +ticket open {2}fired 1\/recovered 0 {2}\S+ {2}create: first firing$/m,
    );
    expect(stdout).toMatch(/ops {2}cpu:web-1 /);
    expect(stdout.trim().split('\n').at(-1)).toBe('2 of 2');

    const filtered = JSON.parse((await cli('list', '--source', 'kibana', '--json')).stdout) as {
      total: number;
      data: { id: string; correlation_key: string }[];
    };
    expect(filtered.total).toBe(1);
    expect(filtered.data[0]?.correlation_key).toBe('cpu:web-1');

    const one = JSON.parse((await cli('show', filtered.data[0]?.id ?? '')).stdout) as Record<string, unknown>;
    expect(one).toMatchObject({
      route_id: 'ops',
      source: 'kibana',
      ticket: { status: 'open', generation: 1 },
    });
  });
});
