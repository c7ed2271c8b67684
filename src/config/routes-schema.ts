import { Type, type Static } from '@sinclair/typebox';

/**
 * An alert route, as written in the config file (`routes.<id>`) and sent to
 * `POST /api/casebridge/routes`. One schema for both, so a route moves between them unchanged.
 * Durations accept milliseconds, or `30s`, `5m`, `24h`; 0 turns a window off.
 */
const Window = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+(ms|s|m|h)?$' })]);

export const RouteMatcher = Type.Object(
  {
    /** `source`, `labels.<name>`, or a dotted path into the alert such as `severity` or `context.host.name`. */
    field: Type.String({ minLength: 1, maxLength: 256 }),
    op: Type.Union([Type.Literal('='), Type.Literal('!='), Type.Literal('=~'), Type.Literal('!~')]),
    value: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const RouteLifecycle = Type.Object(
  {
    /** `update`: create the first ticket, then update it while open. `create`: create once per open period, never update. */
    on_firing: Type.Optional(Type.Union([Type.Literal('update'), Type.Literal('create')])),
    on_recovery: Type.Optional(
      Type.Union([
        Type.Literal('close'),
        Type.Literal('resolve'),
        Type.Literal('comment'),
        Type.Literal('none'),
      ]),
    ),
    after_close: Type.Optional(
      Type.Union([
        Type.Literal('reopen'),
        Type.Literal('new'),
        Type.Literal('update'),
        Type.Literal('ignore'),
      ]),
    ),
    /** With `reopen`: how long after the close a firing reopens; later ones get a new ticket. 0 = always reopen. */
    reopen_window: Type.Optional(Window),
    /** Ticket states on the target that count as won't-fix (e.g. ServiceNow state "8", Canceled). */
    wont_fix_states: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 })),
    after_wont_fix: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('ignore')])),
    /** ServiceNow ITSM close values; without them closeIncident uses the connector's auto-close settings. */
    close_state: Type.Optional(Type.String({ minLength: 1 })),
    close_code: Type.Optional(Type.String({ minLength: 1 })),
    close_notes: Type.Optional(Type.String({ minLength: 1 })),
    resolve_state: Type.Optional(Type.String({ minLength: 1 })),
    reopen_state: Type.Optional(Type.String({ minLength: 1 })),
    /** Mustache template of the comment written on recovery with `on_recovery: comment`. */
    recovery_comment: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
  },
  { additionalProperties: false },
);

export const RouteDefinition = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    /** Routes are tried by `order` (ascending), then id. */
    order: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    enabled: Type.Optional(Type.Boolean()),
    /** Every matcher must match; no matchers matches every alert. */
    matchers: Type.Optional(Type.Array(RouteMatcher, { maxItems: 50 })),
    connector_id: Type.String({ minLength: 1, maxLength: 255 }),
    /** The connector type's ticket sub-action (`pushToService`, `addEvent`); omitted for the webhook. */
    sub_action: Type.Optional(Type.String({ minLength: 1 })),
    /** Mustache templates rendered per alert: the sub-action params (or the webhook's `{ body }`). */
    params: Type.Record(Type.String(), Type.Unknown()),
    correlation_key: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    lifecycle: Type.Optional(RouteLifecycle),
    /** Updates for one key closer together than this fold into the first. */
    grouping_window: Type.Optional(Window),
    /** Go on to later routes after this one matched (Alertmanager's `continue`). */
    continue: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** The config file's `routes:` section: routes as code, keyed by id, read-only through the API. */
export const RoutesSettings = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
  RouteDefinition,
  {
    default: {},
  },
);

export type RouteDefinitionInput = Static<typeof RouteDefinition>;
export type RoutesConfig = Static<typeof RoutesSettings>;
