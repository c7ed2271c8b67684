// `casebridge simulate servicenow --port N` and demo mode call this: start the simulator, print
// how to reach it and the demo logins, and run until SIGINT or SIGTERM.
import { demoSeed } from './demo-seed.js';
import { startServiceNowSimulator } from './simulator.js';
import type { ServiceNowSimulatorOptions } from './types.js';

export interface ServiceNowSimulatorCliOptions extends ServiceNowSimulatorOptions {
  port: number;
  host?: string;
  /** Where to print; defaults to stdout. */
  print?: (line: string) => void;
}

export async function runServiceNowSimulatorCli(options: ServiceNowSimulatorCliOptions): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  const sim = await startServiceNowSimulator({ generateJwtKey: true, ...options });
  print(`ServiceNow simulator listening on ${sim.url}`);
  print(`  overview page: ${sim.url}/   control API: ${sim.url}/__control/state`);
  print('  logins (user / password: roles):');
  for (const u of options.users ?? demoSeed.users) {
    print(`    ${u.user_name} / ${u.password}: ${u.roles.join(', ') || '(none)'}`);
  }
  const client = demoSeed.oauthClient;
  print(`  OAuth client: ${client.client_id} / ${client.client_secret} (POST ${sim.url}/oauth_token.do)`);
  if (sim.jwtKeyId)
    print(`  JWT verifier kid: ${sim.jwtKeyId} (private key printed below for JWT connectors)`);
  if (sim.jwtPrivateKeyPem) print(sim.jwtPrivateKeyPem.trim());
  print('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  print('ServiceNow simulator stopped.');
}
