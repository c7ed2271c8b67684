import type { ServiceNowClient } from './client.js';
import { operation, ServiceNowError, type CallContext } from './errors.js';
import { elementsOr, equals, storedCorrelationId, taskOr } from './query.js';

/** What differs between ITSM and SecOps: tables and the Elastic app (Kibana's `serviceConfig`). */
export interface TableSetup {
  table: string;
  importSetTable: string;
  appScope: string;
  /** Import-set mode (Elastic app) when true; Table API (Kibana's deprecated path) when false. */
  useImportApi: boolean;
}

export type SnRecord = Record<string, unknown>;
export type Fields = Record<string, unknown>;

export interface ExternalIncident {
  id: string;
  title: string;
  pushedDate: string;
  url: string;
}

const FIELD_PREFIX = 'u_';

/** `2020-03-10 12:24:20` is UTC in the Table API; missing → now, as Kibana does. */
export function toPushedDate(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value))
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  return new Date().toISOString();
}

/**
 * The request sequences of servicenow-kibana.md §5: import set (health, import, read back) or
 * Table API (POST/PATCH, read back), plus lookups, fields and choices.
 */
export class IncidentService {
  constructor(
    readonly client: ServiceNowClient,
    readonly setup: TableSetup,
  ) {}

  private ctx(method: CallContext['method'], endpoint: CallContext['endpoint']): CallContext {
    return { method, endpoint };
  }

  private get auth() {
    return this.client.authMode;
  }

  viewUrl(sysId: string, table = this.setup.table): string {
    return `${this.client.base}/nav_to.do?uri=${table}.do?sys_id=${sysId}`;
  }

  async checkApp(): Promise<SnRecord> {
    return operation('Unable to get application version', this.ctx('get', 'health'), this.auth, async () => {
      const body = await this.client.call<{ result: SnRecord }>({
        method: 'get',
        endpoint: 'health',
        path: `/api/${this.setup.appScope}/elastic_api/health`,
      });
      const result = { ...body.result };
      this.client.logger.debug(
        `Create incident: Application scope: ${String(result.scope)}: Application version${String(result.version)}`,
      );
      return result;
    });
  }

  async getIncident(id: string, table = this.setup.table): Promise<SnRecord> {
    return operation(
      `Unable to get incident with id ${id}`,
      this.ctx('get', 'table'),
      this.auth,
      async () => {
        if (id.trim() === '') throw new ServiceNowError('Incident id is empty.');
        const body = await this.client.call({
          method: 'get',
          endpoint: 'table',
          path: `/api/now/v2/table/${table}/${encodeURIComponent(id)}`,
        });
        return { ...(body.result as SnRecord) };
      },
    );
  }

  /** Newest record with this correlation id, or null (a non-array `result` also means none). */
  async getByCorrelationId(correlationId: string): Promise<SnRecord | null> {
    return operation(
      `Unable to get incident by correlation ID ${correlationId}`,
      this.ctx('get', 'table'),
      this.auth,
      async () => {
        if (correlationId.trim() === '') throw new ServiceNowError('Correlation ID is empty.');
        const body = await this.client.call({
          method: 'get',
          endpoint: 'table',
          path: `/api/now/v2/table/${this.setup.table}`,
          query: {
            sysparm_query: `ORDERBYDESCsys_created_on^${equals('correlation_id', storedCorrelationId(correlationId))}`,
          },
        });
        const first = Array.isArray(body.result) ? (body.result[0] as SnRecord | undefined) : undefined;
        return first ?? null;
      },
    );
  }

  /** Creates (no id) or updates a record; returns the record read back. */
  async write(
    fields: Fields,
    additional: Fields | null,
    id: string | null,
    table = this.setup.table,
  ): Promise<ExternalIncident> {
    const importMode = this.setup.useImportApi && table === this.setup.table;
    const what = id === null ? 'Unable to create incident' : `Unable to update incident with id ${id}`;
    const call = importMode
      ? this.ctx('post', 'import_set')
      : id === null
        ? this.ctx('post', 'table')
        : this.ctx('patch', 'table');
    return operation(what, call, this.auth, async () => {
      let sysId: string;
      if (importMode) {
        await this.checkApp();
        const body: Fields = { ...(additional ?? {}) };
        for (const [key, value] of Object.entries(fields)) body[`${FIELD_PREFIX}${key}`] = value;
        if (id !== null) body.elastic_incident_id = id;
        sysId = await this.importRow(body);
      } else {
        if (additional !== null && this.setup.useImportApi === false && table === this.setup.table) {
          throw new ServiceNowError(
            'ServiceNow additional fields are not supported for deprecated connectors.',
            {
              status: 400,
            },
          );
        }
        const answer = await this.client.call<{ result: SnRecord }>({
          method: id === null ? 'post' : 'patch',
          endpoint: 'table',
          path: `/api/now/v2/table/${table}${id === null ? '' : `/${encodeURIComponent(id)}`}`,
          json: { ...(additional ?? {}), ...fields },
        });
        sysId = String(answer.result.sys_id ?? '');
      }
      const record = await this.getIncident(sysId, table);
      return {
        id: String(record.sys_id ?? sysId),
        title: String(record.number ?? ''),
        pushedDate: toPushedDate(id === null ? record.sys_created_on : record.sys_updated_on),
        url: this.viewUrl(String(record.sys_id ?? sysId), table),
      };
    });
  }

  /** POST to the staging table; a row with status "error" inside a 2xx is a failure (§5.5). */
  private async importRow(body: Fields): Promise<string> {
    const answer = await this.client.call<{ result: unknown }>({
      method: 'post',
      endpoint: 'import_set',
      path: `/api/now/import/${this.setup.importSetTable}`,
      json: body,
    });
    const rows = Array.isArray(answer.result) ? (answer.result as SnRecord[]) : [];
    const row = rows[0];
    if (!row) throw new ServiceNowError('Unexpected result', { status: 200 });
    const failed = rows.find((r) => r.status === 'error');
    if (failed) {
      throw new ServiceNowError(String(failed.error_message ?? failed.status_message ?? 'import failed'), {
        status: 200,
      });
    }
    return String(row.sys_id ?? '');
  }

  /** GET sys_dictionary: the String columns of the table and task (Kibana's getFields query). */
  async getFields(table = this.setup.table): Promise<SnRecord[]> {
    return operation('Unable to get fields', this.ctx('get', 'table'), this.auth, async () => {
      const body = await this.client.call({
        method: 'get',
        endpoint: 'table',
        path: '/api/now/table/sys_dictionary',
        // Kibana concatenates this URL, so `active`, `array` and `read_only` arrive as separate
        // Table API field filters, not as part of the encoded query.
        query: {
          sysparm_query: `${taskOr(table)}^internal_type=string`,
          active: 'true',
          array: 'false',
          read_only: 'false',
          sysparm_fields: 'max_length,element,column_label,mandatory',
        },
      });
      return Array.isArray(body.result) && body.result.length > 0 ? (body.result as SnRecord[]) : [];
    });
  }

  async getChoices(fields: string[], table = this.setup.table): Promise<SnRecord[]> {
    return operation('Unable to get choices', this.ctx('get', 'table'), this.auth, async () => {
      const body = await this.client.call({
        method: 'get',
        endpoint: 'table',
        path: '/api/now/table/sys_choice',
        query: {
          sysparm_query: `${taskOr(table)}^${elementsOr(fields)}^language=en`,
          sysparm_fields: 'label,value,dependent_value,element',
        },
      });
      return Array.isArray(body.result) ? (body.result as SnRecord[]) : [];
    });
  }

  /** Rows of a reference table (groups, users, services, labels) for pickers: `{sys_id, <name>}`. */
  async listReferences(table: string, nameField: string): Promise<SnRecord[]> {
    return operation('Unable to get choices', this.ctx('get', 'table'), this.auth, async () => {
      const active = table === 'cmdb_ci_service' || table === 'cmdb_ci' ? '' : '^active=true';
      const body = await this.client.call({
        method: 'get',
        endpoint: 'table',
        path: `/api/now/table/${table}`,
        query: {
          sysparm_query: `ORDERBY${nameField}${active}`,
          sysparm_fields: `sys_id,${nameField}`,
          sysparm_limit: '500',
        },
      });
      return Array.isArray(body.result) ? (body.result as SnRecord[]) : [];
    });
  }
}
