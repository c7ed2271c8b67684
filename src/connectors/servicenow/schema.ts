import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Schemas of Kibana's three ServiceNow connector types (`lib/servicenow/schema.ts`). Field names,
 * defaults and strictness are Kibana's, so saved connectors and `_execute` bodies move over
 * unchanged. casebridge's additions (`oauthGrantType`, `ticketSettings`, `customMapping`, the
 * optional push keys below) are optional without defaults, so a Kibana connector's stored and
 * echoed config keeps exactly Kibana's keys.
 */
const nullableString = Type.Union([Type.String(), Type.Null()], { default: null });
const optionalNullableString = Type.Optional(nullableString);

/** `jwt` is Kibana's JWT bearer grant (the default); the other two are casebridge additions. */
export const oauthGrantTypes = ['jwt', 'password', 'client_credentials'] as const;
export type OAuthGrantType = (typeof oauthGrantTypes)[number];

const baseConfigFields = {
  apiUrl: Type.String(),
  isOAuth: Type.Boolean({ default: false }),
  clientId: optionalNullableString,
  userIdentifierValue: optionalNullableString,
  jwtKeyId: optionalNullableString,
  oauthGrantType: Type.Optional(Type.Union(oauthGrantTypes.map((grant) => Type.Literal(grant)))),
};

/** ThreatLocker-style ticket settings (seed 002); every one optional, push params override them. */
export const TicketSettings = Type.Object(
  {
    /** `sc_request` (Service Request) always goes through the Table API: the Elastic app only knows incidents. */
    ticketType: Type.Optional(Type.Union([Type.Literal('incident'), Type.Literal('sc_request')])),
    impact: Type.Optional(Type.String()),
    urgency: Type.Optional(Type.String()),
    /** sys_ids (listed by name through getChoices, see README). */
    assignmentGroup: Type.Optional(Type.String()),
    businessService: Type.Optional(Type.String()),
    assignee: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    /** The state a new ticket is raised with. */
    state: Type.Optional(Type.String()),
    /** The state used when the source case or alert is closed or recovers (closeIncident). */
    autoCloseState: Type.Optional(Type.String()),
    /** The state used when the source escalates (push with `lifecycle: "escalated"`). */
    escalationState: Type.Optional(Type.String()),
    /** label sys_ids written through label_entry after a ticket is created. */
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
    closeCode: Type.Optional(Type.String()),
    closeNotes: Type.Optional(Type.String()),
    /** Where pushed comments go: `work_notes` (Kibana) or customer-visible `comments`. */
    commentField: Type.Optional(Type.Union([Type.Literal('work_notes'), Type.Literal('comments')])),
  },
  { additionalProperties: false },
);

/** Source path (in the push's `source` object) → ServiceNow String field. */
export const CustomMapping = Type.Array(
  Type.Object(
    { source: Type.String({ minLength: 1 }), target: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }) },
    { additionalProperties: false },
  ),
  { maxItems: 100 },
);

export const ItsmConfig = Type.Object(
  {
    ...baseConfigFields,
    usesTableApi: Type.Boolean({ default: true }),
    ticketSettings: Type.Optional(TicketSettings),
    customMapping: Type.Optional(CustomMapping),
  },
  { additionalProperties: false },
);

export const SirConfig = Type.Object(
  { ...baseConfigFields, usesTableApi: Type.Boolean({ default: true }) },
  { additionalProperties: false },
);

export const ItomConfig = Type.Object(baseConfigFields, { additionalProperties: false });

export const ServiceNowSecrets = Type.Object(
  {
    username: optionalNullableString,
    password: optionalNullableString,
    clientSecret: optionalNullableString,
    privateKey: optionalNullableString,
    privateKeyPassword: optionalNullableString,
  },
  { additionalProperties: false },
);

export type ItsmConfigType = Static<typeof ItsmConfig>;
export type SirConfigType = Static<typeof SirConfig>;
export type ItomConfigType = Static<typeof ItomConfig>;
export type ServiceNowConfigType = ItsmConfigType | SirConfigType | ItomConfigType;
export type ServiceNowSecretsType = Static<typeof ServiceNowSecrets>;
export type TicketSettingsType = Static<typeof TicketSettings>;
export type CustomMappingType = Static<typeof CustomMapping>;

export const DEFAULT_GROUPING_KEY = '{{rule.id}}:{{alert.id}}';

const Comments = Type.Union(
  [
    Type.Array(
      Type.Object({ comment: Type.String(), commentId: Type.String() }, { additionalProperties: false }),
    ),
    Type.Null(),
  ],
  { default: null },
);

const commonIncidentFields = {
  short_description: Type.String(),
  description: optionalNullableString,
  externalId: optionalNullableString,
  category: optionalNullableString,
  subcategory: optionalNullableString,
  correlation_id: Type.Optional(Type.Union([Type.String(), Type.Null()], { default: DEFAULT_GROUPING_KEY })),
  correlation_display: optionalNullableString,
  /** An object or a JSON string; checked and parsed by `validate.params`. */
  additional_fields: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String(), Type.Null()], { default: null }),
  ),
};

/** casebridge additions to an ITSM incident: explicit values that win over the ticket settings. */
const itsmExtensionFields = {
  assignment_group: Type.Optional(Type.String()),
  assigned_to: Type.Optional(Type.String()),
  business_service: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
};

const observable = Type.Optional(
  Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()], { default: null }),
);

export const ItsmIncident = Type.Object(
  {
    ...commonIncidentFields,
    severity: optionalNullableString,
    urgency: optionalNullableString,
    impact: optionalNullableString,
    ...itsmExtensionFields,
  },
  { additionalProperties: false, default: {} },
);

export const SirIncident = Type.Object(
  {
    ...commonIncidentFields,
    dest_ip: observable,
    source_ip: observable,
    malware_hash: observable,
    malware_url: observable,
    priority: optionalNullableString,
    /** casebridge additions for BeyondTrust-style security incidents (seed 004); sys_ids or names. */
    caller: Type.Optional(Type.String()),
    assignment_group: Type.Optional(Type.String()),
    assigned_to: Type.Optional(Type.String()),
    cmdb_ci: Type.Optional(Type.String()),
    impact: Type.Optional(Type.String()),
    urgency: Type.Optional(Type.String()),
  },
  { additionalProperties: false, default: {} },
);

const strictEmpty = Type.Object({}, { additionalProperties: false, default: {} });
const subAction = <N extends string, P extends TSchema>(name: N, params: P) =>
  Type.Object({ subAction: Type.Literal(name), subActionParams: params }, { additionalProperties: false });

const getFields = subAction('getFields', Type.Record(Type.String(), Type.Unknown(), { default: {} }));
const getIncident = subAction(
  'getIncident',
  Type.Object({ externalId: Type.String() }, { additionalProperties: false }),
);
const handshake = subAction('handshake', strictEmpty);
const getChoices = subAction(
  'getChoices',
  Type.Object({ fields: Type.Array(Type.String()) }, { additionalProperties: false }),
);
const closeTarget = Type.Object(
  {
    incident: Type.Object(
      {
        externalId: optionalNullableString,
        correlation_id: Type.Optional(
          Type.Union([Type.String(), Type.Null()], { default: DEFAULT_GROUPING_KEY }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ItsmPushParams = Type.Object(
  {
    incident: ItsmIncident,
    comments: Type.Optional(Comments),
    /** The source case or alert, read by the custom mapping. */
    source: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** What happened at the source: picks the escalation or auto-close state from the ticket settings. */
    lifecycle: Type.Optional(Type.Union([Type.Literal('escalated'), Type.Literal('closed')])),
  },
  { additionalProperties: false, default: {} },
);
export const SirPushParams = Type.Object(
  { incident: SirIncident, comments: Type.Optional(Comments) },
  { additionalProperties: false, default: {} },
);

/** Kibana's order of variants, which is the order its validation messages list them in. */
export const ItsmParams = Type.Union([
  getFields,
  getIncident,
  handshake,
  subAction('pushToService', ItsmPushParams),
  getChoices,
  subAction('closeIncident', closeTarget),
]);

export const SirParams = Type.Union([
  getFields,
  getIncident,
  handshake,
  subAction('pushToService', SirPushParams),
  getChoices,
]);

const eventField = optionalNullableString;
export const ItomEvent = Type.Object(
  {
    source: eventField,
    event_class: eventField,
    resource: eventField,
    node: eventField,
    metric_name: eventField,
    type: eventField,
    severity: eventField,
    description: eventField,
    additional_info: eventField,
    message_key: Type.Optional(Type.Union([Type.String(), Type.Null()], { default: DEFAULT_GROUPING_KEY })),
    time_of_event: eventField,
  },
  { additionalProperties: false, default: {} },
);

/** Kibana's two variants first (its messages list them); `handshake` is casebridge's connection test. */
export const ItomParams = Type.Union([subAction('addEvent', ItomEvent), getChoices, handshake]);

export type ItsmParamsType = Static<typeof ItsmParams>;
export type SirParamsType = Static<typeof SirParams>;
export type ItomParamsType = Static<typeof ItomParams>;
export type ItsmIncidentType = Static<typeof ItsmIncident>;
export type SirIncidentType = Static<typeof SirIncident>;
export type ItomEventType = Static<typeof ItomEvent>;
export type PushComment = { comment: string; commentId: string };
