import { Type, type Static } from '@sinclair/typebox';
import { QueueSettings } from './queue-schema.js';
import { RoutesSettings } from './routes-schema.js';

/**
 * The whole configuration, as JSON Schema. Defaults live here and only here;
 * `casebridge.example.yaml` writes every one of them out with a comment, and a test keeps the
 * two in step. Unknown keys are refused so a typo stops the process instead of being ignored.
 */
const VerificationMode = Type.Union([
  Type.Literal('full'),
  Type.Literal('certificate'),
  Type.Literal('none'),
]);

/** Sizes accept bytes or Kibana-style strings such as `1mb`; durations accept ms or `60s`. */
const ByteSize = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(b|kb|mb|gb)?$' })]);
const Duration = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(ms|s|m|h)?$' })]);

const CustomHostSettings = Type.Object(
  {
    url: Type.String({ minLength: 1 }),
    ssl: Type.Optional(
      Type.Object(
        {
          verificationMode: Type.Optional(VerificationMode),
          certificateAuthoritiesFiles: Type.Optional(
            Type.Union([
              Type.String({ minLength: 1 }),
              Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
            ]),
          ),
          certificateAuthoritiesData: Type.Optional(Type.String({ minLength: 1 })),
          /** Client certificate and key (PEM) for mutual TLS with this host. */
          certificate: Type.Optional(Type.String({ minLength: 1 })),
          key: Type.Optional(Type.String({ minLength: 1 })),
          certificateFile: Type.Optional(Type.String({ minLength: 1 })),
          keyFile: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const PreconfiguredConnector = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    actionTypeId: Type.String({ minLength: 1 }),
    // Optional rather than defaulted: TypeBox does not apply defaults inside Record values.
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    secrets: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    exposeConfig: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ActionsSettings = Type.Object(
  {
    allowedHosts: Type.Array(Type.String({ minLength: 1 }), { default: ['*'] }),
    enabledActionTypes: Type.Array(Type.String({ minLength: 1 }), { default: ['*'] }),
    proxyUrl: Type.Optional(Type.String({ minLength: 1 })),
    proxyHeaders: Type.Optional(Type.Record(Type.String(), Type.String())),
    proxyBypassHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    proxyOnlyHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    ssl: Type.Object(
      {
        verificationMode: Type.Union([VerificationMode], { default: 'full' }),
        proxyVerificationMode: Type.Union([VerificationMode], { default: 'full' }),
      },
      { additionalProperties: false, default: {} },
    ),
    customHostSettings: Type.Array(CustomHostSettings, { default: [] }),
    maxResponseContentLength: Type.Union([ByteSize], { default: '1mb' }),
    responseTimeout: Type.Union([Duration], { default: '60s' }),
    /** Refuse loopback, private and link-local targets (SSRF guard); off by default like Kibana. */
    denyPrivateNetworks: Type.Boolean({ default: false }),
    run: Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        connectorTypeOverrides: Type.Array(
          Type.Object(
            { id: Type.String({ minLength: 1 }), maxAttempts: Type.Integer({ minimum: 1, maximum: 10 }) },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    queued: Type.Object(
      { max: Type.Integer({ minimum: 1, default: 1_000_000 }) },
      { additionalProperties: false, default: {} },
    ),
    preconfigured: Type.Record(Type.String(), PreconfiguredConnector, { default: {} }),
  },
  { additionalProperties: false, default: {} },
);

const AuthUser = Type.Object(
  {
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 1 }),
    role: Type.Union([Type.Literal('all'), Type.Literal('read')], { default: 'all' }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 5620 }),
        /** Request bodies above this are refused with 413 before they are parsed. */
        bodyLimit: Type.Union([ByteSize], { default: '1mb' }),
        publicBaseUrl: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false, default: {} },
    ),
    dataDir: Type.String({ minLength: 1, default: './data' }),
    database: Type.Object(
      {
        /** `sqlite:<path>` (relative to the working directory) or `postgres://…`. */
        url: Type.String({ minLength: 1, default: 'sqlite:./data/casebridge.db' }),
        /** PostgreSQL schema to use; lets several deployments or test runs share one database. */
        schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]*$' })),
      },
      { additionalProperties: false, default: {} },
    ),
    encryption: Type.Object(
      {
        /** The current key: 32 bytes as base64 or hex, or any string of at least 32 characters. */
        key: Type.Optional(Type.String({ minLength: 32 })),
        /** Older keys still accepted for decryption during a rotation. */
        decryptionOnlyKeys: Type.Array(Type.String({ minLength: 32 }), { default: [] }),
      },
      { additionalProperties: false, default: {} },
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info' },
    ),
    auth: Type.Object(
      {
        users: Type.Array(AuthUser, { default: [] }),
        /** How long a valid API key is remembered; a key revoked elsewhere works at most this long. */
        apiKeyCacheSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    actions: ActionsSettings,
    queue: QueueSettings,
    routes: RoutesSettings,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ActionsConfig = Config['actions'];
export type CustomHostSetting = Static<typeof CustomHostSettings>;
export type PreconfiguredConnectorConfig = Static<typeof PreconfiguredConnector>;
export type VerificationModeValue = Static<typeof VerificationMode>;
