import { alertView, type NormalizedAlert } from '../domain/alerts/alert.js';
import type { LifecycleAction } from '../domain/alerts/lifecycle.js';

/**
 * The variables a route's templates see: Kibana's rule-action names (`rule.*`, `alert.*`,
 * `context.*`, `date`, `kibanaBaseUrl`, the deprecated aliases) plus casebridge's (`source`,
 * `status`, `labels`, `annotations`, `lifecycle.*`). Posted fields sit underneath, so
 * `{{kibana.alert.reason}}` works for bodies made of ECS fields.
 */
export function templateVariables(
  alert: NormalizedAlert,
  extra: {
    publicBaseUrl?: string;
    lifecycle?: { action: LifecycleAction; key: string; ticket_key: string; generation: number };
  },
): Record<string, unknown> {
  return {
    ...alertView(alert),
    date: new Date().toISOString(),
    ...(extra.publicBaseUrl ? { kibanaBaseUrl: extra.publicBaseUrl } : {}),
    alertId: alert.rule.id,
    alertName: alert.rule.name,
    alertInstanceId: alert.alert.id,
    tags: alert.rule.tags,
    ...(extra.lifecycle ? { lifecycle: extra.lifecycle } : {}),
  };
}
