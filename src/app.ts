import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { ActionsService } from './actions/actions-service.js';
import { alertsPlugin } from './alerts/alerts-plugin.js';
import { casesRoutes } from './api/cases.js';
import { connectorRoutes } from './api/connectors.js';
import { deliveryRoutes } from './api/deliveries.js';
import { eventRoutes } from './api/events.js';
import { statusRoutes } from './api/status.js';
import type { Config } from './config/schema.js';
import { parseByteSize } from './config/units.js';
import type { HttpClient } from './connectors/http-types.js';
import type { ConnectorTypeRegistry } from './connectors/registry.js';
import { installAuth } from './http/auth.js';
import { installErrorHandler } from './http/error-handler.js';
import { installOpenApi } from './http/openapi.js';
import { validatorCompiler } from './http/validation.js';
import type { Metrics } from './metrics.js';
import { DeliveryQueue } from './queue/delivery-queue.js';
import type { Keyring } from './secrets/keyring.js';
import type { Store } from './store/db.js';

/** Everything the app needs, built by `main.ts` (or a test) and handed over once. */
export interface AppDeps {
  config: Readonly<Config>;
  store: Store;
  registry: ConnectorTypeRegistry;
  keyring: Keyring;
  http: HttpClient;
  logger: Logger;
  metrics: Metrics;
}

export interface App {
  server: FastifyInstance;
  actions: ActionsService;
  /** The delivery queue: enqueue, hand operations, workers (started by serve and `casebridge worker`). */
  queue: DeliveryQueue;
}

/**
 * Builds the Fastify app with every plugin and route. It never listens: `main.ts` does, and
 * tests call `server.inject()`.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const bodyLimit = parseByteSize(deps.config.server.bodyLimit);
  const server = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    // Kibana serves every route under /s/<space>/ too; casebridge has one space, so drop the prefix.
    rewriteUrl: (request) => (request.url ?? '/').replace(/^\/s\/[^/]+(?=\/)/, ''),
    ajv: { customOptions: { removeAdditional: false } },
    // One log line per request (below) instead of Fastify's two: logs are written synchronously,
    // and at thousands of requests a second each line costs a system call.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  // Every body is JSON; a text/plain body is answered 415 instead of failing schema checks.
  server.removeContentTypeParser('text/plain');

  const actions = new ActionsService({
    store: deps.store,
    registry: deps.registry,
    settings: deps.config.actions,
    keyring: deps.keyring,
    http: deps.http,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const queue = new DeliveryQueue({ ...deps, actions });

  installErrorHandler(server, bodyLimit);
  await installOpenApi(server);
  installAuth(server, deps.store.db, deps.config.auth);
  server.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  server.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url.split('?')[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    deps.metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  await server.register(statusRoutes(deps.store, deps.metrics));
  await server.register(connectorRoutes(actions));
  await server.register(eventRoutes(actions.events));
  // History rows are written behind; store the last ones before the process goes.
  server.addHook('onClose', async () => actions.events.flush());
  await server.register(deliveryRoutes(queue));
  await server.register(
    casesRoutes({ ...deps, actions, queue, publicBaseUrl: deps.config.server.publicBaseUrl }),
  );
  await server.register(alertsPlugin({ ...deps, queue, actions }));
  await server.ready();
  return { server, actions, queue };
}
