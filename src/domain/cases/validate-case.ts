import { checkCaseConnector } from './case-connector.js';
import { caseErrors } from './case-errors.js';
import { limits } from './limits.js';
import type { CaseConnector, CustomField } from './types.js';

/** `The title field cannot be an empty string.` / `The length of the title is too long. …` */
export function checkText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw caseErrors.invalid(`The ${field} field cannot be an empty string.`);
  if (trimmed.length > max) {
    throw caseErrors.invalid(`The length of the ${field} is too long. The maximum length is ${max}.`);
  }
  return trimmed;
}

export function checkArrayLength(field: string, items: readonly unknown[], max: number, min = 0): void {
  if (items.length > max) {
    throw caseErrors.invalid(
      `The length of the field ${field} is too long. Array must be of length <= ${max}.`,
    );
  }
  if (items.length < min) {
    throw caseErrors.invalid(
      `The length of the field ${field} is too short. Array must be of length >= ${min}.`,
    );
  }
}

export function checkTags(tags: string[]): string[] {
  checkArrayLength('tags', tags, limits.tagsPerCase);
  return tags.map((tag) => checkText('tag', tag, limits.tagLength));
}

export function checkCategory(category: string | null): string | null {
  return category === null ? null : checkText('category', category, limits.categoryLength);
}

/** Assignees are deduplicated by uid, as Kibana does, after the length check. */
export function checkAssignees(assignees: Array<{ uid: string }>): Array<{ uid: string }> {
  checkArrayLength('assignees', assignees, limits.assigneesPerCase);
  const seen = new Set<string>();
  return assignees.filter(({ uid }) => !seen.has(uid) && seen.add(uid) !== undefined);
}

export function checkConnector(connector: CaseConnector): CaseConnector {
  const problem = checkCaseConnector(connector);
  if (problem !== null) throw caseErrors.invalid(problem);
  return connector;
}

/** A custom field as the owner's configuration defines it. */
export interface CustomFieldDefinition {
  key: string;
  label: string;
  type: 'text' | 'toggle' | 'number';
  required: boolean;
  defaultValue?: string | boolean | number | null;
}

const valueMatchesType = (type: CustomField['type'], value: unknown): boolean =>
  value === null ||
  (type === 'text' && typeof value === 'string') ||
  (type === 'toggle' && typeof value === 'boolean') ||
  (type === 'number' && typeof value === 'number' && Number.isSafeInteger(value));

/**
 * Checks custom fields against the owner's configured definitions and, when `fillMissing`,
 * adds the configured ones the request left out (default value, else null) as Kibana's create does.
 */
export function checkCustomFields(
  given: CustomField[],
  definitions: CustomFieldDefinition[],
  fillMissing: boolean,
): CustomField[] {
  checkArrayLength('customFields', given, limits.customFieldsPerCase);
  const keys = given.map((field) => field.key);
  const duplicated = keys.filter((key, index) => keys.indexOf(key) !== index);
  if (duplicated.length > 0) {
    throw caseErrors.invalid(
      `Invalid duplicated custom field keys in request: ${[...new Set(duplicated)].join(',')}`,
    );
  }
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const unknown = keys.filter((key) => !byKey.has(key));
  if (unknown.length > 0) throw caseErrors.invalid(`Invalid custom field keys: ${unknown.join(',')}`);
  const wrongType = given.filter((field) => {
    const definition = byKey.get(field.key);
    return (
      definition !== undefined &&
      (definition.type !== field.type || !valueMatchesType(field.type, field.value))
    );
  });
  if (wrongType.length > 0) {
    const labels = wrongType.map((field) => `"${byKey.get(field.key)?.label ?? field.key}"`);
    throw caseErrors.invalid(
      `The following custom fields have the wrong type in the request: ${labels.join(', ')}`,
    );
  }
  for (const field of given) {
    if (field.type === 'text' && typeof field.value === 'string') checkText('value', field.value, 160);
  }
  const result = [...given];
  if (fillMissing) {
    for (const definition of definitions) {
      if (keys.includes(definition.key)) continue;
      const fallback = definition.defaultValue ?? null;
      if (fallback === null && definition.required) continue;
      result.push({ key: definition.key, type: definition.type, value: fallback });
    }
  }
  const missingRequired = definitions.filter(
    (definition) =>
      definition.required &&
      (fillMissing || keys.includes(definition.key)) &&
      (result.find((field) => field.key === definition.key)?.value ?? null) === null,
  );
  if (missingRequired.length > 0) {
    const labels = missingRequired.map((definition) => `"${definition.label}"`);
    throw caseErrors.invalid(`Missing required custom fields: ${labels.join(', ')}`);
  }
  return result;
}
