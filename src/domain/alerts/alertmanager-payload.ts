import type { NormalizedAlert } from './alert.js';
import { MAX_BATCH } from './generic-payload.js';
import { isRecord, optionalTime, PayloadErrors, stringMap } from './payload-errors.js';

/**
 * Prometheus Alertmanager's webhook body, version "4" (peers.md §1.3). Each alert becomes one
 * normalised alert: `rule.id` is the `alertname` label (the Prometheus rule), `alert.id` the
 * alert's `fingerprint` (stable for one label set), so the default correlation key
 * `{{rule.id}}:{{alert.id}}` follows one alert through firing and resolution.
 */
export function parseAlertmanagerWebhook(
  body: unknown,
  source = 'alertmanager',
): { ok: true; alerts: NormalizedAlert[] } | { ok: false; errors: PayloadErrors } {
  const errors = new PayloadErrors();
  if (!isRecord(body)) {
    errors.add('', 'must be an Alertmanager webhook object');
    return { ok: false, errors };
  }
  if (body.version !== '4') {
    errors.add(
      'version',
      `must be "4" (got ${JSON.stringify(body.version ?? null)}); casebridge reads Alertmanager's webhook format version 4`,
    );
  }
  if (!Array.isArray(body.alerts)) errors.add('alerts', 'must be an array of alerts');
  else if (body.alerts.length > MAX_BATCH)
    errors.add(
      'alerts',
      `holds ${body.alerts.length} alerts; at most ${MAX_BATCH} (set max_alerts in Alertmanager)`,
    );
  if (!errors.empty) return { ok: false, errors };

  const group = {
    group_key: typeof body.groupKey === 'string' ? body.groupKey : '',
    receiver: typeof body.receiver === 'string' ? body.receiver : '',
    status: typeof body.status === 'string' ? body.status : '',
    external_url: typeof body.externalURL === 'string' ? body.externalURL : '',
    truncated_alerts: typeof body.truncatedAlerts === 'number' ? body.truncatedAlerts : 0,
    group_labels: stringMap(body.groupLabels, 'groupLabels', errors),
    common_labels: stringMap(body.commonLabels, 'commonLabels', errors),
    common_annotations: stringMap(body.commonAnnotations, 'commonAnnotations', errors),
  };
  const alerts: NormalizedAlert[] = [];
  (body.alerts as unknown[]).forEach((raw, index) => {
    const at = `alerts.${index}`;
    if (!isRecord(raw)) return errors.add(at, 'must be an alert object');
    const status = raw.status === 'firing' ? 'firing' : raw.status === 'resolved' ? 'recovered' : undefined;
    if (status === undefined) errors.add(`${at}.status`, 'must be "firing" or "resolved"');
    const labels = stringMap(raw.labels, `${at}.labels`, errors);
    const annotations = stringMap(raw.annotations, `${at}.annotations`, errors);
    const fingerprint =
      typeof raw.fingerprint === 'string' && raw.fingerprint !== '' ? raw.fingerprint : undefined;
    if (fingerprint === undefined)
      errors.add(`${at}.fingerprint`, 'is required (Alertmanager 0.19 and later send it)');
    const startedAt = optionalTime(raw.startsAt, `${at}.startsAt`, errors);
    // Alertmanager sends the zero time (0001-01-01) for an alert that has not ended.
    const endsAt = typeof raw.endsAt === 'string' && raw.endsAt.startsWith('0001-') ? undefined : raw.endsAt;
    const endedAt = optionalTime(endsAt, `${at}.endsAt`, errors);
    if (status === undefined || fingerprint === undefined) return;
    const generatorUrl = typeof raw.generatorURL === 'string' ? raw.generatorURL : undefined;
    const name = labels.alertname ?? 'alertmanager';
    alerts.push({
      source,
      rule: { id: name, name, tags: [], ...(generatorUrl ? { url: generatorUrl } : {}) },
      alert: { id: fingerprint },
      status,
      ...(labels.severity === undefined ? {} : { severity: labels.severity }),
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(endedAt === undefined ? {} : { endedAt }),
      labels,
      annotations,
      context: { ...group, generator_url: generatorUrl ?? '' },
      fields: {},
    });
  });
  return errors.empty ? { ok: true, alerts } : { ok: false, errors };
}
