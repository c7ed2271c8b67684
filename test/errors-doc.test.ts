import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../src/errors.js';

// docs/errors.md is the public list of codes; it must name every code with its status, and no other.
describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`(CB_ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|(.+)\|$/gm)].map(
    ([, code, status]) => ({
      code,
      status: Number(status),
    }),
  );

  it('lists exactly the codes of src/errors.ts, with their statuses', () => {
    const fromCode = Object.entries(errorCodes).map(([code, { status }]) => ({ code, status }));
    expect(rows.sort((a, b) => a.code!.localeCompare(b.code!))).toEqual(
      fromCode.sort((a, b) => a.code.localeCompare(b.code)),
    );
  });

  it('lists each code once', () => {
    expect(new Set(rows.map((row) => row.code)).size).toBe(rows.length);
  });
});
