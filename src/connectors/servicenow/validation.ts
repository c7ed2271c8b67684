import type { ValidationContext } from '../contract.js';
import type { OAuthGrantType, ServiceNowConfigType, ServiceNowSecretsType } from './schema.js';

/**
 * Kibana's ServiceNow validators (`lib/servicenow/validators.ts`), with their messages, plus
 * casebridge's URL normalisation and the rules for the two extra OAuth grants.
 */
const prefix = 'error configuring connector action';

/**
 * An instance lives at the root of its host, so a pasted form or list URL
 * (`https://dev1.service-now.com/now/nav/ui/classic/params/target/incident_list.do`) or a trailing
 * slash is reduced to the origin instead of being refused.
 */
export function normaliseApiUrl(apiUrl: string): string {
  try {
    return new URL(apiUrl.trim()).origin;
  } catch {
    return apiUrl;
  }
}

const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function validateConfig<C extends ServiceNowConfigType>(config: C, ctx: ValidationContext): C {
  const apiUrl = normaliseApiUrl(config.apiUrl);
  let parsed: URL | undefined;
  try {
    parsed = new URL(apiUrl);
    ctx.ensureUriAllowed(apiUrl);
  } catch {
    // Kibana gives the allow-list text for an unparsable URL too.
    throw new Error(
      `${prefix}: target url "${config.apiUrl}" is not added to the Kibana config xpack.actions.allowedHosts`,
    );
  }
  if (
    parsed.protocol !== 'https:' &&
    !(parsed.protocol === 'http:' && loopback.test(parsed.host.replace(/:\d+$/, '')))
  ) {
    throw new Error(`${prefix}: apiUrl must use https (plain http is only accepted for loopback hosts)`);
  }
  if (config.isOAuth) {
    const grant = grantOf(config);
    const needed: (keyof ServiceNowConfigType)[] =
      grant === 'jwt' ? ['userIdentifierValue', 'clientId', 'jwtKeyId'] : ['clientId'];
    for (const field of needed) {
      if (config[field] === null || config[field] === undefined)
        throw new Error(`${field} must be provided when isOAuth = true`);
    }
  }
  return { ...config, apiUrl };
}

export function grantOf(
  config: Pick<ServiceNowConfigType, 'isOAuth' | 'oauthGrantType'>,
): OAuthGrantType | null {
  return config.isOAuth ? (config.oauthGrantType ?? 'jwt') : null;
}

/**
 * Kibana's secrets rule, with one relaxation: a client secret on its own is accepted here (the
 * client-credentials grant needs nothing else); whether a private key is also needed depends on
 * the config, so the connector step checks it.
 */
export function validateSecrets(secrets: ServiceNowSecretsType): void {
  const { username, password, clientSecret, privateKey } = secrets;
  if (!username && !password && !clientSecret && !privateKey)
    throw new Error('Either basic auth or OAuth credentials must be specified');
  if (username || password) {
    if (!username || !password) throw new Error('username and password must both be specified');
    return;
  }
  if (privateKey && !clientSecret) throw new Error('clientSecret and privateKey must both be specified');
}

/** Kibana's cross check (`validateConnector`), extended for the password and client-credentials grants. */
export function validateConnector(
  config: ServiceNowConfigType,
  secrets: ServiceNowSecretsType,
): string | null {
  const grant = grantOf(config);
  if (grant === 'jwt') {
    const checks: [string, unknown][] = [
      ['userIdentifierValue', config.userIdentifierValue],
      ['clientId', config.clientId],
      ['jwtKeyId', config.jwtKeyId],
      ['clientSecret', secrets.clientSecret],
      ['privateKey', secrets.privateKey],
    ];
    for (const [field, value] of checks)
      if (value === null || value === undefined) return `${field} must be provided when isOAuth = true`;
    if (secrets.username || secrets.password)
      return 'Username and password should not be provided with isOAuth = true';
    return null;
  }
  if (grant === 'password' || grant === 'client_credentials') {
    if (!config.clientId) return 'clientId must be provided when isOAuth = true';
    if (!secrets.clientSecret) return 'clientSecret must be provided when isOAuth = true';
    if (grant === 'password' && (!secrets.username || !secrets.password))
      return 'username and password must be provided with oauthGrantType = password';
    if (grant === 'client_credentials' && (secrets.username || secrets.password))
      return 'Username and password should not be provided with oauthGrantType = client_credentials';
    if (secrets.privateKey || config.jwtKeyId)
      return `jwtKeyId and privateKey are only used with oauthGrantType = jwt`;
    return null;
  }
  if (!secrets.username) return 'username must be provided when isOAuth = false';
  if (!secrets.password) return 'password must be provided when isOAuth = false';
  if (
    secrets.clientSecret ||
    config.clientId ||
    config.userIdentifierValue ||
    config.jwtKeyId ||
    secrets.privateKey ||
    config.oauthGrantType
  ) {
    return 'clientId, clientSecret, userIdentifierValue, jwtKeyId and privateKey should not be provided with isOAuth = false';
  }
  return null;
}

/**
 * Kibana's run-time guard in the service factory: empty strings also fail here
 * (`[Action]ServiceNow: Wrong configuration.`).
 */
export function hasUsableCredentials(config: ServiceNowConfigType, secrets: ServiceNowSecretsType): boolean {
  if (!config.apiUrl) return false;
  switch (grantOf(config)) {
    case 'jwt':
      return Boolean(
        secrets.clientSecret &&
        secrets.privateKey &&
        config.clientId &&
        config.jwtKeyId &&
        config.userIdentifierValue,
      );
    case 'password':
      return Boolean(config.clientId && secrets.clientSecret && secrets.username && secrets.password);
    case 'client_credentials':
      return Boolean(config.clientId && secrets.clientSecret);
    default:
      return Boolean(secrets.username && secrets.password);
  }
}

/** Kibana's is_deprecated rule for ITSM and SIR (§2.4): no own `usesTableApi` key, or `true`. */
export function isTableApiDeprecated(config: unknown): boolean {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return false;
  const own = Object.prototype.hasOwnProperty.call(config, 'usesTableApi');
  return !own || (config as { usesTableApi?: unknown }).usesTableApi === true;
}
