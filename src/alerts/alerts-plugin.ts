import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.js';
import { alertRoutes } from '../api/alerts.js';
import { alertRouteRoutes } from '../api/routes.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { ActionsService } from '../actions/actions-service.js';
import { AlertsService } from './alerts-service.js';
import { RoutesService } from './routes-service.js';
import { alertDeliveryHandler } from './ticket-recorder.js';

/**
 * Alerts as one plugin, so app.ts registers it with one line: the routes service, the ingest
 * service, their HTTP routes, and the queue handler that records ticket ids of succeeded deliveries.
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
    // Ticket ids come back through the queue's success transaction (ticket-recorder.ts).
    deps.queue.registerHandler('alert', alertDeliveryHandler);
    await app.register(alertRouteRoutes(routes));
    await app.register(alertRoutes({ alerts, store: deps.store }));
  };
}
