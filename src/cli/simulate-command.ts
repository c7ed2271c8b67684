import type { Command } from 'commander';
// The simulator is imported only when asked for (simulate, serve --demo): a plain `serve`
// should not pay its start-up time and memory.
import { CliError } from './errors.js';

function parsePort(text: string | undefined, fallback: number, flag: string): number {
  const port = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`${flag} must be a whole number from 0 to 65535 (got "${text}")`, 2);
  return port;
}

/** `casebridge simulate servicenow --port N`: an in-memory ServiceNow instance until Ctrl+C. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a target simulator')
    .command('servicenow')
    .description('run the ServiceNow simulator (Table, Import Set, Event Management, OAuth)')
    .option('-p, --port <port>', 'port to listen on (default 5621; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .action(async (flags: { port?: string; host?: string }) => {
      const { runServiceNowSimulatorCli } = await import('../../simulators/servicenow/cli.js');
      await runServiceNowSimulatorCli({
        port: parsePort(flags.port, 5621, '--port'),
        ...(flags.host !== undefined && { host: flags.host }),
        print: (line) => process.stdout.write(`${line}\n`),
      });
    });
}

export interface Demo {
  /** Config overrides: the three demo connectors, preconfigured. */
  overrides: Record<string, unknown>;
  /** Prints how to push a first incident once the service listens. */
  printHowTo(serviceUrl: string, print: (line: string) => void): void;
  close(): Promise<void>;
}

/** The ids `serve --demo` gives its preconfigured connectors. */
export const DEMO_CONNECTOR_IDS = {
  itsm: 'servicenow-demo-itsm',
  sir: 'servicenow-demo-sir',
  itom: 'servicenow-demo-itom',
} as const;

/** `serve --demo`: the simulator in this process and ITSM, SecOps and ITOM connectors pointing at it. */
export async function startDemo(portText: string | undefined): Promise<Demo> {
  const { demoSeed, startServiceNowSimulator } = await import('../../simulators/servicenow/index.js');
  const sim = await startServiceNowSimulator({ port: parsePort(portText, 5621, '--demo-port') });
  const logins = demoSeed.connectors;
  const connector = (name: string, actionTypeId: string, config: object, secrets: object) => ({
    name,
    actionTypeId,
    config: { apiUrl: sim.url, ...config },
    secrets,
  });
  const preconfigured = {
    [DEMO_CONNECTOR_IDS.itsm]: connector(
      'Demo ServiceNow ITSM',
      '.servicenow',
      { usesTableApi: false },
      logins.itsm,
    ),
    [DEMO_CONNECTOR_IDS.sir]: connector(
      'Demo ServiceNow SecOps',
      '.servicenow-sir',
      { usesTableApi: false },
      logins.sir,
    ),
    [DEMO_CONNECTOR_IDS.itom]: connector('Demo ServiceNow ITOM', '.servicenow-itom', {}, logins.itom),
  };
  return {
    overrides: { 'actions.preconfigured': preconfigured },
    printHowTo(serviceUrl, print) {
      const params = JSON.stringify({
        params: {
          subAction: 'pushToService',
          subActionParams: { incident: { short_description: 'My first casebridge incident', urgency: '2' } },
        },
      });
      print(`casebridge demo: ServiceNow simulator at ${sim.url} (open it in a browser to see records)`);
      print(`  connectors: ${Object.values(DEMO_CONNECTOR_IDS).join(', ')}`);
      print('  push a first incident:');
      print(
        `    curl -s -X POST ${serviceUrl}/api/actions/connector/${DEMO_CONNECTOR_IDS.itsm}/_execute -H "Authorization: ApiKey $KEY" -H 'Content-Type: application/json' -d '${params}'`,
      );
      print(`  then see it at ${sim.url}/api/now/table/incident (user admin, password admin)`);
    },
    close: () => sim.close(),
  };
}
