import type { Command } from 'commander';
import { callApi, resolveApi, type ApiOptions } from './api-client.js';

interface ListFlags extends ApiOptions {
  route?: string;
  source?: string;
  rule?: string;
  connector?: string;
  ticket?: string;
  alert?: string;
  page: string;
  perPage: string;
  json?: boolean;
}

interface StateSummary {
  id: string;
  route_id: string;
  correlation_key: string;
  alert_status: string;
  ticket: { status: string; number: string | null; generation: number; url: string | null };
  last_seen_at: string;
  counts: { fired: number; recovered: number; skipped: number };
  last_action: string | null;
  last_reason: string | null;
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

function withApi(command: Command): Command {
  return command
    .option('--url <url>', 'casebridge base URL (env CASEBRIDGE_URL, default http://127.0.0.1:5620)')
    .option('--api-key <key>', 'API key (env CASEBRIDGE_API_KEY, default ./data/initial-api-key)');
}

/** `casebridge alerts …`: the per-key alert states (and their tickets) of a running casebridge. */
export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('show alert states and the tickets they keep in step');

  withApi(
    alerts
      .command('list')
      .description('list alert states (one per route and correlation key), most recently seen first')
      .option('--route <id>', 'only this route')
      .option('--source <source>', 'only this source (alertmanager, kibana, …)')
      .option('--rule <id>', 'only this rule id')
      .option('--connector <id>', 'only this connector')
      .option('--ticket <status>', 'ticket status: none, open or closed')
      .option('--alert <status>', 'alert status: firing or recovered')
      .option('--page <n>', 'page number', '1')
      .option('--per-page <n>', 'rows per page (max 1000)', '50')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (flags: ListFlags) => {
    const query = new URLSearchParams({ page: flags.page, per_page: flags.perPage });
    const filters: [string, string | undefined][] = [
      ['route_id', flags.route],
      ['source', flags.source],
      ['rule_id', flags.rule],
      ['connector_id', flags.connector],
      ['ticket_status', flags.ticket],
      ['alert_status', flags.alert],
    ];
    for (const [name, value] of filters) if (value !== undefined) query.set(name, value);
    const answer = (await callApi(resolveApi(flags), 'GET', `/api/casebridge/alerts?${query}`)) as {
      total: number;
      data: StateSummary[];
    };
    if (flags.json) return print(answer);
    for (const row of answer.data) {
      const ticket = `${row.ticket.status}${row.ticket.number ? ` ${row.ticket.number}` : ''}${row.ticket.generation > 1 ? ` (#${row.ticket.generation})` : ''}`;
      const last = row.last_action ? `  ${row.last_action}: ${row.last_reason ?? ''}` : '';
      process.stdout.write(
        `${row.route_id}  ${row.correlation_key}  ${row.alert_status.padEnd(9)}  ticket ${ticket}  fired ${row.counts.fired}/recovered ${row.counts.recovered}  ${row.last_seen_at}${last}\n`,
      );
    }
    process.stdout.write(`${answer.data.length} of ${answer.total}\n`);
  });

  withApi(alerts.command('show <id>').description('one alert state with its ticket')).action(
    async (id: string, flags: ApiOptions) => {
      print(await callApi(resolveApi(flags), 'GET', `/api/casebridge/alerts/${encodeURIComponent(id)}`));
    },
  );
}
