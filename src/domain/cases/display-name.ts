import type { CaseUser } from './types.js';

/** Who a pushed text is attributed to: full name, then username, else `Unknown` (§3.2). */
export function displayName(user: CaseUser | null | undefined): string {
  return user?.full_name || user?.username || 'Unknown';
}

/** Where a case lives in the UI, by owner, as Kibana builds it; unknown owners use the management app. */
export function caseUrl(publicBaseUrl: string | undefined, owner: string, caseId: string): string | null {
  if (publicBaseUrl === undefined) return null;
  const appRoute =
    owner === 'securitySolution'
      ? '/app/security'
      : owner === 'observability'
        ? '/app/observability'
        : '/app/management/insightsAndAlerting';
  return `${publicBaseUrl.replace(/\/+$/, '')}${appRoute}/cases/${caseId}`;
}
