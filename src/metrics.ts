import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, one registry per app so tests can build several apps in one process.
 * Labels never carry secrets or free text: ids, type ids, outcomes and status classes only.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  executions: Counter<'type' | 'outcome'>;
  outboundDuration: Histogram<'method' | 'host' | 'status'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'casebridge_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'casebridge_http_requests_total',
      help: 'HTTP requests served, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    executions: new Counter({
      name: 'casebridge_connector_executions_total',
      help: 'Connector executions, by connector type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    outboundDuration: new Histogram({
      name: 'casebridge_outbound_request_duration_seconds',
      help: 'Duration of outbound HTTP requests to targets, by method, host and status.',
      labelNames: ['method', 'host', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}
