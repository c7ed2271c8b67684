import type { Command } from 'commander';
import { callApi, resolveApi, type ApiOptions } from './api-client.js';
import { CliError } from './errors.js';
import { readJsonInput } from './json-input.js';

type Api = { url: string; apiKey: string };
type Flags = ApiOptions & { json?: boolean };

interface CaseSummary {
  id: string;
  version: string;
  owner: string;
  title: string;
  status: string;
  severity: string;
  totalComment: number;
  connector: { id: string };
  external_service: { external_title: string } | null;
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
const casePath = (id: string) => `/api/cases/${encodeURIComponent(id)}`;
const owners = ['securitySolution', 'observability', 'cases'];

function withApi(command: Command): Command {
  return command
    .option('--url <url>', 'casebridge base URL (env CASEBRIDGE_URL, default http://127.0.0.1:5620)')
    .option('--api-key <key>', 'API key (env CASEBRIDGE_API_KEY, default ./data/initial-api-key)');
}

const getCase = async (api: Api, id: string) =>
  (await callApi(api, 'GET', `${casePath(id)}?includeComments=false`)) as CaseSummary;

/** One line per case: what a person scanning a queue of cases wants to see first. */
function printCaseLines(cases: CaseSummary[]): void {
  for (const kase of cases) {
    const ticket = kase.external_service?.external_title ?? '-';
    process.stdout.write(
      `${kase.id}  ${kase.status.padEnd(11)} ${kase.severity.padEnd(8)} ${String(kase.totalComment).padStart(3)}  ${ticket.padEnd(12)} ${kase.title}\n`,
    );
  }
}

/** A case connector from a connector id: Kibana stores the id, name and type on the case. */
async function caseConnector(api: Api, id: string | undefined, fields: string | undefined) {
  if (id === undefined || id === 'none') return { id: 'none', name: 'none', type: '.none', fields: null };
  const connector = (await callApi(api, 'GET', `/api/actions/connector/${encodeURIComponent(id)}`)) as {
    name: string;
    connector_type_id: string;
  };
  let parsed: unknown = null;
  if (fields !== undefined) {
    try {
      parsed = JSON.parse(fields);
    } catch {
      throw new CliError(`--fields is not valid JSON: ${fields}`, 2);
    }
  }
  return { id, name: connector.name, type: connector.connector_type_id, fields: parsed };
}

/**
 * Writes a case change with its current version. A queued push changes the version too, so a
 * 409 is answered by reading the case again, as the Kibana UI does when it refreshes.
 */
async function patchCase(api: Api, id: string, change: Record<string, unknown>): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const { version } = await getCase(api, id);
    try {
      return await callApi(api, 'PATCH', '/api/cases', { cases: [{ id, version, ...change }] });
    } catch (error) {
      if (!(error instanceof CliError) || !/ 409 /.test(error.message) || attempt >= 5) throw error;
    }
  }
}

/** `casebridge cases …`: Kibana's Cases API on a running casebridge. */
export function registerCasesCommand(program: Command): void {
  const cases = program.command('cases').description('work with cases on a running casebridge');

  withApi(cases.command('list').description('find cases (newest first)'))
    .option('--owner <owner>', 'securitySolution, observability or cases')
    .option('--status <status>', 'open, in-progress or closed')
    .option('--search <text>', 'text in the title or description')
    .option('--per-page <n>', 'how many (1-100)', '20')
    .option('--json', 'print the whole find response')
    .action(async (flags: Flags & { owner?: string; status?: string; search?: string; perPage: string }) => {
      const query = new URLSearchParams({
        sortField: 'createdAt',
        sortOrder: 'desc',
        perPage: flags.perPage,
      });
      if (flags.owner !== undefined) query.set('owner', flags.owner);
      if (flags.status !== undefined) query.set('status', flags.status);
      if (flags.search !== undefined) query.set('search', flags.search);
      const found = (await callApi(resolveApi(flags), 'GET', `/api/cases/_find?${query}`)) as {
        total: number;
        cases: CaseSummary[];
      };
      if (flags.json) return print(found);
      printCaseLines(found.cases);
      process.stdout.write(`${found.cases.length} of ${found.total} cases\n`);
    });

  withApi(cases.command('show <id>').description('a case with its comments')).action(
    async (id: string, flags: Flags) => {
      print(await callApi(resolveApi(flags), 'GET', casePath(id)));
    },
  );

  withApi(cases.command('create').description('open a case'))
    .requiredOption('--title <title>', 'the title (up to 160 characters)')
    .requiredOption('--description <text>', 'the description')
    .option('--tags <list>', 'comma-separated tags')
    .option('--owner <owner>', `one of ${owners.join(', ')}`, 'cases')
    .option('--severity <severity>', 'low, medium, high or critical', 'low')
    .option('--connector <id>', 'the connector the case is pushed to')
    .option('--fields <json>', "the connector's fields, as JSON (default null)")
    .action(
      async (
        flags: Flags & {
          title: string;
          description: string;
          tags?: string;
          owner: string;
          severity: string;
          connector?: string;
          fields?: string;
        },
      ) => {
        const api = resolveApi(flags);
        const created = await callApi(api, 'POST', '/api/cases', {
          title: flags.title,
          description: flags.description,
          tags: flags.tags === undefined ? [] : flags.tags.split(',').map((tag) => tag.trim()),
          owner: flags.owner,
          severity: flags.severity,
          settings: { syncAlerts: false },
          connector: await caseConnector(api, flags.connector, flags.fields),
        });
        print(created);
      },
    );

  withApi(cases.command('comment <id> <text>').description('add a user comment')).action(
    async (id: string, text: string, flags: Flags) => {
      const api = resolveApi(flags);
      const { owner } = await getCase(api, id);
      print(await callApi(api, 'POST', `${casePath(id)}/comments`, { type: 'user', comment: text, owner }));
    },
  );

  withApi(cases.command('push <id>').description("push a case to its connector (or another's)"))
    .option('--connector <id>', "push to this connector instead of the case's own")
    .action(async (id: string, flags: Flags & { connector?: string }) => {
      const api = resolveApi(flags);
      const connectorId = flags.connector ?? (await getCase(api, id)).connector.id;
      if (connectorId === 'none') {
        throw new CliError(`case ${id} has no connector; pass --connector <id>`, 2);
      }
      const pushed = (await callApi(
        api,
        'POST',
        `${casePath(id)}/connector/${encodeURIComponent(connectorId)}/_push`,
      )) as CaseSummary & { external_service: { external_title: string; external_url: string } };
      process.stdout.write(
        `pushed ${id} to ${connectorId}: ${pushed.external_service.external_title} ${pushed.external_service.external_url}\n`,
      );
    });

  withApi(cases.command('close <id>').description('close a case')).action(
    async (id: string, flags: Flags) => {
      const updated = (await patchCase(resolveApi(flags), id, { status: 'closed' })) as CaseSummary[];
      process.stdout.write(`closed ${updated[0]?.id ?? id}\n`);
    },
  );

  withApi(cases.command('settings').description("show or change an owner's case settings (configure)"))
    .option('--owner <owner>', `one of ${owners.join(', ')}`, 'cases')
    .option('--set <json>', 'fields to change: connector, closure_type, sync, customFields, templates')
    .action(async (flags: Flags & { owner: string; set?: string }) => {
      const api = resolveApi(flags);
      const [current] = (await callApi(
        api,
        'GET',
        `/api/cases/configure?owner=${encodeURIComponent(flags.owner)}`,
      )) as Array<{ id: string; version: string }>;
      if (flags.set === undefined) return print(current ?? {});
      const change = readJsonInput({ json: flags.set });
      // A connector may be named by id alone; the API wants Kibana's {id, name, type, fields}.
      if (typeof change.connector === 'string')
        change.connector = await caseConnector(api, change.connector, undefined);
      if (current) {
        const path = `/api/cases/configure/${encodeURIComponent(current.id)}`;
        return print(await callApi(api, 'PATCH', path, { ...change, version: current.version }));
      }
      // The first settings of an owner are created; Kibana requires a connector and a closure type.
      print(
        await callApi(api, 'POST', '/api/cases/configure', {
          connector: { id: 'none', name: 'none', type: '.none', fields: null },
          closure_type: 'close-by-user',
          ...change,
          owner: flags.owner,
        }),
      );
    });
}
