// Who is calling: basic auth against the configured users, or a bearer token the OAuth endpoint
// issued. Roles expand through role containment (an app's integration role contains itil, ...),
// and `admin` passes every check, as on the platform.
import { timingSafeEqual } from 'node:crypto';
import { notAuthenticated } from './responses.js';
import { userSysId } from './seed-data.js';
import type { SimUser } from './types.js';

export interface AuthUser {
  user_name: string;
  sys_id: string;
  email: string;
  roles: ReadonlySet<string>;
  isAdmin: boolean;
}

export interface BearerLookup {
  userForToken(token: string): AuthUser | undefined;
}

export class UserRegistry {
  private readonly users = new Map<string, { user: SimUser; auth: AuthUser }>();
  /** Decoded Authorization headers, so the hot path does no base64 or compare work twice. */
  private readonly basicCache = new Map<string, AuthUser>();

  constructor(
    users: SimUser[],
    private readonly roleContains: Record<string, string[]>,
  ) {
    for (const u of users) this.add(u);
  }

  add(user: SimUser): AuthUser {
    const auth: AuthUser = {
      user_name: user.user_name,
      sys_id: userSysId(user),
      email: user.email ?? `${user.user_name}@example.com`,
      roles: this.expand(user.roles),
      isAdmin: user.roles.includes('admin'),
    };
    this.users.set(user.user_name, { user, auth });
    this.basicCache.clear();
    return auth;
  }

  all(): SimUser[] {
    return [...this.users.values()].map((e) => e.user);
  }

  /** Finds an active user by the OAuth registry's user field (user_name, email or sys_id). */
  find(field: 'user_name' | 'email' | 'sys_id', value: string): AuthUser | undefined {
    for (const { user, auth } of this.users.values()) {
      if (user.active === false) continue;
      if (auth[field] === value) return auth;
    }
    return undefined;
  }

  /** Checks a user name and password; undefined when either is wrong or the user is inactive. */
  verifyPassword(userName: string, password: string): AuthUser | undefined {
    const entry = this.users.get(userName);
    if (!entry || entry.user.active === false) return undefined;
    const a = Buffer.from(entry.user.password);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b) ? entry.auth : undefined;
  }

  /** The caller of an API request, or a 401 with the basic-auth challenge. */
  authenticate(header: string | undefined, bearer: BearerLookup): AuthUser {
    if (!header) throw notAuthenticated();
    const cached = this.basicCache.get(header);
    if (cached) return cached;
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credential = header.slice(space + 1).trim();
    if (scheme === 'bearer') {
      const user = bearer.userForToken(credential);
      if (!user) throw notAuthenticated();
      return user;
    }
    if (scheme !== 'basic') throw notAuthenticated();
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user =
      colon < 0 ? undefined : this.verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (!user) throw notAuthenticated();
    if (this.basicCache.size > 1000) this.basicCache.clear();
    this.basicCache.set(header, user);
    return user;
  }

  private expand(roles: string[]): Set<string> {
    const out = new Set<string>();
    const visit = (role: string): void => {
      if (out.has(role)) return;
      out.add(role);
      for (const inner of this.roleContains[role] ?? []) visit(inner);
    };
    roles.forEach(visit);
    return out;
  }
}

/** Whether the user holds one of the roles; `*` means any authenticated user. */
export function hasRole(user: AuthUser, roles: readonly string[]): boolean {
  if (user.isAdmin) return true;
  for (const r of roles) if (r === '*' || user.roles.has(r)) return true;
  return false;
}
