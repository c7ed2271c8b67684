import type { Command } from 'commander';
import { callApi, resolveApi, type ApiOptions } from './api-client.js';
import { readJsonInput } from './json-input.js';

type ApiFlags = ApiOptions & { file?: string; json?: string };

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** `casebridge connectors …`: the Kibana-compatible connector API from the command line. */
export function registerConnectorsCommand(program: Command): void {
  const connectors = program.command('connectors').description('manage connectors on a running casebridge');
  const withApi = (command: Command) =>
    command
      .option('--url <url>', 'casebridge base URL (env CASEBRIDGE_URL, default http://127.0.0.1:5620)')
      .option('--api-key <key>', 'API key (env CASEBRIDGE_API_KEY, default ./data/initial-api-key)');
  const withBody = (command: Command) =>
    command
      .option('-f, --file <path>', 'read the JSON body from a file, - for stdin')
      .option('--json <text>', 'the JSON body inline');

  withApi(connectors.command('list').description('list connectors')).action(async (flags: ApiFlags) => {
    print(await callApi(resolveApi(flags), 'GET', '/api/actions/connectors'));
  });

  withApi(connectors.command('types').description('list connector types')).action(async (flags: ApiFlags) => {
    print(await callApi(resolveApi(flags), 'GET', '/api/actions/connector_types'));
  });

  withApi(connectors.command('get <id>').description('show one connector')).action(
    async (id: string, flags: ApiFlags) => {
      print(await callApi(resolveApi(flags), 'GET', `/api/actions/connector/${encodeURIComponent(id)}`));
    },
  );

  withBody(
    withApi(
      connectors
        .command('create')
        .description('create a connector from {name, connector_type_id, config, secrets}')
        .option('--id <id>', 'choose the connector id'),
    ),
  ).action(async (flags: ApiFlags & { id?: string }) => {
    const path =
      flags.id === undefined
        ? '/api/actions/connector'
        : `/api/actions/connector/${encodeURIComponent(flags.id)}`;
    print(await callApi(resolveApi(flags), 'POST', path, readJsonInput(flags)));
  });

  withBody(withApi(connectors.command('update <id>').description('replace name, config and secrets'))).action(
    async (id: string, flags: ApiFlags) => {
      print(
        await callApi(
          resolveApi(flags),
          'PUT',
          `/api/actions/connector/${encodeURIComponent(id)}`,
          readJsonInput(flags),
        ),
      );
    },
  );

  withApi(connectors.command('delete <id>').description('delete a connector')).action(
    async (id: string, flags: ApiFlags) => {
      await callApi(resolveApi(flags), 'DELETE', `/api/actions/connector/${encodeURIComponent(id)}`);
      process.stdout.write(`deleted ${id}\n`);
    },
  );

  withBody(
    withApi(
      connectors
        .command('execute <id>')
        .description('run a connector now with {params} or the params object'),
    ),
  ).action(async (id: string, flags: ApiFlags) => {
    const input = readJsonInput(flags);
    const body = 'params' in input ? input : { params: input };
    const result = (await callApi(
      resolveApi(flags),
      'POST',
      `/api/actions/connector/${encodeURIComponent(id)}/_execute`,
      body,
    )) as {
      status?: string;
    };
    print(result);
    if (result.status !== 'ok') process.exitCode = 1;
  });

  withApi(
    connectors.command('test <id>').description('check a connector reaches its target with its credentials'),
  ).action(async (id: string, flags: ApiFlags) => {
    const result = (await callApi(
      resolveApi(flags),
      'POST',
      `/api/casebridge/connectors/${encodeURIComponent(id)}/_test`,
    )) as {
      status?: string;
    };
    print(result);
    if (result.status !== 'ok') process.exitCode = 1;
  });
}
