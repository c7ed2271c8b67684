import { Type } from '@sinclair/typebox';
import { defineConnectorType } from '../../src/connectors/contract.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * A case connector that records what it receives, like the recording simulators of Kibana's
 * Cases tests. It answers as a ServiceNow-like target: a new external id on create, the same id
 * on update, and fails with the target's message when its config says so.
 */
export const recorded: Array<{
  connectorId: string;
  params: { subAction: string; subActionParams: Record<string, unknown> };
}> = [];

export const caseRecorderType = defineConnectorType({
  id: 'test.cases-recorder',
  name: 'Test: Cases Recorder',
  minimumLicenseRequired: 'basic',
  supportedFeatureIds: ['cases'],
  schemas: {
    config: Type.Object({ fail: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    secrets: Type.Object({}),
    params: Type.Object({
      subAction: Type.String(),
      subActionParams: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  async execute(ctx, params) {
    recorded.push({ connectorId: ctx.connectorId, params });
    if (ctx.config.fail === true) {
      return {
        status: 'error',
        message: 'an error occurred',
        serviceMessage: '[Recorder]: target said no',
        retry: false,
      };
    }
    const incident = params.subActionParams.incident as { externalId: string | null };
    const id = incident.externalId ?? `ext-${recorded.length}`;
    const comments = (params.subActionParams.comments as Array<{ commentId: string }> | undefined) ?? [];
    return {
      status: 'ok',
      data: {
        id,
        title: `INC-${id}`,
        url: `https://target.example.com/${id}`,
        pushedDate: new Date().toISOString(),
        comments: comments.map((comment) => ({
          commentId: comment.commentId,
          pushedDate: new Date().toISOString(),
        })),
      },
    };
  },
});

export const postCaseReq = {
  title: 'Super Bad Security Issue',
  description: 'This is a brand new case of a bad meanie defacing data',
  tags: ['defacement'],
  severity: 'low',
  connector: { id: 'none', name: 'none', type: '.none', fields: null },
  settings: { syncAlerts: true },
  owner: 'securitySolution',
  assignees: [],
};

export const userComment = { type: 'user', comment: 'This is a cool comment', owner: 'securitySolution' };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An inject call with the admin key (or another), returning status and parsed body. */
export function caller(t: () => TestApp) {
  return async (method: Method, url: string, payload?: unknown, auth?: string) => {
    const res = await t().app.server.inject({
      method,
      url,
      headers: { authorization: auth ?? t().adminAuth, 'kbn-xsrf': 'true' },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    const body: any = res.body === '' ? undefined : res.json();
    return { status: res.statusCode, body };
  };
}
