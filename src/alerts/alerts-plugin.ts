import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.js';
import { alertRoutes } from '../api/alerts.js';
import { alertRouteRoutes } from '../api/routes.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { ActionsService } from '../actions/actions-service.js';
import { AlertsService } from './alerts-service.js';
import { RoutesService } from './routes-service.js';

/**
 * Alerts as one plugin, so app.ts registers it with one line: the routes service, the ingest
 * service, their HTTP routes, and the write-back of ticket ids from succeeded deliveries.
 */
export function alertsPlugin(
  deps: AppDeps & { queue: DeliveryQueue; actions: ActionsService },
): FastifyPluginAsync {
  return async (app) => {
    const { actions } = deps;
    const routes = new RoutesService({ store: deps.store, actions, configured: deps.config.routes });
    const alerts = new AlertsService({
      store: deps.store,
      queue: deps.queue,
      routes,
      logger: deps.logger,
      ...(deps.config.server.publicBaseUrl ? { publicBaseUrl: deps.config.server.publicBaseUrl } : {}),
    });
    // The queue's success event carries the connector's result data once the queue passes it on;
    // until then ticket ids stay unknown and updates fold into the create (docs/alerts.md).
    deps.queue.events.on('delivery:succeeded', (event) => {
      const data = (event as { data?: unknown }).data;
      if (data !== undefined) {
        void alerts
          .recordResult(event.id, data)
          .catch((error: unknown) =>
            deps.logger.warn({ err: error }, 'could not record ticket of alert delivery'),
          );
      }
    });
    await app.register(alertRouteRoutes(routes));
    await app.register(alertRoutes({ alerts, store: deps.store }));
  };
}
