import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENING, startCliProcess } from '../helpers/serve-process.js';

// The CLI as a user runs it: the compiled bin in child processes, on a fresh data folder.
// (`npm test` builds dist/ before the suite runs.)
const run = promisify(execFile);
const bin = new URL('../../bin/casebridge.js', import.meta.url).pathname;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  if (input !== undefined) {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input);
    });
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('casebridge CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'casebridge-cli-'));
  const env = {
    CASEBRIDGE_DATA_DIR: dir,
    CASEBRIDGE_DATABASE__URL: `sqlite:${join(dir, 'casebridge.db')}`,
    CASEBRIDGE_LOG_LEVEL: 'warn',
    // The revocation test needs the server to see a revoke by the CLI at once.
    CASEBRIDGE_AUTH__API_KEY_CACHE_SECONDS: '0',
  };
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const started = await startCliProcess(['serve', '--port', '0'], env, { url: LISTENING });
    server = started.child;
    url = started.found.url;
  });
  afterAll(() => {
    server.kill('SIGTERM');
  });

  it('first start writes the admin key (0600) and a generated encryption key (0600)', () => {
    const keyFile = join(dir, 'initial-api-key');
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^cb_[\w-]+\n$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'encryption-key')).mode & 0o777).toBe(0o600);
  });

  it('manages connectors against the running server, reading JSON from a file and from stdin', async () => {
    const apiEnv = { ...env, CASEBRIDGE_URL: url };
    const bodyFile = join(dir, 'connector.json');
    writeFileSync(
      bodyFile,
      JSON.stringify({
        name: 'cli hook',
        connector_type_id: '.webhook',
        config: { url: `${url}/api/status`, method: 'get', hasAuth: false },
      }),
    );
    const created = await cli(['connectors', 'create', '--file', bodyFile, '--id', 'cli-hook'], apiEnv);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      id: 'cli-hook',
      name: 'cli hook',
      connector_type_id: '.webhook',
    });

    const listed = await cli(['connectors', 'list'], apiEnv);
    expect(JSON.parse(listed.stdout).map((c: { id: string }) => c.id)).toContain('cli-hook');

    const updated = await cli(
      ['connectors', 'update', 'cli-hook', '--file', '-'],
      apiEnv,
      JSON.stringify({
        name: 'renamed',
        config: { url: `${url}/api/status`, method: 'get', hasAuth: false },
      }),
    );
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout).name).toBe('renamed');

    const executed = await cli(['connectors', 'execute', 'cli-hook', '--json', '{}'], apiEnv);
    expect(executed.code).toBe(0);
    expect(JSON.parse(executed.stdout)).toMatchObject({ connector_id: 'cli-hook', status: 'ok' });

    const tested = await cli(['connectors', 'test', 'cli-hook'], apiEnv);
    expect(JSON.parse(tested.stdout).status).toBe('ok');

    const deleted = await cli(['connectors', 'delete', 'cli-hook'], apiEnv);
    expect(deleted.stdout).toContain('deleted cli-hook');
    const missing = await cli(['connectors', 'get', 'cli-hook'], apiEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 CB_ERR_NOT_FOUND: Saved object [action/cli-hook] not found');
  });

  it('reports bad input and unreachable servers with exit codes, not stack traces', async () => {
    const apiEnv = { ...env, CASEBRIDGE_URL: url };
    const badJson = await cli(['connectors', 'create', '--json', '{nope'], apiEnv);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/--json is not valid JSON/);
    const noBody = await cli(['connectors', 'create'], apiEnv);
    expect(noBody.code).toBe(2);
    const down = await cli(['connectors', 'list'], { ...env, CASEBRIDGE_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach casebridge at http://127.0.0.1:9');
    const unknown = await cli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(`${badJson.stderr}${down.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('creates, lists and revokes API keys; a read key cannot write; a revoked key is refused', async () => {
    const created = await cli(['keys', 'create', '--name', 'ci-reader', '--role', 'read'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(key).toMatch(/^cb_/);
    const listed = await cli(['keys', 'list'], env);
    expect(listed.stdout).toContain('ci-reader');
    expect(listed.stdout).not.toContain(key);

    const apiEnv = { ...env, CASEBRIDGE_URL: url, CASEBRIDGE_API_KEY: key };
    expect((await cli(['connectors', 'list'], apiEnv)).code).toBe(0);
    const write = await cli(
      [
        'connectors',
        'create',
        '--json',
        '{"name":"x","connector_type_id":".webhook","config":{"url":"http://x"}}',
      ],
      apiEnv,
    );
    expect(write.stderr).toContain('403 CB_ERR_FORBIDDEN: Unauthorized to create a ".webhook" action');

    expect((await cli(['keys', 'revoke', 'ci-reader'], env)).stdout).toContain('revoked 1 key');
    expect((await cli(['connectors', 'list'], apiEnv)).stderr).toContain('401 CB_ERR_UNAUTHENTICATED');
    expect((await cli(['keys', 'create', '--name', 'x', '--role', 'owner'], env)).code).toBe(2);
    expect((await cli(['keys', 'revoke', 'nobody'], env)).code).toBe(1);
  });

  it('stops with exit code 2 naming the key when the configuration is bad', async () => {
    const bad = await cli(['migrate'], { ...env, CASEBRIDGE_SERVER__PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid configuration at "server.port"');
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'actions:\n  allowedHost: [x]\n');
    const unknownKey = await cli(['serve', '--config', badFile], env);
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toContain('invalid configuration at "actions.allowedHost": unknown setting');
    const badPort = await cli(['serve', '--port', 'x'], env);
    expect(badPort.code).toBe(2);
  });
});
