import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoSeed,
  startServiceNowSimulator,
  type ServiceNowSimulator,
} from '../../simulators/servicenow/index.js';
import { ingestTokensRepo } from '../../src/store/repos/ingest-tokens-repo.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { api, fastQueueConfig, waitFor } from './queue-receiver.js';

/** Debian names the binary prometheus-alertmanager; upstream tarballs and other distros alertmanager. */
function findAlertmanager(): string | undefined {
  for (const name of ['alertmanager', 'prometheus-alertmanager']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found !== '') return found;
  }
  return ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager'].find((path) => existsSync(path));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const binary = findAlertmanager();
const title = binary
  ? 'the real Alertmanager → casebridge → ServiceNow simulator on %s'
  : 'SKIPPED: no alertmanager binary (.ci/run installs the Debian package prometheus-alertmanager) on %s';

interface StateView {
  alert_id: string;
  ticket: { status: string; external_id: string | null };
}

// Alerts posted to Alertmanager's own API reach casebridge through its webhook receiver and end
// as ServiceNow incidents; resolving them in Alertmanager closes the incidents.
describe.skipIf(binary === undefined).each(dialects)(title, (dialect) => {
  let sim: ServiceNowSimulator;
  let t: TestApp;
  let am: ChildProcess;
  let amUrl: string;
  let dir: string;
  let amLog = '';

  const post = async (alerts: object[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
  };
  const states = async () =>
    (await api(t)('GET', '/api/casebridge/alerts?source=alertmanager&per_page=100')).json() as {
      data: StateView[];
    };
  const alert = (instance: string, extra: object = {}) => ({
    labels: { alertname: 'DiskFull', instance, severity: 'critical', team: 'storage' },
    annotations: { summary: `disk full on ${instance}` },
    generatorURL: 'http://prometheus.example/graph',
    ...extra,
  });

  beforeAll(async () => {
    sim = await startServiceNowSimulator({});
    t = await createTestApp({
      dialect,
      config: { ...fastQueueConfig, 'actions.allowedHosts': ['127.0.0.1'] },
    });
    const connector = await api(t)('POST', '/api/actions/connector', {
      name: 'itsm',
      connector_type_id: '.servicenow',
      config: { apiUrl: sim.url, usesTableApi: false },
      secrets: demoSeed.connectors.itsm,
    });
    const route = await api(t)('POST', '/api/casebridge/routes/storage', {
      name: 'storage alerts',
      matchers: [{ field: 'labels.team', op: '=', value: 'storage' }],
      connector_id: (connector.json() as { id: string }).id,
      sub_action: 'pushToService',
      params: {
        incident: {
          short_description: '{{rule.name}} on {{labels.instance}}',
          description: '{{annotations.summary}} ({{rule.url}})',
        },
      },
    });
    expect(route.statusCode).toBe(200);
    await t.app.queue.startWorker();
    const address = await t.app.server.listen({ port: 0, host: '127.0.0.1' });
    const { token } = await ingestTokensRepo.create(t.testStore.store.db, 'am', 'alertmanager');

    dir = await mkdtemp(join(tmpdir(), 'casebridge-am-'));
    const config = [
      'route:',
      '  receiver: casebridge',
      "  group_by: ['alertname', 'instance']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: casebridge',
      '    webhook_configs:',
      `      - url: ${address}/api/casebridge/alerts/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      `          authorization: { type: Bearer, credentials: ${token} }`,
    ].join('\n');
    await writeFile(join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      binary ?? 'alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // An empty address turns gossip off: one instance, no port 9094 taken.
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    am.stderr?.on('data', (chunk: Buffer) => (amLog += chunk.toString('utf8')));
    await waitFor(async () => {
      const ready = await fetch(`${amUrl}/-/ready`).catch(() => undefined);
      return ready?.status === 200;
    }, 15_000).catch(() => {
      throw new Error(`Alertmanager did not become ready: ${amLog}`);
    });
  }, 30_000);
  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((resolve) => am.once('exit', resolve));
      am.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    await t.app.queue.stopWorkers(1_000);
    await t.close();
    await sim.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('alerts posted to Alertmanager become incidents; resolving them closes the incidents', async () => {
    await post([alert('db-1'), alert('db-2')]);
    // group_wait 1 s, then the webhook, the queue and the simulator: bounded well above that.
    await waitFor(async () => {
      const { data } = await states();
      return data.length === 2 && data.every((row) => row.ticket.external_id !== null);
    }, 15_000);
    const { data } = await states();
    const incidents = data.map((row) => sim.tables.get('incident', String(row.ticket.external_id)));
    expect(incidents.map((row) => row?.short_description).sort()).toEqual([
      'DiskFull on db-1',
      'DiskFull on db-2',
    ]);
    for (const [index, row] of data.entries()) {
      // The correlation id is the default key: the alertname and Alertmanager's fingerprint.
      expect(incidents[index]?.correlation_id).toBe(`DiskFull:${row.alert_id}`);
      expect(incidents[index]).toMatchObject({ state: '1' });
      expect(incidents[index]?.description).toBe(
        `disk full on ${incidents[index]?.short_description?.slice(-4)} (http://prometheus.example/graph)`,
      );
    }
    expect(sim.tables.count('incident')).toBeGreaterThanOrEqual(2);

    const ended = new Date(Date.now() - 1_000).toISOString();
    await post([alert('db-1', { endsAt: ended }), alert('db-2', { endsAt: ended })]);
    await waitFor(
      () => data.every((row) => sim.tables.get('incident', String(row.ticket.external_id))?.state === '7'),
      15_000,
    );
    const after = await states();
    expect(after.data.map((row) => row.ticket.status)).toEqual(['closed', 'closed']);
    expect(sim.requestLog.find('/api/now/import/').length).toBe(4);
  }, 40_000);
});
