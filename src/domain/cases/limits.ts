/** Kibana's case limits (cases-kibana.md §1.9); the messages that name them are in validate-case.ts. */
export const limits = {
  titleLength: 160,
  descriptionLength: 30_000,
  commentLength: 30_000,
  tagLength: 256,
  tagsPerCase: 200,
  categoryLength: 50,
  assigneesPerCase: 10,
  customFieldsPerCase: 10,
  casesToUpdate: 100,
  deleteIds: 100,
  bulkCreateAttachments: 100,
  alertsPerCase: 1000,
  userActionsPerCase: 10_000,
  perPage: 100,
  docsPerPage: 10_000,
} as const;

/** Owners Kibana registers; a case or configuration for any other owner is refused with 403. */
export const caseOwners = ['securitySolution', 'observability', 'cases'] as const;

export function isKnownOwner(owner: string): boolean {
  return (caseOwners as readonly string[]).includes(owner);
}
