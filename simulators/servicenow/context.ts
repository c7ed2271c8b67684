// What every handler gets: the database, the registries and the switchable instance state, and the
// parsed request. One object so handlers stay plain functions that are easy to read and test.
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthUser, UserRegistry } from './auth.js';
import type { Actor } from './lifecycle.js';
import type { OAuthServer } from './oauth.js';
import { badRequestBody } from './responses.js';
import type { SimDatabase } from './store.js';
import type { ElasticAppState } from './types.js';

export type ElasticScope = 'x_elas2_inc_int' | 'x_elas2_sir_int';

export interface InstanceState {
  apps: Record<ElasticScope, ElasticAppState>;
  hibernating: boolean;
  /** The next N import-set rows fail inside the transform (2xx with status "error"). */
  importErrors: number;
  /** Observables the Elastic SecOps app attached, by security incident sys_id. */
  observables: Map<string, { value: string; type: string; observable_sys_id: string }[]>;
}

export interface SimContext {
  db: SimDatabase;
  users: UserRegistry;
  oauth: OAuthServer;
  state: InstanceState;
  baseUrl: string;
  strictChoices: boolean;
  invalidQueryReturnsNoRows: boolean;
  journalValue: 'empty' | 'latest';
}

/** Largest body the platform reads (10 MB); larger ones are refused with a 400. */
export const MAX_BODY_BYTES = 10_485_760;

export class SimRequest {
  private parsed: unknown;
  private parsedOnce = false;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly query: URLSearchParams,
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
    public user: AuthUser | undefined,
  ) {}

  get text(): string {
    return this.body.toString('utf8');
  }

  /** The parsed JSON body, memoised so the request log can reuse it. */
  json(): unknown {
    if (!this.parsedOnce) {
      this.parsedOnce = true;
      if (this.body.length === 0) throw badRequestBody('Request body is empty');
      try {
        this.parsed = JSON.parse(this.text);
      } catch (err) {
        throw badRequestBody(`The payload is not valid JSON: ${(err as Error).message}`);
      }
    }
    return this.parsed;
  }

  /** The parsed body when it was read as JSON, for the log. */
  get parsedBody(): unknown {
    return this.parsedOnce ? this.parsed : undefined;
  }

  /** A JSON object body (arrays and scalars refused as the platform refuses them). */
  object(): Record<string, unknown> {
    const value = this.json();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw badRequestBody('Expected a JSON object');
    }
    return value as Record<string, unknown>;
  }

  actor(): Actor {
    const u = this.user;
    return u
      ? { user_name: u.user_name, sys_id: u.sys_id, isAdmin: u.isAdmin }
      : { user_name: 'guest', sys_id: '', isAdmin: false };
  }
}
