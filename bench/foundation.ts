import { request } from 'undici';
import { runLoad } from './load.js';
import { rssMiB, startReceiver, startService } from './processes.js';
import type { Bench, BenchSection } from './types.js';

const CONNECTIONS = 32;
const DURATION_MS = 5_000;
const LATENCY_DURATION_MS = 3_000;
const payload = JSON.stringify({ body: JSON.stringify({ alert: 'bench', severity: 'high' }) });

/**
 * Issue 3's benchmark: the raw ceiling (undici straight to a loopback receiver) against
 * `_execute` of a `.webhook` connector to the same receiver through our API, plus cold start
 * and idle memory of `casebridge serve`.
 */
export const benchFoundation: Bench = async () => {
  const receiver = await startReceiver();
  const service = await startService();
  const idleRss = await new Promise<number>((resolve) =>
    setTimeout(() => resolve(rssMiB(service.pid)), 1_000),
  );
  try {
    const created = await request(`${service.url}/api/actions/connector`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        connector_type_id: '.webhook',
        config: { url: receiver.url, hasAuth: false },
      }),
    });
    const connector = (await created.body.json()) as { id: string };
    const execute = {
      url: `${service.url}/api/actions/connector/${connector.id}/_execute`,
      method: 'POST' as const,
      headers: { authorization: `ApiKey ${service.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ params: JSON.parse(payload) as unknown }),
    };
    const raw = {
      url: receiver.url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: payload,
    };

    // Warm both paths so JIT and connection set-up are not measured.
    await runLoad({ ...raw, connections: 4, durationMs: 500 });
    await runLoad({ ...execute, connections: 4, durationMs: 500 });

    const ceiling = await runLoad({ ...raw, connections: CONNECTIONS, durationMs: DURATION_MS });
    const ours = await runLoad({ ...execute, connections: CONNECTIONS, durationMs: DURATION_MS });
    const rawLatency = await runLoad({ ...raw, connections: 1, durationMs: LATENCY_DURATION_MS });
    const ourLatency = await runLoad({ ...execute, connections: 1, durationMs: LATENCY_DURATION_MS });
    const ratio = ours.perSecond / ceiling.perSecond;
    const overhead = ourLatency.p99Ms - rawLatency.p99Ms;
    const section: BenchSection = {
      title: 'Foundation: `_execute` of a `.webhook` connector vs the raw ceiling',
      rows: [
        { name: 'raw undici → receiver (ceiling)', value: round(ceiling.perSecond), unit: 'req/s', ratio: 1 },
        {
          name: '`_execute` .webhook → receiver',
          value: round(ours.perSecond),
          unit: 'req/s',
          ratio: round(ratio, 3),
          target: '≥ 0.30 of ceiling',
          met: ratio >= 0.3,
        },
        { name: 'raw p99 (1 connection)', value: round(rawLatency.p99Ms, 2), unit: 'ms' },
        { name: '`_execute` p99 (1 connection)', value: round(ourLatency.p99Ms, 2), unit: 'ms' },
        {
          name: 'p99 overhead of our stack',
          value: round(overhead, 2),
          unit: 'ms',
          target: '≤ 2 ms',
          met: overhead <= 2,
        },
        {
          name: 'cold start to first 200 on /api/status',
          value: round(service.coldStartMs),
          unit: 'ms',
          target: '≤ 1000 ms',
          met: service.coldStartMs <= 1000,
        },
        {
          name: 'idle RSS after start',
          value: round(idleRss, 1),
          unit: 'MiB',
          target: '≤ 120 MiB',
          met: idleRss <= 120,
        },
      ],
      notes: [
        `${CONNECTIONS} connections for ${DURATION_MS / 1000} s each; latency with 1 connection for ${LATENCY_DURATION_MS / 1000} s.`,
        `errors/non-2xx: ceiling ${ceiling.errors}/${ceiling.non2xx}, _execute ${ours.errors}/${ours.non2xx}.`,
        'Three processes share two cores: load generator (worker thread in the bench process), casebridge, receiver.',
      ],
    };
    return section;
  } finally {
    await service.stop();
    receiver.stop();
  }
};

function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
