import { Type, type Static } from '@sinclair/typebox';

/**
 * Schemas of Kibana's `.webhook` connector (stack_connectors `webhook/schema.ts` and the shared
 * `common/auth` schema). Field names and literal values are Kibana's, so saved objects and API
 * bodies move between Kibana and casebridge unchanged. Unknown keys are refused, as Kibana's
 * config-schema does.
 */
export const webhookAuthTypes = {
  basic: 'webhook-authentication-basic',
  ssl: 'webhook-authentication-ssl',
  // Kibana spells this one without "authentication" (common/auth/constants.ts).
  oauth2ClientCredentials: 'webhook-oauth2-client-credentials',
} as const;

export const webhookCertTypes = { crt: 'ssl-crt-key', pfx: 'ssl-pfx' } as const;

/** Kibana 8.x offered post and put; newer releases add patch, get and delete. */
export const webhookMethods = ['post', 'put', 'patch', 'get', 'delete'] as const;

const optionalString = Type.Optional(Type.String());
const nullableString = Type.Optional(Type.Union([Type.String(), Type.Null()]));

export const WebhookConfig = Type.Object(
  {
    url: Type.String(),
    method: Type.Union(
      webhookMethods.map((method) => Type.Literal(method)),
      { default: 'post' },
    ),
    headers: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], { default: null }),
    ),
    hasAuth: Type.Boolean({ default: true }),
    authType: Type.Optional(
      Type.Union([
        Type.Literal(webhookAuthTypes.basic),
        Type.Literal(webhookAuthTypes.ssl),
        Type.Literal(webhookAuthTypes.oauth2ClientCredentials),
        Type.Null(),
      ]),
    ),
    certType: Type.Optional(
      Type.Union([Type.Literal(webhookCertTypes.crt), Type.Literal(webhookCertTypes.pfx)]),
    ),
    /** A CA certificate (PEM), base64-encoded, trusted in addition to the host settings. */
    ca: optionalString,
    verificationMode: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('certificate'), Type.Literal('full')]),
    ),
    accessTokenUrl: optionalString,
    clientId: optionalString,
    scope: optionalString,
    /** Extra token request fields as a JSON object in a string, as Kibana stores them. */
    additionalFields: optionalString,
  },
  { additionalProperties: false },
);

/** `crt`, `key` and `pfx` are base64 (PEM text or PKCS#12 bytes); `password` doubles as the key passphrase. */
export const WebhookSecrets = Type.Object(
  {
    user: nullableString,
    password: nullableString,
    crt: nullableString,
    key: nullableString,
    pfx: nullableString,
    clientSecret: nullableString,
  },
  { additionalProperties: false },
);

/** The body arrives already rendered: Mustache happens before the connector runs. */
export const WebhookParams = Type.Object(
  { body: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export type WebhookConfigType = Static<typeof WebhookConfig>;
export type WebhookSecretsType = Static<typeof WebhookSecrets>;
export type WebhookParamsType = Static<typeof WebhookParams>;
