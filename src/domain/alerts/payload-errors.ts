/** A problem with one field of a posted alert; the API answers 400 with every one of them. */
export interface PayloadProblem {
  path: string;
  message: string;
}

export class PayloadErrors {
  readonly problems: PayloadProblem[] = [];

  add(path: string, message: string): void {
    if (this.problems.length < 20) this.problems.push({ path, message });
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** `[request body.0.status]: must be "firing" or "recovered"; …` in the style of route validation errors. */
  describe(): string {
    return this.problems
      .map((problem) => `[request body${problem.path ? `.${problem.path}` : ''}]: ${problem.message}`)
      .join('; ');
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringMap(value: unknown, path: string, errors: PayloadErrors): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    errors.add(path, 'must be an object of string values');
    return {};
  }
  const result: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string') result[key] = inner;
    else if (typeof inner === 'number' || typeof inner === 'boolean') result[key] = String(inner);
    else errors.add(`${path}.${key}`, 'must be a string');
  }
  return result;
}

export function optionalTime(value: unknown, path: string, errors: PayloadErrors): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    errors.add(path, 'must be an ISO-8601 date-time such as 2024-05-01T10:00:00Z');
    return undefined;
  }
  return new Date(value).toISOString();
}
