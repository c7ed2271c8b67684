import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAllRole } from '../http/auth.js';
import type { CasesDeps } from '../cases/cases-deps.js';
import type { CasesService } from '../cases/cases-service.js';
import { CommentsService, type AttachmentRequest as Attachment } from '../cases/comments-service.js';
import {
  AttachmentRequest,
  AttachmentUpdate,
  CaseIdParams,
  SortOrder,
  strict,
  userOf,
} from './cases-schemas.js';

const CommentParams = strict({
  case_id: Type.String({ minLength: 1 }),
  comment_id: Type.String({ minLength: 1 }),
});

/** Attachment routes (§1.8): add, bulk add, edit, get, find, delete one or all. */
export function caseCommentRoutes(deps: CasesDeps, cases: CasesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const comments = new CommentsService(deps, cases);
    const tags = ['cases'];
    const denied = (owner: string) => `Unauthorized to create comment with owners: "${owner}"`;

    app.post(
      '/api/cases/:case_id/comments',
      { schema: { tags, summary: 'Add an attachment', params: CaseIdParams, body: AttachmentRequest } },
      async (request) => {
        // The union's static type is too wide to narrow; the schema has checked the shape.
        const attachment = request.body as Attachment;
        requireAllRole(request, denied(attachment.owner));
        return comments.add(request.params.case_id, [attachment], userOf(request));
      },
    );

    app.post(
      '/internal/cases/:case_id/attachments/_bulk_create',
      {
        schema: {
          tags,
          summary: 'Add attachments',
          params: CaseIdParams,
          body: Type.Array(AttachmentRequest),
        },
      },
      async (request) => {
        const attachments = request.body as Attachment[];
        requireAllRole(request, denied(attachments[0]?.owner ?? ''));
        return comments.add(request.params.case_id, attachments, userOf(request));
      },
    );

    app.patch(
      '/api/cases/:case_id/comments',
      {
        schema: {
          tags,
          summary: 'Edit an attachment',
          params: CaseIdParams,
          body: AttachmentUpdate,
        },
      },
      async (request) => {
        const { id, version, ...attachment } = request.body as Attachment & { id: string; version: string };
        requireAllRole(request, `Unauthorized to update comment with owners: "${attachment.owner}"`);
        return comments.update(request.params.case_id, { ...attachment, id, version }, userOf(request));
      },
    );

    app.get(
      '/api/cases/:case_id/comments/_find',
      {
        schema: {
          tags,
          summary: 'Find attachments',
          params: CaseIdParams,
          querystring: strict({
            page: Type.Integer({ minimum: 1, default: 1 }),
            perPage: Type.Integer({ minimum: 0, default: 20 }),
            sortOrder: Type.Optional(SortOrder),
          }),
        },
      },
      async (request) =>
        comments.find(request.params.case_id, {
          page: request.query.page,
          perPage: request.query.perPage,
          sortOrder: request.query.sortOrder ?? 'asc',
        }),
    );

    app.get(
      '/api/cases/:case_id/comments/:comment_id',
      { schema: { tags, summary: 'Get an attachment', params: CommentParams } },
      async (request) => comments.get(request.params.case_id, request.params.comment_id),
    );

    app.delete(
      '/api/cases/:case_id/comments',
      { schema: { tags, summary: 'Delete all attachments', params: CaseIdParams } },
      async (request, reply) => {
        requireAllRole(request, 'Unauthorized to delete comment');
        await comments.delete(request.params.case_id, undefined, userOf(request));
        return reply.code(204).send();
      },
    );

    app.delete(
      '/api/cases/:case_id/comments/:comment_id',
      { schema: { tags, summary: 'Delete an attachment', params: CommentParams } },
      async (request, reply) => {
        requireAllRole(request, 'Unauthorized to delete comment');
        await comments.delete(request.params.case_id, request.params.comment_id, userOf(request));
        return reply.code(204).send();
      },
    );
  };
}
