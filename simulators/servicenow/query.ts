// Encoded queries (sysparm_query). Grammar as the platform reads it: `^NQ` separates alternative
// queries, `^` separates terms that must all hold, and a term starting with `OR` joins the previous
// term as an alternative, so `a^ORb^c` means (a OR b) AND c. `ORDERBY<f>`/`ORDERBYDESC<f>` order.
// Unknown fields are ignored (the platform default) unless invalidQueryReturnsNoRows is set; a term
// we cannot parse is a 400.
import { SnError } from './responses.js';
import type { TableDef } from './schema-tables.js';
import type { SimDatabase } from './store.js';
import type { SnRecord } from './types.js';

export interface OrderKey {
  field: string;
  desc: boolean;
  numeric: boolean;
}

export interface CompiledQuery {
  matches: (rec: SnRecord) => boolean;
  order: OrderKey[];
}

type Test = (rec: SnRecord) => boolean;

// Longest first so `NOT IN` wins over `IN` and `<=` over `<`.
const OPERATORS = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'NOT LIKE',
  'NOTLIKE',
  'NOT IN',
  'NOTIN',
  'STARTSWITH',
  'ENDSWITH',
  'BETWEEN',
  'LIKE',
  'IN',
  '!=',
  '<=',
  '>=',
  '=',
  '<',
  '>',
];
const TERM = new RegExp(`^([a-z_][a-z0-9_.]*)(${OPERATORS.map(escape).join('|')})(.*)$`, 's');

function escape(op: string): string {
  return op.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function badQuery(detail: string): SnError {
  return new SnError(400, 'Invalid query', detail);
}

export interface QueryOptions {
  invalidQueryReturnsNoRows: boolean;
}

export function compileQuery(
  text: string,
  def: TableDef,
  db: SimDatabase,
  options: QueryOptions,
  extraEquals: [string, string][] = [],
): CompiledQuery {
  const order: OrderKey[] = [];
  const alternatives: Test[] = [];
  for (const part of text === '' ? [] : text.split('^NQ')) {
    const groups: Test[][] = [];
    for (const token of splitTerms(part)) {
      if (token === '' || token === 'EQ') continue;
      if (token.startsWith('ORDERBY')) {
        const desc = token.startsWith('ORDERBYDESC');
        const field = token.slice(desc ? 11 : 7);
        if (field === '') throw badQuery(`Missing field name in ${token}`);
        const f = def.byElement.get(field);
        if (f) order.push({ field, desc, numeric: f.type === 'integer' || f.type === 'decimal' });
        continue;
      }
      const isOr = token.startsWith('OR') && groups.length > 0;
      const test = compileTerm(isOr ? token.slice(2) : token, def, db, options);
      const last = groups[groups.length - 1];
      if (isOr && last) last.push(test);
      else groups.push([test]);
    }
    for (const [field, value] of extraEquals)
      groups.push([compileTerm(`${field}=${value}`, def, db, options)]);
    alternatives.push(andOf(groups.map(orOf)));
  }
  if (alternatives.length === 0 && extraEquals.length > 0) {
    alternatives.push(andOf(extraEquals.map(([f, v]) => compileTerm(`${f}=${v}`, def, db, options))));
  }
  return { matches: alternatives.length === 0 ? () => true : orOf(alternatives), order };
}

/**
 * Splits on single carets; `^^` is a literal caret inside a value (how the platform escapes one),
 * so an escaped value cannot start another term.
 */
function splitTerms(part: string): string[] {
  if (!part.includes('^^')) return part.split('^');
  return part
    .replaceAll('^^', '\u0000')
    .split('^')
    .map((token) => token.replaceAll('\u0000', '^'));
}

function andOf(tests: Test[]): Test {
  if (tests.length === 1 && tests[0]) return tests[0];
  return (rec) => tests.every((t) => t(rec));
}

function orOf(tests: Test[]): Test {
  if (tests.length === 1 && tests[0]) return tests[0];
  return (rec) => tests.some((t) => t(rec));
}

function compileTerm(term: string, def: TableDef, db: SimDatabase, options: QueryOptions): Test {
  const m = TERM.exec(term);
  if (!m) throw badQuery(`Unable to parse query term: ${term}`);
  const [, field = '', op = '', value = ''] = m;
  const read = fieldReader(field, def, db);
  if (!read) return options.invalidQueryReturnsNoRows ? () => false : () => true;
  const lower = value.toLowerCase();
  switch (op) {
    case '=':
      return (rec) => read(rec) === value;
    case '!=':
      return (rec) => read(rec) !== value;
    case 'LIKE':
      return (rec) => read(rec).toLowerCase().includes(lower);
    case 'NOT LIKE':
    case 'NOTLIKE':
      return (rec) => !read(rec).toLowerCase().includes(lower);
    case 'STARTSWITH':
      return (rec) => read(rec).toLowerCase().startsWith(lower);
    case 'ENDSWITH':
      return (rec) => read(rec).toLowerCase().endsWith(lower);
    case 'IN': {
      const set = new Set(value.split(','));
      return (rec) => set.has(read(rec));
    }
    case 'NOT IN':
    case 'NOTIN': {
      const set = new Set(value.split(','));
      return (rec) => !set.has(read(rec));
    }
    case 'ISEMPTY':
      return (rec) => read(rec) === '';
    case 'ISNOTEMPTY':
      return (rec) => read(rec) !== '';
    case 'BETWEEN': {
      const [low, high] = value.split('@');
      if (low === undefined || high === undefined) throw badQuery(`BETWEEN needs low@high: ${term}`);
      return (rec) => compare(read(rec), low) >= 0 && compare(read(rec), high) <= 0;
    }
    default:
      // <, <=, >, >= compare numbers numerically and everything else (dates included) as text,
      // which is right for "YYYY-MM-DD HH:MM:SS".
      return (rec) => {
        const c = compare(read(rec), value);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      };
  }
}

/** Reads a column, following one reference hop for dot-walked names such as `caller_id.name`. */
function fieldReader(field: string, def: TableDef, db: SimDatabase): ((rec: SnRecord) => string) | undefined {
  const dot = field.indexOf('.');
  if (dot < 0) return def.byElement.has(field) ? (rec) => rec[field] ?? '' : undefined;
  const ref = def.byElement.get(field.slice(0, dot));
  const target = ref?.reference ? db.def(ref.reference) : undefined;
  const rest = field.slice(dot + 1);
  if (!ref || !target || !target.byElement.has(rest)) return undefined;
  const refTable = target.name;
  return (rec) => db.get(refTable, rec[ref.element] ?? '')?.[rest] ?? '';
}

export function compare(a: string, b: string): number {
  if (a !== '' && b !== '') {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place by the ORDERBY keys; equal keys keep insertion order in the key's direction. */
export function sortRecords(rows: SnRecord[], order: OrderKey[], db: SimDatabase): void {
  if (order.length === 0) return;
  rows.sort((a, b) => {
    for (const key of order) {
      const av = a[key.field] ?? '';
      const bv = b[key.field] ?? '';
      const c = key.numeric ? compare(av, bv) : av < bv ? -1 : av > bv ? 1 : 0;
      if (c !== 0) return key.desc ? -c : c;
    }
    const first = order[0];
    const c = db.orderOf(a.sys_id ?? '') - db.orderOf(b.sys_id ?? '');
    return first?.desc ? -c : c;
  });
}
