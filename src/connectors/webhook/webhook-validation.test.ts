import { Value } from '@sinclair/typebox/value';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsSettings } from '../../../test/helpers/actions-settings.js';
import { createHttpClient } from '../http-client.js';
import { WebhookConfig, type WebhookConfigType, type WebhookSecretsType } from './schema.js';
import { webhookConnectorType as webhook } from './webhook.js';

// The validation steps run with the real client's allow-list checks as their ValidationContext.
const ctx = createHttpClient(actionsSettings({ allowedHosts: ['example.com'] }));
afterAll(() => ctx.close());

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('.webhook validation', () => {
  const validateConfig = (config: Partial<WebhookConfigType>): unknown => {
    const withDefaults = Value.Default(WebhookConfig, {
      url: 'https://example.com/hook',
      ...config,
    }) as WebhookConfigType;
    return webhook.validate?.config?.(withDefaults, ctx);
  };
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };

  it("checks the url parses and is allowed, with Kibana's wording", () => {
    expect(message(() => validateConfig({}))).toBe('no error');
    expect(message(() => validateConfig({ url: 'example.com/do-something' }))).toBe(
      'error configuring webhook action: unable to parse url: TypeError: Invalid URL: example.com/do-something',
    );
    expect(message(() => validateConfig({ url: 'https://evil.example/x' }))).toBe(
      'error configuring webhook action: target url "https://evil.example/x" is not added to the Kibana config xpack.actions.allowedHosts',
    );
  });

  it('checks auth settings, additional fields, the CA and the OAuth token url', () => {
    expect(message(() => validateConfig({ hasAuth: false, authType: 'webhook-authentication-basic' }))).toBe(
      'error configuring webhook action: authType must be null or undefined if hasAuth is false',
    );
    expect(message(() => validateConfig({ additionalFields: '[]' }))).toBe(
      'error configuring webhook action: additionalFields must be a non-empty JSON object.',
    );
    expect(message(() => validateConfig({ ca: b64('not a cert') }))).toMatch(
      /ca must be a base64-encoded PEM/,
    );
    const oauth = { authType: 'webhook-oauth2-client-credentials' as const };
    expect(message(() => validateConfig(oauth))).toBe(
      'error configuring webhook action: missing Access Token URL (accessTokenUrl), Client ID (clientId) fields',
    );
    expect(
      message(() => validateConfig({ ...oauth, clientId: 'c', accessTokenUrl: 'https://idp.example/token' })),
    ).toMatch(/target url "https:\/\/idp.example\/token" is not added/);
  });

  it("applies Kibana's schema defaults and refuses unknown keys", () => {
    expect(Value.Default(WebhookConfig, { url: 'https://example.com' })).toMatchObject({
      method: 'post',
      hasAuth: true,
      headers: null,
    });
    expect(
      Value.Check(WebhookConfig, { url: 'https://example.com', method: 'post', hasAuth: true, extra: 1 }),
    ).toBe(false);
  });

  it('accepts exactly one credential shape in the secrets', () => {
    const check = (secrets: WebhookSecretsType): string =>
      message(() => webhook.validate?.secrets?.(secrets, ctx));
    for (const ok of [
      {},
      { user: 'u', password: 'p' },
      { crt: 'c', key: 'k' },
      { pfx: 'x', password: 'p' },
      { clientSecret: 's' },
    ]) {
      expect(check(ok)).toBe('no error');
    }
    expect(check({ user: 'u' })).toMatch(/^must specify one of the following schemas: user and password;/);
    expect(check({ user: 'u', password: 'p', clientSecret: 's' })).toMatch(/^must specify one of/);
  });

  it('requires the secrets an explicit authType needs', () => {
    const pair = (
      config: Partial<WebhookConfigType>,
      secrets: WebhookSecretsType,
    ): string | null | undefined =>
      webhook.validate?.connector?.(
        Value.Default(WebhookConfig, { url: 'https://example.com', ...config }) as WebhookConfigType,
        secrets,
      );
    expect(pair({}, {})).toBeNull();
    expect(pair({ authType: 'webhook-authentication-basic' }, {})).toMatch(
      /requires the user and password secrets/,
    );
    expect(
      pair({ authType: 'webhook-authentication-ssl', certType: 'ssl-pfx' }, { crt: 'c', key: 'k' }),
    ).toMatch(/requires the pfx secret/);
    expect(pair({ authType: 'webhook-oauth2-client-credentials' }, { clientSecret: 's' })).toBeNull();
  });

  it('registers like Kibana', () => {
    expect(webhook).toMatchObject({ id: '.webhook', name: 'Webhook', minimumLicenseRequired: 'gold' });
    expect(webhook.supportedFeatureIds).toEqual(['alerting', 'uptime', 'siem']);
  });
});
