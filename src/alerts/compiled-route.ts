import type { RouteDefinitionInput } from '../config/routes-schema.js';
import { parseDuration } from '../config/units.js';
import {
  lifecycleCapabilities,
  type LifecycleCapabilities,
  type RecoveryOptions,
} from '../domain/alerts/capabilities.js';
import { DEFAULT_CORRELATION_KEY } from '../domain/alerts/correlation-key.js';
import type { LifecycleAction, LifecyclePolicy } from '../domain/alerts/lifecycle.js';
import { compileMatcher, matcherError, type CompiledMatcher } from '../domain/alerts/matchers.js';
import { templateError, templateStrings } from '../domain/templates/render.js';

/** A route ready to run: matchers compiled, defaults applied, the connector type's lifecycle attached. */
export interface CompiledRoute {
  id: string;
  name: string;
  order: number;
  isPreconfigured: boolean;
  definition: RouteDefinitionInput;
  connectorId: string;
  matchers: CompiledMatcher[];
  params: Record<string, unknown>;
  correlationKey: string;
  policy: LifecyclePolicy;
  recovery: RecoveryOptions;
  recoveryComment: string;
  continue: boolean;
  capabilities: LifecycleCapabilities;
}

/** Which actions a policy may need, so a connector that cannot do one is refused up front. */
function neededActions(policy: LifecyclePolicy): LifecycleAction[] {
  const needed: LifecycleAction[] = ['create'];
  if (policy.onFiring === 'update') needed.push('update');
  if (policy.onRecovery !== 'none') needed.push(policy.onRecovery);
  const closes = policy.onRecovery === 'close' || policy.onRecovery === 'resolve';
  if (closes && policy.afterClose === 'reopen') needed.push('reopen');
  if (closes && policy.afterClose === 'update') needed.push('update');
  return needed;
}

export function policyOf(definition: RouteDefinitionInput): LifecyclePolicy {
  const lifecycle = definition.lifecycle ?? {};
  return {
    onFiring: lifecycle.on_firing ?? 'update',
    onRecovery: lifecycle.on_recovery ?? 'close',
    afterClose: lifecycle.after_close ?? 'reopen',
    reopenWindowMs: parseDuration(lifecycle.reopen_window ?? '24h'),
    wontFixStates: lifecycle.wont_fix_states ?? [],
    afterWontFix: lifecycle.after_wont_fix ?? 'new',
    groupingWindowMs: parseDuration(definition.grouping_window ?? 0),
  };
}

/**
 * Checks a route against the connector's type and compiles it. Returns the problems (each says
 * what to fix) instead of throwing, so the API can list them all in one 400.
 */
export function compileRoute(
  id: string,
  definition: RouteDefinitionInput,
  typeId: string,
  isPreconfigured: boolean,
): { ok: true; route: CompiledRoute } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const capabilities = lifecycleCapabilities(typeId);
  if (!capabilities) {
    return {
      ok: false,
      problems: [
        `connector type ${typeId} cannot receive alerts; use one of the types listed in docs/alerts.md`,
      ],
    };
  }
  const subAction = definition.sub_action ?? null;
  if (subAction !== capabilities.subAction) {
    problems.push(
      capabilities.subAction === null
        ? `sub_action: ${typeId} connectors take no sub_action; remove it`
        : `sub_action: ${typeId} routes use "${capabilities.subAction}" (got ${subAction === null ? 'none' : `"${subAction}"`})`,
    );
  }
  const policy = policyOf(definition);
  for (const action of neededActions(policy)) {
    if (!capabilities.actions.has(action)) {
      problems.push(
        `lifecycle: ${typeId} connectors cannot ${action} a ticket; choose another on_recovery / after_close / on_firing`,
      );
    }
  }
  (definition.matchers ?? []).forEach((matcher, index) => {
    const error = matcherError(matcher);
    if (error) problems.push(`matchers.${index}: ${error}`);
  });
  const correlationKey = definition.correlation_key ?? DEFAULT_CORRELATION_KEY;
  const templates = [
    ...templateStrings(definition.params, ['params']),
    { path: ['correlation_key'], template: correlationKey },
    ...(definition.lifecycle?.recovery_comment
      ? [{ path: ['lifecycle', 'recovery_comment'], template: definition.lifecycle.recovery_comment }]
      : []),
  ];
  for (const { path, template } of templates) {
    const error = templateError(template);
    if (error) problems.push(`${path.join('.')}: the Mustache template does not parse: ${error}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const lifecycle = definition.lifecycle ?? {};
  return {
    ok: true,
    route: {
      id,
      name: definition.name,
      order: definition.order ?? 0,
      isPreconfigured,
      definition,
      connectorId: definition.connector_id,
      matchers: (definition.matchers ?? []).map(compileMatcher),
      params: definition.params,
      correlationKey,
      policy,
      recovery: {
        ...(lifecycle.close_state ? { closeState: lifecycle.close_state } : {}),
        ...(lifecycle.close_code ? { closeCode: lifecycle.close_code } : {}),
        ...(lifecycle.close_notes ? { closeNotes: lifecycle.close_notes } : {}),
        ...(lifecycle.resolve_state ? { resolveState: lifecycle.resolve_state } : {}),
        ...(lifecycle.reopen_state ? { reopenState: lifecycle.reopen_state } : {}),
      },
      recoveryComment: lifecycle.recovery_comment ?? 'Alert {{rule.name}} ({{alert.id}}) recovered.',
      continue: definition.continue ?? false,
      capabilities,
    },
  };
}
