import { startServiceNowSimulator, type ServiceNowSimulator } from '../../simulators/servicenow/index.js';
import type { DialectName } from '../../src/store/db.js';
import { createTestApp } from '../helpers/test-app.js';
import { caller, postCaseReq } from './cases-fixtures.js';
import { basic } from './servicenow-support.js';

/** The two ServiceNow case connector types, each with the table its tickets land in. */
export const snKinds = [
  {
    name: 'ITSM',
    type: '.servicenow',
    table: 'incident',
    secrets: basic.itsm,
    fields: { urgency: '2', impact: '2', severity: '2', category: 'software', subcategory: 'os' },
  },
  {
    name: 'SIR',
    type: '.servicenow-sir',
    table: 'sn_si_incident',
    secrets: basic.sir,
    fields: {
      category: 'Denial of Service',
      subcategory: '45',
      priority: '2',
      destIp: false,
      sourceIp: false,
      malwareHash: false,
      malwareUrl: false,
    },
  },
] as const;

export type SnKind = (typeof snKinds)[number];

/** An app, a simulator, and the cases calls the suites share. */
export async function startCasesHarness(dialect: DialectName, config: Record<string, unknown> = {}) {
  const sim = await startServiceNowSimulator({});
  const t = await createTestApp({ dialect, config: { 'actions.allowedHosts': ['127.0.0.1'], ...config } });
  const h = {
    sim,
    t,
    close: async () => {
      await t.app.queue.stopWorkers();
      await t.close();
      await sim.close();
    },
  };
  const call = caller(() => t);
  const connectors = new Map<string, string>();
  for (const kind of snKinds) {
    const created = await call('POST', '/api/actions/connector', {
      name: `sn ${kind.type}`,
      connector_type_id: kind.type,
      config: { apiUrl: sim.url, usesTableApi: false },
      secrets: kind.secrets,
    });
    connectors.set(kind.type, String(created.body.id));
  }
  const connectorOf = (kind: SnKind) => ({
    id: connectors.get(kind.type) ?? '',
    name: `sn ${kind.type}`,
    type: kind.type,
    fields: { ...kind.fields },
  });
  return {
    h,
    call,
    connectorOf,
    newCase: async (kind: SnKind, extra: object = {}) => {
      const created = await call('POST', '/api/cases', {
        ...postCaseReq,
        connector: connectorOf(kind),
        ...extra,
      });
      if (created.status !== 200) throw new Error(JSON.stringify(created.body));
      return created.body as { id: string; version: string };
    },
    comment: (caseId: string, text: string) =>
      call('POST', `/api/cases/${caseId}/comments`, {
        type: 'user',
        comment: text,
        owner: 'securitySolution',
      }),
    push: (caseId: string, kind: SnKind) =>
      call('POST', `/api/cases/${caseId}/connector/${connectors.get(kind.type) ?? ''}/_push`),
    /** Sets the owner's settings; returns nothing, the suites read them back through the API. */
    configure: async (kind: SnKind, settings: object) => {
      const reply = await call('POST', '/api/cases/configure', {
        owner: 'securitySolution',
        closure_type: 'close-by-user',
        connector: { ...connectorOf(kind), fields: null },
        ...settings,
      });
      if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
    },
    /** The case's deliveries, oldest first. */
    deliveries: async (caseId: string) =>
      (
        await call('GET', `/api/casebridge/deliveries?key=case:${caseId}&per_page=100`)
      ).body.data.reverse() as Array<{
        id: string;
        status: string;
        origin: string;
      }>,
    /** Waits until no push of the case is waiting or running. */
    settled: async (caseId: string, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const open = await call(
          'GET',
          `/api/casebridge/deliveries?key=case:${caseId}&status=queued,running,retrying`,
        );
        if (open.body.total === 0) return;
        if (Date.now() > until)
          throw new Error(`pushes of case ${caseId} still open: ${JSON.stringify(open.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** The work notes of a ticket, oldest first, without the `Added by` line. */
export function workNotes(sim: ServiceNowSimulator, sysId: string): string[] {
  return sim.tables
    .journal(sysId, 'work_notes')
    .reverse()
    .map((entry) => String(entry.value).split('\n\nAdded by')[0] ?? '');
}
