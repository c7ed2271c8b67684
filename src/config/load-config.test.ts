import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const tempFile = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'cb-config-')), 'casebridge.yaml');
  writeFileSync(path, text);
  return path;
};

describe('loadConfig', () => {
  it('has the defaults the example file documents', () => {
    const config = loadConfig({ env: {} });
    const example = parse(
      readFileSync(new URL('../../casebridge.example.yaml', import.meta.url), 'utf8'),
    ) as object;
    // Every key the example file sets is a default, and every default is in the file.
    expect(
      loadConfig({ env: {}, file: new URL('../../casebridge.example.yaml', import.meta.url).pathname }),
    ).toEqual(config);
    expect(Object.keys(example).sort()).toEqual(Object.keys(config).sort());
    expect(config.server.port).toBe(5620);
    expect(config.actions.allowedHosts).toEqual(['*']);
    expect(config.actions.maxResponseContentLength).toBe('1mb');
    expect(config.actions.responseTimeout).toBe('60s');
    expect(config.actions.run.maxAttempts).toBe(3);
    expect(config.actions.queued.max).toBe(1_000_000);
  });

  it('reads CASEBRIDGE_* variables over the file, with JSON values and nested keys', () => {
    const file = tempFile('server:\n  port: 7000\nactions:\n  allowedHosts: [a.example.com]\n');
    const config = loadConfig({
      file,
      env: {
        CASEBRIDGE_SERVER__PORT: '7001',
        CASEBRIDGE_ACTIONS__ENABLED_ACTION_TYPES: '[".webhook"]',
        CASEBRIDGE_ACTIONS__SSL__VERIFICATION_MODE: 'none',
        DATABASE_URL: 'postgres://u@h/db',
      },
    });
    expect(config.server.port).toBe(7001);
    expect(config.actions.allowedHosts).toEqual(['a.example.com']);
    expect(config.actions.enabledActionTypes).toEqual(['.webhook']);
    expect(config.actions.ssl.verificationMode).toBe('none');
    expect(config.database.url).toBe('postgres://u@h/db');
    expect(Object.isFrozen(config.actions)).toBe(true);
  });

  it('names the key and the reason for a bad value', () => {
    const attempt = (env: NodeJS.ProcessEnv) => () => loadConfig({ env });
    expect(attempt({ CASEBRIDGE_SERVER__PORT: '70000' })).toThrowError(/"server\.port"/);
    expect(attempt({ CASEBRIDGE_ACTIONS__SSL__VERIFICATION_MODE: 'strict' })).toThrowError(
      /"actions\.ssl\.verificationMode"/,
    );
    expect(attempt({ CASEBRIDGE_ACTIONS__RUN__MAX_ATTEMPTS: '11' })).toThrowError(
      /"actions\.run\.maxAttempts"/,
    );
    expect(attempt({ CASEBRIDGE_SERVR__PORT: '1' })).toThrowError(/"servr": unknown setting/);
    expect(attempt({ CASEBRIDGE_ACTIONS__RESPONSE_TIMEOUT: 'soon' })).toThrowError(ConfigError);
    expect(() => loadConfig({ env: {}, file: tempFile('server: [1, 2') })).toThrowError(/not valid YAML/);
    expect(() => loadConfig({ env: {}, file: '/nonexistent/casebridge.yaml' })).toThrowError(/cannot read/);
  });

  it('resolves ${env:NAME} in preconfigured connectors and refuses a missing variable', () => {
    const file = tempFile(
      'actions:\n  preconfigured:\n    sn:\n      name: SN\n      actionTypeId: .servicenow\n      secrets: { password: "${env:SN_PASSWORD}" }\n',
    );
    const config = loadConfig({ file, env: { SN_PASSWORD: 'hunter2' } });
    expect(config.actions.preconfigured.sn?.secrets).toEqual({ password: 'hunter2' });
    expect(() => loadConfig({ file, env: {} })).toThrowError(
      'invalid configuration at "actions.preconfigured.sn.secrets.password": environment variable SN_PASSWORD is not set',
    );
  });
});
