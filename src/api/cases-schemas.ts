import { Type, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { caseUser } from '../cases/cases-deps.js';
import { caseSeverities, caseStatuses, closureTypes, syncModes } from '../domain/cases/types.js';

/** A string enum as a union of literals (which the type provider infers; `Type.Unsafe` it does not). */
const oneOf = <T extends string>(values: readonly T[]): TUnion<Array<TLiteral<T>>> =>
  Type.Union(values.map((value) => Type.Literal(value)));

export const strict = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const Severity = oneOf(caseSeverities);
export const Status = oneOf(caseStatuses);
export const ClosureType = oneOf(closureTypes);
export const SyncMode = oneOf(syncModes);
export { oneOf };
export const SortOrder = oneOf(['asc', 'desc'] as const);

/** Fields are checked per connector type in the domain (domain/cases/case-connector.ts). */
export const CaseConnector = strict({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  fields: Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())]),
});

export const CustomField = strict({
  key: Type.String(),
  type: oneOf(['text', 'toggle', 'number'] as const),
  value: Type.Union([Type.String(), Type.Boolean(), Type.Number(), Type.Null()]),
});

export const Assignee = strict({ uid: Type.String({ minLength: 1 }) });
export const Settings = strict({
  syncAlerts: Type.Boolean(),
  extractObservables: Type.Optional(Type.Boolean()),
});

export const CaseIdParams = strict({ case_id: Type.String({ minLength: 1 }) });

/** Query values Kibana accepts as one value or many (`?tags=a&tags=b`); coerced to arrays. */
export const StringList = Type.Optional(Type.Array(Type.String()));

/** The attachment request variants of §1.8; text limits are checked in the service. */
const attachmentVariants = [
  strict({ type: Type.Literal('user'), comment: Type.String(), owner: Type.String() }),
  strict({
    type: Type.Literal('alert'),
    alertId: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    index: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    rule: strict({
      id: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
    }),
    owner: Type.String(),
  }),
  strict({
    type: Type.Literal('actions'),
    comment: Type.String(),
    actions: strict({
      targets: Type.Array(strict({ hostname: Type.String(), endpointId: Type.String() })),
      type: Type.String(),
    }),
    owner: Type.String(),
  }),
  strict({
    type: Type.Literal('externalReference'),
    externalReferenceId: Type.String(),
    externalReferenceStorage: Type.Record(Type.String(), Type.Unknown()),
    externalReferenceAttachmentTypeId: Type.String(),
    externalReferenceMetadata: Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())]),
    owner: Type.String(),
  }),
  strict({
    type: Type.Literal('persistableState'),
    persistableStateAttachmentTypeId: Type.String(),
    persistableStateAttachmentState: Type.Record(Type.String(), Type.Unknown()),
    owner: Type.String(),
  }),
];

export const AttachmentRequest = Type.Union(attachmentVariants);

/** An edit: any variant plus the attachment's `id` and `version`. */
export const AttachmentUpdate = Type.Union(
  attachmentVariants.map((variant) =>
    Type.Object(
      { ...variant.properties, id: Type.String({ minLength: 1 }), version: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
  ),
);

/** Kibana's user object for the caller of a request. */
export const userOf = (request: FastifyRequest) => caseUser(request.principal?.name);
