/**
 * The shapes of Kibana's Cases API (cases-kibana.md §1–§2), as casebridge returns them. Field
 * names stay Kibana's (a mix of snake_case and camelCase) so Kibana clients work unchanged.
 */

export const caseStatuses = ['open', 'in-progress', 'closed'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const caseSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type CaseSeverity = (typeof caseSeverities)[number];

export const closureTypes = ['close-by-user', 'close-by-pushing'] as const;
export type ClosureType = (typeof closureTypes)[number];

/** casebridge addition: push on every mapped change through the delivery queue, or only on request. */
export const syncModes = ['manual', 'on-change'] as const;
export type SyncMode = (typeof syncModes)[number];

export interface CaseUser {
  username: string | null;
  full_name: string | null;
  email: string | null;
  profile_uid?: string;
}

export interface CaseConnector {
  id: string;
  name: string;
  type: string;
  fields: Record<string, unknown> | null;
}

export const noneConnector: CaseConnector = { id: 'none', name: 'none', type: '.none', fields: null };

export interface ExternalService {
  connector_id: string;
  connector_name: string;
  external_id: string;
  external_title: string;
  external_url: string;
  pushed_at: string;
  pushed_by: CaseUser;
}

export interface CustomField {
  key: string;
  type: 'text' | 'toggle' | 'number';
  value: string | boolean | number | null;
}

export interface CaseSettings {
  syncAlerts: boolean;
}

/** What is stored for a case, before counters and comments are added for a response. */
export interface CaseRecord {
  id: string;
  version: string;
  owner: string;
  title: string;
  description: string;
  tags: string[];
  status: CaseStatus;
  severity: CaseSeverity;
  settings: CaseSettings;
  connector: CaseConnector;
  assignees: Array<{ uid: string }>;
  category: string | null;
  customFields: CustomField[];
  external_service: ExternalService | null;
  created_at: string;
  created_by: CaseUser;
  updated_at: string | null;
  updated_by: CaseUser | null;
  closed_at: string | null;
  closed_by: CaseUser | null;
}

export interface CaseResponse extends CaseRecord {
  duration: number | null;
  totalComment: number;
  totalAlerts: number;
  observables: unknown[];
  comments?: AttachmentResponse[];
}

export type AttachmentType = 'user' | 'alert' | 'actions' | 'externalReference' | 'persistableState';

/** The attachment request body minus `owner` and `type`, stored as given. */
export type AttachmentBody = Record<string, unknown>;

export interface AttachmentRecord {
  id: string;
  version: string;
  case_id: string;
  owner: string;
  type: AttachmentType;
  body: AttachmentBody;
  created_at: string;
  created_by: CaseUser;
  updated_at: string | null;
  updated_by: CaseUser | null;
  pushed_at: string | null;
  pushed_by: CaseUser | null;
}

/** Kibana's attachment object: the request fields flattened beside the bookkeeping fields. */
export type AttachmentResponse = Record<string, unknown> & {
  id: string;
  version: string;
  type: AttachmentType;
  owner: string;
};

export type UserActionType =
  | 'create_case'
  | 'delete_case'
  | 'title'
  | 'description'
  | 'tags'
  | 'connector'
  | 'status'
  | 'severity'
  | 'assignees'
  | 'settings'
  | 'category'
  | 'customFields'
  | 'comment'
  | 'pushed';

export type UserActionAction = 'create' | 'update' | 'delete' | 'add' | 'push_to_service';

export interface UserActionRecord {
  id: string;
  case_id: string;
  /** Position in the case's history; pushes and comment selection compare positions, not times. */
  seq: number;
  type: UserActionType;
  action: UserActionAction;
  payload: Record<string, unknown>;
  comment_id: string | null;
  owner: string;
  created_at: string;
  created_by: CaseUser;
  version: string;
}

/** A user action before it has an id, position and time. */
export type NewUserAction = Pick<UserActionRecord, 'type' | 'action' | 'payload' | 'comment_id'>;

export interface Mapping {
  source: 'title' | 'description' | 'comments' | 'tags';
  target: string;
  action_type: 'overwrite' | 'append' | 'nothing';
}

export interface ConfigurationRecord {
  id: string;
  version: string;
  owner: string;
  connector: CaseConnector;
  closure_type: ClosureType;
  customFields: Array<Record<string, unknown>>;
  templates: Array<Record<string, unknown>>;
  sync: SyncMode;
  created_at: string;
  created_by: CaseUser;
  updated_at: string | null;
  updated_by: CaseUser | null;
}
