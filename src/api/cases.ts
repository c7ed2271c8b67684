import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { caseErrors } from '../domain/cases/case-errors.js';
import { limits } from '../domain/cases/limits.js';
import { checkArrayLength } from '../domain/cases/validate-case.js';
import { requireAllRole } from '../http/auth.js';
import { withAutoSync } from '../cases/auto-sync.js';
import type { CasesDeps } from '../cases/cases-deps.js';
import { CasesService, type CaseUpdateInput } from '../cases/cases-service.js';
import type { CaseFilter, CaseSortField } from '../store/repos/cases-repo.js';
import {
  Assignee,
  CaseConnector,
  CaseIdParams,
  CustomField,
  Settings,
  Severity,
  SortOrder,
  Status,
  StringList,
  oneOf,
  strict,
  userOf,
} from './cases-schemas.js';
import { caseCommentRoutes } from './cases-comments.js';
import { caseConfigureRoutes } from './cases-configure.js';
import { casePushRoutes } from './cases-push.js';
import { caseUserActionRoutes } from './cases-user-actions.js';

const CreateBody = strict({
  title: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  connector: CaseConnector,
  settings: Settings,
  owner: Type.String(),
  severity: Type.Optional(Severity),
  assignees: Type.Optional(Type.Array(Assignee)),
  category: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  customFields: Type.Optional(Type.Array(CustomField)),
});

const UpdateItem = strict({
  id: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  connector: Type.Optional(CaseConnector),
  severity: Type.Optional(Severity),
  status: Type.Optional(Status),
  settings: Type.Optional(Settings),
  assignees: Type.Optional(Type.Array(Assignee)),
  category: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  customFields: Type.Optional(Type.Array(CustomField)),
  // Accepted by the schema only so the service can answer Kibana's own message for it.
  owner: Type.Optional(Type.String()),
});

const sortFields: Record<string, CaseSortField> = {
  title: 'title',
  category: 'category',
  createdAt: 'created_at',
  created_at: 'created_at',
  updatedAt: 'updated_at',
  updated_at: 'updated_at',
  closedAt: 'closed_at',
  closed_at: 'closed_at',
  status: 'status',
  severity: 'severity',
};

const FindQuery = strict({
  tags: StringList,
  status: Type.Optional(Type.Array(Status)),
  severity: Type.Optional(Type.Array(Severity)),
  assignees: StringList,
  reporters: StringList,
  owner: StringList,
  category: StringList,
  search: Type.Optional(Type.String()),
  searchFields: Type.Optional(Type.Array(oneOf(['title', 'description'] as const))),
  sortField: Type.Optional(oneOf(Object.keys(sortFields))),
  sortOrder: Type.Optional(SortOrder),
  page: Type.Integer({ minimum: 1, default: 1 }),
  perPage: Type.Integer({ minimum: 0, default: 20 }),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  defaultSearchOperator: Type.Optional(Type.String()),
});

const OwnerQuery = strict({ owner: StringList });

function filterOf(query: Omit<typeof FindQuery.static, 'page' | 'perPage'>): CaseFilter {
  const filter: CaseFilter = {};
  if (query.owner) filter.owner = query.owner;
  if (query.status) filter.status = query.status;
  if (query.severity) filter.severity = query.severity;
  if (query.tags) filter.tags = query.tags;
  if (query.assignees) filter.assignees = query.assignees;
  if (query.reporters) filter.reporters = query.reporters;
  if (query.category) filter.category = query.category;
  if (query.search !== undefined) filter.search = query.search;
  if (query.searchFields) filter.searchFields = query.searchFields;
  if (query.from !== undefined) filter.from = new Date(query.from).toISOString();
  if (query.to !== undefined) filter.to = new Date(query.to).toISOString();
  return filter;
}

/** `ids` arrives as `ids=a&ids=b` or as one JSON-encoded array (`ids=["a","b"]`), as Kibana's tests send it. */
function parseIds(values: string[]): string[] {
  return values.flatMap((value) => {
    if (!value.startsWith('[')) return [value];
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((id) => typeof id === 'string')) return parsed as string[];
    } catch {
      // Fall through to the validation error below.
    }
    throw caseErrors.invalid(`[request query.ids]: could not parse array value from json input`);
  });
}

/** Kibana's Cases API (cases-kibana.md §1–§3): every cases route module, registered with one line in app.ts. */
export function casesRoutes(given: CasesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const deps = withAutoSync(given);
    const cases = new CasesService(deps);
    const tags = ['cases'];

    app.post(
      '/api/cases',
      { schema: { tags, summary: 'Create a case', body: CreateBody } },
      async (request) => {
        requireAllRole(request, `Unauthorized to create case with owners: "${request.body.owner}"`);
        return cases.create(request.body, userOf(request));
      },
    );

    app.get(
      '/api/cases/:case_id',
      {
        schema: {
          tags,
          summary: 'Get a case',
          params: CaseIdParams,
          querystring: strict({ includeComments: Type.Boolean({ default: true }) }),
        },
      },
      async (request) => cases.get(request.params.case_id, request.query.includeComments),
    );

    app.get(
      '/api/cases/_find',
      { schema: { tags, summary: 'Find cases', querystring: FindQuery } },
      async (request) => {
        const { page, perPage, sortField, sortOrder, ...rest } = request.query;
        return cases.find({
          filter: filterOf(rest),
          sortField: sortFields[sortField ?? 'createdAt'] ?? 'created_at',
          sortOrder: sortOrder ?? 'desc',
          page,
          perPage,
        });
      },
    );

    app.patch(
      '/api/cases',
      { schema: { tags, summary: 'Update cases', body: strict({ cases: Type.Array(UpdateItem) }) } },
      async (request) => {
        const updates = request.body.cases as CaseUpdateInput[];
        checkArrayLength('cases', updates, limits.casesToUpdate, 1);
        requireAllRole(request, 'Unauthorized to update case');
        return cases.bulkUpdate(updates, userOf(request));
      },
    );

    app.delete(
      '/api/cases',
      { schema: { tags, summary: 'Delete cases', querystring: strict({ ids: Type.Array(Type.String()) }) } },
      async (request, reply) => {
        const ids = parseIds(request.query.ids);
        checkArrayLength('ids', ids, limits.deleteIds, 1);
        requireAllRole(request, 'Unauthorized to delete case');
        await cases.delete([...new Set(ids)], userOf(request));
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/cases/tags',
      { schema: { tags, summary: 'Case tags', querystring: OwnerQuery } },
      async (request) => cases.tags(request.query.owner ?? []),
    );
    app.get(
      '/api/cases/reporters',
      { schema: { tags, summary: 'Case reporters', querystring: OwnerQuery } },
      async (request) => cases.reporters(request.query.owner ?? []),
    );
    app.get(
      '/api/cases/status',
      { schema: { tags, summary: 'Case counts by status', querystring: FindQuery } },
      async (request) => cases.statusCounts(filterOf(request.query)),
    );

    await app.register(caseCommentRoutes(deps, cases));
    await app.register(caseUserActionRoutes(deps));
    await app.register(caseConfigureRoutes(deps));
    await app.register(casePushRoutes(deps, cases));
  };
}
