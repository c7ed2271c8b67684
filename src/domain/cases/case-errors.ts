import { CasebridgeError } from '../../errors.js';

/** Kibana's wording for the common case errors, built in one place so routes and services agree. */
export const caseErrors = {
  invalid: (message: string) => new CasebridgeError('CB_ERR_VALIDATION', message),
  caseNotFound: (id: string) =>
    new CasebridgeError('CB_ERR_CASE_NOT_FOUND', `Saved object [cases/${id}] not found`),
  casesNotFound: (ids: string[]) =>
    new CasebridgeError(
      'CB_ERR_CASE_NOT_FOUND',
      `These cases ${ids.join(', ')} do not exist. Please check you have the correct ids.`,
    ),
  casesStale: (ids: string[]) =>
    new CasebridgeError(
      'CB_ERR_CASE_VERSION_CONFLICT',
      `These cases ${ids.join(', ')} have been updated. Please refresh before saving additional updates.`,
    ),
  caseStale: () =>
    new CasebridgeError(
      'CB_ERR_CASE_VERSION_CONFLICT',
      'This case has been updated. Please refresh before saving additional updates.',
    ),
  configurationStale: () =>
    new CasebridgeError(
      'CB_ERR_CASE_VERSION_CONFLICT',
      'This configuration has been updated. Please refresh before saving additional updates.',
    ),
  commentNotFound: (commentId: string, caseId: string) =>
    new CasebridgeError(
      'CB_ERR_CASE_COMMENT_NOT_FOUND',
      `This comment ${commentId} does not exist in ${caseId}).`,
    ),
  unauthorized: (operation: string, owners: string[]) =>
    new CasebridgeError(
      'CB_ERR_FORBIDDEN',
      `Unauthorized to ${operation} with owners: ${owners.map((owner) => `"${owner}"`).join(', ')}`,
    ),
};
