import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { callApi, resolveApi, type ApiOptions } from './api-client.js';
import { CliError } from './errors.js';

interface FilterFlags extends ApiOptions {
  status?: string;
  connector?: string;
  key?: string;
  origin?: string;
  since?: string;
  until?: string;
}

interface DeliverySummary {
  id: string;
  status: string;
  connector_id: string;
  key: string | null;
  attempts: number;
  max_attempts: number;
  run_at: string;
  last_error: string | null;
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

function filterQuery(flags: FilterFlags): URLSearchParams {
  const query = new URLSearchParams();
  const set = (name: string, value: string | undefined) => value !== undefined && query.set(name, value);
  set('status', flags.status);
  set('connector_id', flags.connector);
  set('key', flags.key);
  set('origin', flags.origin);
  set('since', flags.since);
  set('until', flags.until);
  return query;
}

function withApi(command: Command): Command {
  return command
    .option('--url <url>', 'casebridge base URL (env CASEBRIDGE_URL, default http://127.0.0.1:5620)')
    .option('--api-key <key>', 'API key (env CASEBRIDGE_API_KEY, default ./data/initial-api-key)');
}

function withFilter(command: Command): Command {
  return command
    .option('--status <list>', 'queued, running, retrying, succeeded, dead, canceled (comma-separated)')
    .option('--connector <id>', 'only this connector')
    .option('--key <key>', 'only this ordering key')
    .option('--origin <origin>', 'case_push, alert, api or replay')
    .option('--since <iso>', 'created at or after')
    .option('--until <iso>', 'created at or before');
}

/** A progress bar on stderr, so stdout stays clean for scripts. */
function progress(total: number, label: string): SingleBar {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

/** `casebridge deliveries …`: the delivery queue of a running casebridge. */
export function registerDeliveriesCommand(program: Command): void {
  const deliveries = program.command('deliveries').description('inspect, retry and cancel queued deliveries');

  withFilter(
    withApi(
      deliveries
        .command('list')
        .description('list deliveries, newest first')
        .option('--page <n>', 'page number', '1')
        .option('--per-page <n>', 'rows per page (max 1000)', '50')
        .option('--json', 'print the API answer as JSON'),
    ),
  ).action(async (flags: FilterFlags & { page: string; perPage: string; json?: boolean }) => {
    const query = filterQuery(flags);
    query.set('page', flags.page);
    query.set('per_page', flags.perPage);
    const answer = (await callApi(resolveApi(flags), 'GET', `/api/casebridge/deliveries?${query}`)) as {
      total: number;
      data: DeliverySummary[];
    };
    if (flags.json) return print(answer);
    for (const row of answer.data) {
      const error = row.last_error ? `  ${row.last_error.slice(0, 80)}` : '';
      process.stdout.write(
        `${row.id}  ${row.status.padEnd(9)}  ${row.connector_id}  ${row.attempts}/${row.max_attempts}  ${row.run_at}${row.key ? `  key=${row.key}` : ''}${error}\n`,
      );
    }
    process.stdout.write(`${answer.data.length} of ${answer.total}\n`);
  });

  withApi(
    deliveries.command('show <id>').description('one delivery with every attempt and its error'),
  ).action(async (id: string, flags: ApiOptions) => {
    print(await callApi(resolveApi(flags), 'GET', `/api/casebridge/deliveries/${encodeURIComponent(id)}`));
  });

  withFilter(
    withApi(
      deliveries
        .command('retry [id]')
        .description(
          'run a waiting delivery now or replay a dead one; with --dead, replay every dead one matching the filter',
        )
        .option('--dead', 'replay all dead deliveries matching the filter'),
    ),
  ).action(async (id: string | undefined, flags: FilterFlags & { dead?: boolean }) => {
    const api = resolveApi(flags);
    if (id !== undefined)
      return print(await callApi(api, 'POST', `/api/casebridge/deliveries/${encodeURIComponent(id)}/_retry`));
    if (!flags.dead)
      throw new CliError('name a delivery id, or pass --dead to replay dead deliveries in bulk', 2);
    const query = filterQuery({ ...flags, status: 'dead' });
    query.set('per_page', '1');
    const { total } = (await callApi(api, 'GET', `/api/casebridge/deliveries?${query}`)) as { total: number };
    const bar = progress(total, 'replaying');
    const body = Object.fromEntries(
      [...filterQuery({ ...flags, status: undefined })].map(([k, v]) => [k, v]),
    );
    let done = 0;
    try {
      // Chunks of 100 keep each request short; a replayed delivery is no longer "dead and not
      // replayed", so the loop ends when a chunk comes back empty.
      for (;;) {
        const answer = (await callApi(api, 'POST', '/api/casebridge/deliveries/_bulk_retry', {
          ...body,
          limit: 100,
        })) as {
          retried: number;
        };
        if (answer.retried === 0) break;
        done += answer.retried;
        bar.update(Math.min(done, total));
      }
    } finally {
      bar.stop();
    }
    process.stdout.write(`replayed ${done} dead deliveries\n`);
  });

  withFilter(
    withApi(
      deliveries
        .command('cancel [ids...]')
        .description('cancel waiting deliveries by id, or every queued/retrying one matching the filter'),
    ),
  ).action(async (ids: string[], flags: FilterFlags) => {
    const api = resolveApi(flags);
    let targets = ids;
    if (targets.length === 0) {
      if (!flags.connector && !flags.key && !flags.origin && !flags.since && !flags.until) {
        throw new CliError(
          'name delivery ids, or a filter (--connector, --key, --origin, --since, --until)',
          2,
        );
      }
      targets = [];
      const query = filterQuery({ ...flags, status: 'queued,retrying' });
      query.set('per_page', '1000');
      for (let page = 1; ; page += 1) {
        query.set('page', String(page));
        const answer = (await callApi(api, 'GET', `/api/casebridge/deliveries?${query}`)) as {
          data: DeliverySummary[];
        };
        targets.push(...answer.data.map((row) => row.id));
        if (answer.data.length < 1000) break;
      }
    }
    const bar = targets.length > 1 ? progress(targets.length, 'canceling') : undefined;
    const failed: string[] = [];
    for (const [index, target] of targets.entries()) {
      try {
        await callApi(api, 'POST', `/api/casebridge/deliveries/${encodeURIComponent(target)}/_cancel`);
      } catch (error) {
        failed.push(`${target}: ${(error as Error).message}`);
      }
      bar?.update(index + 1);
    }
    bar?.stop();
    process.stdout.write(`canceled ${targets.length - failed.length} of ${targets.length}\n`);
    for (const line of failed) process.stderr.write(`  ${line}\n`);
    if (failed.length > 0) process.exitCode = 1;
  });
}
