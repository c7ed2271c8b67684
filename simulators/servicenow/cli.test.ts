import { describe, expect, it } from 'vitest';
import { runServiceNowSimulatorCli } from './cli.js';
import { as, call, resultOf } from './test-support.js';

describe('runServiceNowSimulatorCli', () => {
  it('prints the URL and demo logins, serves until SIGTERM, then stops', async () => {
    const lines: string[] = [];
    let announce: (url: string) => void = () => undefined;
    const started = new Promise<string>((resolve) => (announce = resolve));
    const running = runServiceNowSimulatorCli({
      port: 0,
      print: (line) => {
        lines.push(line);
        const m = /listening on (\S+)/.exec(line);
        if (m?.[1]) announce(m[1]);
      },
    });
    const url = await started;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const output = lines.join('\n');
    expect(output).toContain('casebridge.itsm / casebridge-itsm');
    expect(output).toContain('casebridge-demo-client / casebridge-demo-secret');
    expect(output).toContain('BEGIN PRIVATE KEY');

    const created = await call(url, 'POST', '/api/now/table/incident', { auth: as('itil.user'), body: {} });
    expect(resultOf(created).number).toBe('INC0010001');

    process.emit('SIGTERM');
    await running;
    expect(lines[lines.length - 1]).toBe('ServiceNow simulator stopped.');
    await expect(fetch(`${url}/api/now/table/incident`)).rejects.toThrow();
  });
});
