import type { AlertStatus, NormalizedAlert } from './alert.js';
import { readPath } from './alert.js';
import { expandDottedKeys } from './dotted-keys.js';
import { isRecord, optionalTime, PayloadErrors, stringMap } from './payload-errors.js';

/** Most alerts accepted in one request; a larger batch is refused whole. */
export const MAX_BATCH = 500;

const sourcePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const statusAliases: Record<string, AlertStatus> = {
  firing: 'firing',
  active: 'firing',
  recovered: 'recovered',
  resolved: 'recovered',
};
const known = new Set([
  'source',
  'rule',
  'alert',
  'status',
  'severity',
  'started_at',
  'ended_at',
  'labels',
  'annotations',
  'context',
]);

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Normalises one alert of the generic shape. Kibana's ECS fields fill what is missing
 * (`kibana.alert.rule.uuid` → `rule.id`, `kibana.alert.instance.id` → `alert.id`,
 * `kibana.alert.status` → `status`…), so a body made of flattened alert-as-data fields works.
 */
function normalizeOne(
  raw: unknown,
  path: string,
  errors: PayloadErrors,
  defaultSource?: string,
): NormalizedAlert | undefined {
  if (!isRecord(raw)) {
    errors.add(path, 'must be an alert object');
    return undefined;
  }
  const body = expandDottedKeys(raw);
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  const ecs = (name: string) => readPath(body, `kibana.alert.${name}`);

  const source = text(body.source) ?? defaultSource;
  if (source === undefined)
    errors.add(at('source'), 'is required: name the system that sent the alert (e.g. "kibana")');
  else if (!sourcePattern.test(source))
    errors.add(at('source'), 'must be 1-64 letters, digits, dots, dashes or underscores');

  const ruleIn = body.rule === undefined ? {} : body.rule;
  if (!isRecord(ruleIn)) errors.add(at('rule'), 'must be an object with at least "id"');
  const rule = isRecord(ruleIn) ? ruleIn : {};
  const ruleId = text(rule.id) ?? text(ecs('rule.uuid'));
  if (ruleId === undefined) errors.add(at('rule.id'), 'is required (or kibana.alert.rule.uuid)');
  const tags = rule.tags ?? ecs('rule.tags') ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))
    errors.add(at('rule.tags'), 'must be an array of strings');

  const alertIn = body.alert === undefined ? {} : body.alert;
  if (!isRecord(alertIn)) errors.add(at('alert'), 'must be an object with at least "id"');
  const alertPart = isRecord(alertIn) ? alertIn : {};
  const alertId = text(alertPart.id) ?? text(ecs('instance.id'));
  if (alertId === undefined) errors.add(at('alert.id'), 'is required (or kibana.alert.instance.id)');

  const statusText = text(body.status) ?? text(ecs('status'));
  const status = statusText === undefined ? undefined : statusAliases[statusText.toLowerCase()];
  if (status === undefined)
    errors.add(at('status'), 'must be "firing" or "recovered" ("active" and "resolved" are accepted too)');

  const severity = body.severity ?? ecs('severity');
  if (severity !== undefined && severity !== null && text(severity) === undefined)
    errors.add(at('severity'), 'must be a string');
  if (body.context !== undefined && !isRecord(body.context)) errors.add(at('context'), 'must be an object');

  const labels = stringMap(body.labels, at('labels'), errors);
  const annotations = stringMap(body.annotations, at('annotations'), errors);
  const startedAt = optionalTime(body.started_at ?? ecs('start'), at('started_at'), errors);
  const endedAt = optionalTime(body.ended_at ?? ecs('end'), at('ended_at'), errors);
  if (
    !errors.empty ||
    source === undefined ||
    ruleId === undefined ||
    alertId === undefined ||
    status === undefined
  )
    return undefined;

  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!known.has(key)) fields[key] = value;
  const uuid = text(alertPart.uuid) ?? text(ecs('uuid'));
  return {
    source,
    rule: {
      ...rule,
      id: ruleId,
      name: text(rule.name) ?? text(ecs('rule.name')) ?? ruleId,
      tags: tags as string[],
    },
    alert: { ...alertPart, id: alertId, ...(uuid === undefined ? {} : { uuid }) },
    status,
    ...(severity === undefined || severity === null ? {} : { severity: String(severity) }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(endedAt === undefined ? {} : { endedAt }),
    labels,
    annotations,
    context: isRecord(body.context) ? body.context : {},
    fields,
  };
}

/**
 * Parses a body of the generic shape: one alert object or an array of them. Returns the
 * normalised alerts, or every problem found (nothing is half-accepted).
 */
export function parseGenericAlerts(
  body: unknown,
  defaultSource?: string,
): { ok: true; alerts: NormalizedAlert[] } | { ok: false; errors: PayloadErrors } {
  const errors = new PayloadErrors();
  const batch = Array.isArray(body);
  const items = batch ? body : [body];
  if (items.length === 0) errors.add('', 'is an empty array; send at least one alert');
  if (items.length > MAX_BATCH)
    errors.add('', `holds ${items.length} alerts; send at most ${MAX_BATCH} per request`);
  if (!errors.empty) return { ok: false, errors };
  const alerts: NormalizedAlert[] = [];
  items.forEach((item, index) => {
    const alert = normalizeOne(item, batch ? String(index) : '', errors, defaultSource);
    if (alert) alerts.push(alert);
  });
  return errors.empty ? { ok: true, alerts } : { ok: false, errors };
}
