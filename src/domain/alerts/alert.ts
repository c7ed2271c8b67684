/** An alert as every source is normalised to before routing (docs/alerts.md, "Generic shape"). */
export type AlertStatus = 'firing' | 'recovered';

export interface NormalizedAlert {
  source: string;
  rule: { id: string; name: string; tags: string[]; url?: string; type?: string } & Record<string, unknown>;
  alert: { id: string; uuid?: string } & Record<string, unknown>;
  status: AlertStatus;
  severity?: string;
  startedAt?: string;
  endedAt?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Free-form data of the source (Kibana's `context.*`, Alertmanager's group data). */
  context: Record<string, unknown>;
  /** Every other field the sender posted (dotted ECS keys expanded), reachable by templates and matchers. */
  fields: Record<string, unknown>;
}

/** Reads a dotted path (`labels.severity`, `context.host.name`) from an object; own keys only. */
export function readPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The view matchers and templates see: the alert's fields first, then the named parts on top. */
export function alertView(alert: NormalizedAlert): Record<string, unknown> {
  return {
    ...alert.fields,
    source: alert.source,
    rule: alert.rule,
    alert: alert.alert,
    status: alert.status,
    severity: alert.severity ?? '',
    started_at: alert.startedAt ?? '',
    ended_at: alert.endedAt ?? '',
    labels: alert.labels,
    annotations: alert.annotations,
    context: alert.context,
  };
}
