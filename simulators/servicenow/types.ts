// Public option and state types of the ServiceNow simulator. Kept in one place so the entry point,
// the CLI and demo mode agree on the shape without importing server internals.

/** A row as ServiceNow stores it: every value is a string ("" for empty), like the Table API returns. */
export type SnRecord = Record<string, string>;

/** A login the simulator accepts with basic auth, the OAuth password grant or as a JWT subject. */
export interface SimUser {
  user_name: string;
  password: string;
  roles: string[];
  /** Display name (sys_user.name); defaults to the user name. */
  name?: string;
  email?: string;
  /** Fixed sys_id, so tests can reference the user; derived from the user name when omitted. */
  sys_id?: string;
  /** Inactive users are refused like wrong passwords. */
  active?: boolean;
}

/** A JWT verifier map entry: the key id (`kid`) and the public key or X.509 certificate (PEM). */
export interface SimJwtVerifier {
  kid: string;
  publicKeyPem: string;
}

/** An entry of the OAuth application registry. */
export interface SimOAuthClient {
  client_id: string;
  client_secret: string;
  /** Grants this registry entry allows; defaults to password, refresh_token and jwt-bearer. */
  grants?: SimGrant[];
  /** "OAuth Application User": the user a client_credentials token acts as. */
  applicationUser?: string;
  /** The registry's "User field": which sys_user column a JWT `sub` is matched against. */
  userField?: 'user_name' | 'email' | 'sys_id';
  jwtVerifiers?: SimJwtVerifier[];
}

export type SimGrant =
  'password' | 'client_credentials' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** An inbound REST rate limit rule (sys_rate_limit_rules). Exactly one of user/role, or neither for all. */
export interface SimRateLimitRule {
  /** Reported in X-RateLimit-Rule; generated when omitted. */
  sys_id?: string;
  user?: string;
  role?: string;
  /** Which API the rule meters; `all` when omitted. */
  resource?: 'table' | 'import' | 'event' | 'all';
  method?: string;
  requestsPerHour?: number;
  /** Not a ServiceNow setting: a per-second bucket so tests can trip a limit in milliseconds. */
  requestsPerSecond?: number;
}

/** State of one Elastic scoped app, switchable at run time. */
export type ElasticAppState = 'installed' | 'not_installed';

/** Which set of close codes the incident choice list holds (they differ by release). */
export type CloseCodeSet = 'modern' | 'legacy' | 'both';

export interface TableAcl {
  /** Roles allowed, `*` meaning any authenticated user; `admin` always passes. */
  read: string[];
  create: string[];
  write: string[];
  delete: string[];
}

export interface ServiceNowSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Replaces the default logins (see `demoSeed`). */
  users?: SimUser[];
  /** Added to the default logins instead of replacing them. */
  extraUsers?: SimUser[];
  oauthClients?: SimOAuthClient[];
  /** Access token lifetime in seconds (ServiceNow default 1800). */
  tokenLifetimeSeconds?: number;
  /** Refresh token lifetime in seconds (ServiceNow default 100 days). */
  refreshTokenLifetimeSeconds?: number;
  rateLimits?: SimRateLimitRule[];
  /** Installed state of each Elastic app by scope (both installed by default). */
  elasticApps?: Partial<Record<'x_elas2_inc_int' | 'x_elas2_sir_int', ElasticAppState>>;
  /** Start as a hibernating developer instance (every API answers 200 with an HTML page). */
  hibernating?: boolean;
  closeCodes?: CloseCodeSet;
  /** Refuse choice values that are not in sys_choice for close_code (off, as on a stock instance). */
  strictChoices?: boolean;
  /** Like glide.invalid_query.returns_no_rows: unknown query fields match nothing instead of everything. */
  invalidQueryReturnsNoRows?: boolean;
  /**
   * What a journal field (work_notes, comments) reads back as with sysparm_display_value=false:
   * `latest` (the newest entry's text; the default, as issue 4 asks) or `empty` ("", which the
   * reference notes say a real instance answers).
   */
  journalValue?: 'empty' | 'latest';
  /** Per-table ACL overrides, e.g. to let a role write label_entry. */
  acl?: Record<string, Partial<TableAcl>>;
  /** Roles that contain other roles (merged over the defaults). */
  roleContains?: Record<string, string[]>;
  /** How many requests the log keeps (oldest dropped first); default 1000. */
  requestLogLimit?: number;
  /** Generate an RS256 key pair and register it for every OAuth client without verifiers. */
  generateJwtKey?: boolean;
  /** Serve HTTPS with this key and certificate (PEM), as a real instance does. */
  tls?: { key: string; cert: string };
  /** Leave out the seeded reference data (users are always present). */
  seed?: boolean;
}

/** One request as the log keeps it, with secrets masked. */
export interface LoggedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON or form body (secrets masked), raw text otherwise, undefined when empty. */
  body: unknown;
  status: number;
  durationMs: number;
  /** The authenticated user, when there was one. */
  user?: string;
  /** Why the simulator answered as it did when that is not obvious (fault, rate limit, OAuth reason). */
  note?: string;
}
